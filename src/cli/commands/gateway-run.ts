import { defineCommand } from "citty";
import type { GatewayRunFlags } from "../../config/gateway-settings.ts";

/** Flags of `openclaw gateway` / `openclaw gateway run`. */
export const GATEWAY_RUN_ARGS = {
  port: { type: "string", description: "Port to listen on (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)" },
  bind: { type: "string", description: "loopback | lan | tailnet | auto | custom" },
  token: { type: "string", description: "Shared token clients must present" },
  password: { type: "string", description: "Shared password (password auth)" },
  auth: { type: "string", description: "token | password" },
  "allow-unconfigured": { type: "boolean", description: "Start without gateway.mode=local in config" },
  dev: { type: "boolean", description: "Use the dev profile; create its config if missing" },
  force: { type: "boolean", description: "Stop whatever listens on the port first (needs lsof)" },
  verbose: { type: "boolean", description: "Mirror debug logs to the console" },
} as const;

/** What the daemon runner receives (declared in config so the gateway need not import the CLI). */
export type { GatewayRunFlags } from "../../config/gateway-settings.ts";

/** Runs the daemon; injected by main.ts so the CLI never imports the gateway. Resolves to the exit code. */
export type RunGateway = (flags: GatewayRunFlags) => Promise<number>;

/** `openclaw gateway run`: the gateway in the foreground. */
export function createGatewayRunCommand(runGateway: RunGateway) {
  return defineCommand({
    meta: { name: "run", description: "Run the gateway in the foreground" },
    args: GATEWAY_RUN_ARGS,
    run: ({ args }) =>
      runGateway({
        port: args.port,
        bind: args.bind,
        token: args.token,
        password: args.password,
        auth: args.auth,
        allowUnconfigured: args["allow-unconfigured"],
        dev: args.dev,
        force: args.force,
        verbose: args.verbose,
      }),
  });
}
