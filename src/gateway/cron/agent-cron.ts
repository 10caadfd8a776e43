/**
 * The agent's view of the cron scheduler (the `cron` tool's port): the `cron.*` methods' service, with
 * jobs and patches checked against the same generated schemas as the methods, so a bad job from a model
 * gets the same field-naming error an operator would. Lets `src/agent/` schedule without importing the gateway.
 */
import type { ToolCron, ToolCronJob } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import { checkParams } from "../../protocol/check.ts";
import type { CronService } from "./service.ts";

/** Adapts `cron` for the agent's tools. */
export function toToolCron(cron: CronService): ToolCron {
  return {
    status: () => ({ ...cron.status() }),
    list: (includeDisabled) => cron.list(includeDisabled) as ToolCronJob[],
    get: (id) => cron.get(id) as ToolCronJob | undefined,
    add(job, meta) {
      const checked = checkParams("cron.add", job);
      if (!checked.ok) throw new GatewayError("INVALID_REQUEST", checked.message);
      return cron.add(checked.params, meta) as ToolCronJob;
    },
    update(id, patch) {
      const checked = checkParams("cron.update", { id, patch });
      if (!checked.ok) throw new GatewayError("INVALID_REQUEST", checked.message);
      return cron.update(id, checked.params.patch) as ToolCronJob | undefined;
    },
    remove: (id) => cron.remove(id),
    run: (id) => cron.run(id, "force"),
    runs: (id, limit) => cron.runs(id, limit) as unknown as Record<string, unknown>[],
  };
}
