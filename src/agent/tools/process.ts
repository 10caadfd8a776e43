/**
 * `process`: manages the agent's background commands started by `exec`: list, poll (new output and
 * status), log (lines with offset/limit), write (stdin), kill, clear (forget finished ones).
 */
import { Type as T } from "@sinclair/typebox";
import { PROCESS_ACTIONS, runProcessAction } from "../exec/process-actions.ts";
import { defineTool } from "./define.ts";

/** The `process` tool. */
export const processTool = defineTool({
  name: "process",
  description:
    'Manage background commands started by exec: action "list" (all), "poll" (status + new output), "log" (output lines, offset/limit), "write" (send data to stdin, eof to close), "kill", "clear" (forget finished ones; with id, just that one).',
  group: "runtime",
  http: false,
  needs: ["exec"],
  caps: { maxChars: 30_000 },
  parameters: T.Object(
    {
      action: T.Unsafe<(typeof PROCESS_ACTIONS)[number]>({ type: "string", enum: [...PROCESS_ACTIONS], description: "list | poll | log | write | kill | clear" }),
      id: T.Optional(T.String({ minLength: 1, description: "Process id (from exec or list); required except for list and clear." })),
      offset: T.Optional(T.Integer({ description: "log: first line (0-based; negative counts from the end)." })),
      limit: T.Optional(T.Integer({ minimum: 1, description: "log: most lines." })),
      data: T.Optional(T.String({ description: "write: text for stdin." })),
      eof: T.Optional(T.Boolean({ description: "write: close stdin afterwards." })),
    },
    { additionalProperties: false },
  ),
  async execute(params, ctx) {
    const result = await runProcessAction(params, ctx.ports.exec.processes.forAgent(ctx.agentId));
    const { output, ...rest } = result as { output?: unknown };
    const head = JSON.stringify(rest);
    return typeof output === "string" ? `${head}\n${output || "(no new output)"}` : head;
  },
});
