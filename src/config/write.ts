/**
 * Writes config files: atomically (temp file + rename), owner-only (0600, folder 0700), never over an
 * existing file unless asked. Also builds the configs that `setup` and `--dev` create.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { OpenClawConfig } from "./schema.ts";

/** A new gateway token: 32 random bytes as 64 hex characters. */
export function generateToken(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Writes `config` as JSON (valid JSON5) to `path`.
 * @throws Error with code EEXIST when the file exists and `overwrite` is false.
 */
export function writeConfigFile(path: string, config: OpenClawConfig, opts: { overwrite?: boolean } = {}): void {
  if (!opts.overwrite && existsSync(path)) {
    const err = new Error(`config already exists at ${path}`);
    (err as NodeJS.ErrnoException).code = "EEXIST";
    throw err;
  }
  writeConfigText(path, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * Replaces the file at `path` with `text` atomically (temp file in the same folder, then rename), mode 0600,
 * creating the folder (0700) when missing. Readers see the old file or the new one, never half of either.
 * Concurrent calls do not share a temp file; the last rename wins. A symlinked config keeps its link.
 * @throws Error from the file system (no space, read-only folder); the old file is then left as it was.
 */
export function writeConfigText(path: string, text: string): void {
  writeFileAtomic(path, text, { mode: 0o600, dirMode: 0o700, followSymlink: true });
}

/** The config `openclaw setup` writes: local mode, loopback, a fresh token, the workspace. */
export function buildSetupConfig(opts: { workspace: string; token?: string }): OpenClawConfig {
  return {
    gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: opts.token ?? generateToken() } },
    agents: { defaults: { workspace: opts.workspace } },
  };
}

/**
 * The config `openclaw --dev gateway` creates when the dev profile has none. With `generateSecret: false`
 * (a token came from --token or the environment) no token is written, so that one stays in force.
 */
export function buildDevConfig(opts: { workspace: string; generateSecret?: boolean }): OpenClawConfig {
  const auth = opts.generateSecret === false ? { mode: "token" as const } : { mode: "token" as const, token: generateToken() };
  return {
    gateway: { mode: "local", bind: "loopback", auth },
    agents: {
      defaults: { workspace: opts.workspace, skipBootstrap: true },
      list: [{ id: "dev", default: true, name: "C3-PO", identity: { name: "C3-PO", emoji: "🤖" } }],
    },
  };
}
