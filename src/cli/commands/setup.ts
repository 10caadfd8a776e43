import { mkdirSync } from "node:fs";
import { defineCommand } from "citty";
import { loadConfig } from "../../config/load.ts";
import { expandHome, resolveConfigPath, resolveDefaultWorkspace, resolveGatewayPort } from "../../config/paths.ts";
import { buildSetupConfig, writeConfigFile } from "../../config/write.ts";
import { CliError } from "../../errors.ts";

/** `openclaw setup`: writes a local-mode config with a fresh token and creates the workspace. */
export const setupCommand = defineCommand({
  meta: { name: "setup", description: "Write a gateway config (local mode, loopback, new token) and the workspace" },
  args: {
    workspace: { type: "string", description: "Agent workspace folder (default ~/.openclaw/workspace[-profile])" },
    force: { type: "boolean", description: "Overwrite an existing config" },
    json: { type: "boolean", description: "Print the result as JSON" },
  },
  run({ args }) {
    const path = resolveConfigPath();
    const workspace = args.workspace ? expandHome(args.workspace) : resolveDefaultWorkspace();
    if (!args.force) {
      // Refuse before touching anything, valid or not: the user's file is theirs.
      const existing = loadConfigQuiet(path);
      if (existing) throw new CliError(`A config already exists at ${path}; nothing was changed.`, { hint: "Pass --force to replace it (a new token is generated)." });
    }
    const config = buildSetupConfig({ workspace });
    writeConfigFile(path, config, { overwrite: args.force });
    mkdirSync(workspace, { recursive: true, mode: 0o700 });
    const port = resolveGatewayPort({ configPort: config.gateway?.port });
    const token = config.gateway?.auth?.token as string;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, configPath: path, workspace, url: `ws://127.0.0.1:${port}`, token }, null, 2)}\n`);
      return;
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`Wrote ${path} (mode 0600)`);
    out(`Workspace: ${workspace}`);
    out("");
    out(`Gateway token (shown once; it is stored in the config as gateway.auth.token):`);
    out(`  ${token}`);
    out("");
    out("Start the gateway:   openclaw gateway");
    out(`Connect clients to:  ws://127.0.0.1:${port}  with that token`);
  },
});

function loadConfigQuiet(path: string): boolean {
  try {
    return loadConfig(path).exists;
  } catch {
    return true; // exists but invalid: still the user's file
  }
}
