import { defineCommand } from "citty";
import { printAction, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway restart`: idempotent; reports `not-loaded` when there is nothing to restart. */
export const gatewayRestart = defineCommand({
  meta: { name: "restart", description: "Restart the gateway service" },
  args: SERVICE_ARGS,
  run({ args }) {
    return runServiceAction("restart", Boolean(args.json), async () => {
      const t = resolveServiceTarget({ system: args.system });
      const outcome = await t.service.restart(t.def);
      const state = await t.service.runtime(t.def);
      printAction(t, "restart", outcome, Boolean(args.json), state.loaded);
      return 0;
    });
  },
});
