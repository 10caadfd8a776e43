import { defineCommand } from "citty";
import { assertNotNixMode, printAction, resolveServiceTarget, runServiceAction, SERVICE_ARGS } from "./_service.ts";

/** `openclaw gateway uninstall`: stops the service, unregisters it and deletes its files. */
export const gatewayUninstall = defineCommand({
  meta: { name: "uninstall", description: "Stop and remove the gateway service" },
  args: SERVICE_ARGS,
  run({ args }) {
    return runServiceAction("uninstall", Boolean(args.json), async () => {
      assertNotNixMode();
      const t = resolveServiceTarget({ system: args.system });
      const outcome = await t.service.uninstall(t.def);
      printAction(t, "uninstall", outcome, Boolean(args.json), false);
      return 0;
    });
  },
});
