import pkg from "../package.json" with { type: "json" };

// Replaced by build.ts through Bun.build `define`; under `bun test` / `bun run` they are not defined,
// which is what the `typeof` guards are for.
declare const OPENCLAW_BUILD_COMMIT: string;
declare const OPENCLAW_BUILD_ASSET: string;

/** This build's version (from package.json, embedded at build time). */
export const VERSION: string = pkg.version;

/** Short git commit the binary was built from; "unknown" outside a checkout or when run from source. */
export const COMMIT: string = typeof OPENCLAW_BUILD_COMMIT === "string" ? OPENCLAW_BUILD_COMMIT : "unknown";

/**
 * Release asset this binary was built as (`openclaw-linux-x64`, `openclaw-windows-x64.exe`, …), so
 * `openclaw update` fetches the same flavour (e.g. musl); undefined when run from source.
 */
export const BUILD_ASSET: string | undefined = typeof OPENCLAW_BUILD_ASSET === "string" ? OPENCLAW_BUILD_ASSET : undefined;

/** What `openclaw --version` prints: `0.1.0 (abc1234)`. */
export const VERSION_LINE = `${VERSION} (${COMMIT})`;
