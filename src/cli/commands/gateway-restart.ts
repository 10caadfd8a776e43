import { defineCommand } from "citty";
import { printAction, reportNoService, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway restart`: with no service installed it says what runs instead (a foreground gateway's PID) and exits 1. */
export const gatewayRestart = defineCommand({
  meta: { name: "restart", description: "Restart the gateway service" },
  args: SERVICE_ARGS,
  run({ args }) {
    return runServiceAction("restart", Boolean(args.json), async () => {
      const t = resolveServiceTarget({ system: args.system });
      const outcome = await t.service.restart(t.def);
      if (outcome.result === "not-loaded" || outcome.result === "not-installed") return reportNoService(t, "restart", Boolean(args.json));
      const state = await t.service.runtime(t.def);
      printAction(t, "restart", outcome, Boolean(args.json), state.loaded);
      return 0;
    });
  },
});
