import { defineCommand } from "citty";
import { printAction, reportNoService, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway stop`: with no service installed it says what runs instead (a foreground gateway's PID) and exits 1. */
export const gatewayStop = defineCommand({
  meta: { name: "stop", description: "Stop the gateway service (it starts again at next login/boot)" },
  args: SERVICE_ARGS,
  run({ args }) {
    return runServiceAction("stop", Boolean(args.json), async () => {
      const t = resolveServiceTarget({ system: args.system });
      const outcome = await t.service.stop(t.def);
      if (outcome.result === "not-loaded" || outcome.result === "not-installed") return reportNoService(t, "stop", Boolean(args.json));
      const state = await t.service.runtime(t.def);
      printAction(t, "stop", outcome, Boolean(args.json), state.loaded);
      return 0;
    });
  },
});
