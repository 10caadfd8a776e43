/**
 * The root command of the `openclaw` binary. `gateway` runs the daemon (injected, so this folder never
 * imports it); every other command is a client of a running gateway or works on local files.
 */
import { defineCommand } from "citty";
import { agentCommand } from "./commands/agent.ts";
import { approvalsCommand } from "./commands/approvals.ts";
import { browserCommand } from "./commands/browser.ts";
import { channelsCommand } from "./commands/channels.ts";
import { cronCommand } from "./commands/cron.ts";
import { devicesCommand } from "./commands/devices.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { gatewayCall } from "./commands/gateway-call.ts";
import { gatewayInstall } from "./commands/gateway-install.ts";
import { gatewayRestart } from "./commands/gateway-restart.ts";
import { createGatewayRunCommand, GATEWAY_RUN_ARGS, type RunGateway } from "./commands/gateway-run.ts";
import { gatewayStart } from "./commands/gateway-start.ts";
import { gatewayStatus } from "./commands/gateway-status.ts";
import { gatewayStop } from "./commands/gateway-stop.ts";
import { gatewayUninstall } from "./commands/gateway-uninstall.ts";
import { healthCommand } from "./commands/health.ts";
import { logsCommand } from "./commands/logs.ts";
import { messageCommand } from "./commands/message.ts";
import { nodesCommand } from "./commands/nodes.ts";
import { pairingCommand } from "./commands/pairing.ts";
import { setupCommand } from "./commands/setup.ts";
import { skillsCommand } from "./commands/skills.ts";
import { statusCommand } from "./commands/status.ts";
import { toolsCommand } from "./commands/tools.ts";
import { updateCommand } from "./commands/update.ts";
import { VERSION } from "../version.ts";

export { runCli, splitGlobals } from "./run.ts";
export type { GatewayRunFlags, RunGateway } from "./commands/gateway-run.ts";

/** Builds the command tree. */
export function createRootCommand(deps: { runGateway: RunGateway }) {
  const run = createGatewayRunCommand(deps.runGateway);
  const gateway = defineCommand({
    meta: { name: "gateway", description: "Run the gateway (default) or talk to it" },
    args: GATEWAY_RUN_ARGS,
    subCommands: {
      run,
      status: gatewayStatus,
      call: gatewayCall,
      health: healthCommand,
      install: gatewayInstall,
      uninstall: gatewayUninstall,
      start: gatewayStart,
      stop: gatewayStop,
      restart: gatewayRestart,
    },
    run: run.run,
  });
  return defineCommand({
    meta: {
      name: "openclaw",
      version: VERSION,
      description: "OpenClaw Gateway: messaging channels, agent runs and the control plane in one process. Global: --dev, --profile <name>, --no-color, -V",
    },
    subCommands: { gateway, agent: agentCommand, browser: browserCommand, health: healthCommand, status: statusCommand, logs: logsCommand, setup: setupCommand, update: updateCommand, doctor: doctorCommand, nodes: nodesCommand, devices: devicesCommand, channels: channelsCommand, message: messageCommand, pairing: pairingCommand, cron: cronCommand, approvals: approvalsCommand, "exec-approvals": approvalsCommand, tools: toolsCommand, skills: skillsCommand },
  });
}
