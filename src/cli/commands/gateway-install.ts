import { defineCommand } from "citty";
import { CliError } from "../../errors.ts";
import { assertNotNixMode, printInstall, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway install`: writes the supervisor definition for this profile and starts it. */
export const gatewayInstall = defineCommand({
  meta: { name: "install", description: "Install the gateway as a service (launchd / systemd / Task Scheduler) and start it" },
  args: {
    ...SERVICE_ARGS,
    port: { type: "string", description: "Gateway port (default: env / config / 18789)" },
    token: { type: "string", description: "Gateway token for the service (default: gateway.auth.token / OPENCLAW_GATEWAY_TOKEN)" },
    force: { type: "boolean", description: "Rewrite and restart even when the same or a drifted definition is installed" },
    "dry-run": { type: "boolean", description: "Print what would be written and run; touch nothing" },
    runtime: { type: "string", description: "Accepted for upstream compatibility (node|bun); the compiled binary is its own runtime" },
  },
  run({ args }) {
    return runServiceAction("install", Boolean(args.json), async () => {
      if (args.runtime !== undefined && args.runtime !== "node" && args.runtime !== "bun") throw new CliError('Invalid --runtime (use "node" or "bun")');
      if (!args["dry-run"]) assertNotNixMode();
      const t = resolveServiceTarget({ port: args.port, token: args.token, system: args.system, strictConfig: true });
      const outcome = await t.service.install(t.def, { force: args.force, dryRun: args["dry-run"] });
      printInstall(t, outcome, Boolean(args.json));
      return 0;
    });
  },
});
