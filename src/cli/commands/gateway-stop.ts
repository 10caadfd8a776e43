import { defineCommand } from "citty";
import { printAction, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway stop`: idempotent; reports `not-loaded` when there is nothing to stop. */
export const gatewayStop = defineCommand({
  meta: { name: "stop", description: "Stop the gateway service (it starts again at next login/boot)" },
  args: SERVICE_ARGS,
  run({ args }) {
    return runServiceAction("stop", Boolean(args.json), async () => {
      const t = resolveServiceTarget({ system: args.system });
      const outcome = await t.service.stop(t.def);
      const state = await t.service.runtime(t.def);
      printAction(t, "stop", outcome, Boolean(args.json), state.loaded);
      return 0;
    });
  },
});
