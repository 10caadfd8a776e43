import { defineCommand } from "citty";
import { printAction, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway start`: idempotent; reports `not-loaded` when there is nothing to start. */
export const gatewayStart = defineCommand({
  meta: { name: "start", description: "Start the installed gateway service" },
  args: SERVICE_ARGS,
  run({ args }) {
    return runServiceAction("start", Boolean(args.json), async () => {
      const t = resolveServiceTarget({ system: args.system });
      const outcome = await t.service.start(t.def);
      const state = await t.service.runtime(t.def);
      printAction(t, "start", outcome, Boolean(args.json), state.loaded);
      return 0;
    });
  },
});
