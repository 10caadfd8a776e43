import { realpathSync } from "node:fs";
import { defineCommand } from "citty";
import { runningGatewayPort } from "../../client/target.ts";
import { loadConfig } from "../../config/load.ts";
import { resolveConfigPath, resolveGatewayPort } from "../../config/paths.ts";
import { CliError } from "../../errors.ts";
import { assetFor, checkForUpdate, resolveReleaseBase, runUpdate } from "../../release/index.ts";
import { BUILD_ASSET, VERSION, VERSION_LINE } from "../../version.ts";
import { parseTimeout, printJson } from "./_rpc.ts";

/** `openclaw update [--check | --to VERSION]`: replaces this binary with a published release. */
export const updateCommand = defineCommand({
  meta: { name: "update", description: "Update this binary from the release location (verifies SHA-256, restarts the service, rolls back on failure)" },
  args: {
    check: { type: "boolean", description: "Only report whether a newer version is published" },
    to: { type: "string", description: "Install this version (e.g. 0.2.0; downgrades allowed) instead of the latest" },
    base: { type: "string", description: "Release folder URL (default: $OPENCLAW_INSTALL_BASE, else https://openclaw-bun.dev/releases/latest)" },
    force: { type: "boolean", description: "Reinstall even when already on that version" },
    timeout: { type: "string", description: "How long the restarted gateway gets to answer /readyz, in ms", default: "60000" },
    json: { type: "boolean", description: "Print JSON" },
  },
  async run({ args }) {
    if (args.check && args.to !== undefined) throw new CliError("--check and --to do not go together");
    let base: string;
    try {
      base = resolveReleaseBase(args.base);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const out = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);

    if (args.check) {
      const check = await checkForUpdate(base, VERSION);
      if (args.json) return printJson(check);
      out(check.updateAvailable ? `Update available: ${VERSION} → ${check.latest}. Run \`openclaw update\`.` : `openclaw ${VERSION_LINE} is up to date (latest: ${check.latest}).`);
      return;
    }

    const asset = BUILD_ASSET ?? assetFor(process.platform, process.arch);
    if (!asset) throw new CliError(`No release binary is published for ${process.platform}-${process.arch}`);
    const result = await runUpdate({
      base,
      to: args.to,
      force: args.force,
      target: installedBinary(),
      asset,
      current: VERSION,
      port: gatewayPort(),
      readyTimeoutMs: parseTimeout(args.timeout, 60_000),
      log: out,
    });
    if (args.json) return printJson(result);
    if (result.action === "up-to-date") out(`Already on ${result.version}; nothing to do (--force reinstalls).`);
    else out(`Updated ${result.from} → ${result.versionLine}`);
  },
});

// --- internal ---

/**
 * The file to replace: the running executable with symlinks resolved, so `~/.local/bin/openclaw → /opt/…`
 * updates the real file and keeps the link.
 */
function installedBinary(): string {
  // A compiled binary runs its bundle from Bun's embedded file system; under `bun src/main.ts`, execPath is Bun itself.
  const compiled = Bun.main.startsWith("/$bunfs/") || /^[A-Z]:[\\/]~BUN[\\/]/i.test(Bun.main);
  if (!compiled) {
    throw new CliError("`openclaw update` replaces the installed binary, but this is running from source under Bun.", { hint: "Build with `bun run build.ts`, or install with install.sh." });
  }
  return realpathSync(process.execPath);
}

function gatewayPort(): number {
  // The running gateway's own record first: it may run on a --port the config does not know.
  const running = runningGatewayPort();
  if (running !== undefined) return running;
  try {
    return resolveGatewayPort({ configPort: loadConfig(resolveConfigPath()).config.gateway?.port });
  } catch {
    // An unreadable config or bad OPENCLAW_GATEWAY_PORT must not block an update; probe the default port.
    return resolveGatewayPort({ env: {} });
  }
}
