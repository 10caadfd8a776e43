/**
 * The A2UI gate of `node.invoke`: `canvas.a2ui.push` (`params.messages`) and `canvas.a2ui.pushJSONL`
 * (`params.jsonl`) are checked against A2UI v0.8 before anything is sent, whoever calls (operator RPC, the
 * agent's canvas tool, the CLI), so a node never receives invalid A2UI.
 */
import { parseA2uiJsonl, validateA2uiMessages } from "../../canvas/a2ui/app/processor.ts";
import { GatewayError } from "../../errors.ts";

/** Problems named in the error message; the rest are counted. */
const MAX_LISTED = 5;

/**
 * The A2UI problems of an invoke's params. Pure.
 * @returns every problem (line or message index and field), empty when valid or when `command` carries no A2UI.
 */
export function a2uiProblems(command: string, params: unknown): string[] {
  const p = typeof params === "object" && params !== null ? (params as Record<string, unknown>) : {};
  if (command === "canvas.a2ui.push") return validateA2uiMessages(p.messages).map(trimPrefix);
  if (command !== "canvas.a2ui.pushJSONL") return [];
  if (typeof p.jsonl !== "string") return ["jsonl must be a string of A2UI JSONL"];
  return parseA2uiJsonl(p.jsonl).errors.map(trimPrefix);
}

/**
 * Refuses invalid A2UI.
 * @throws GatewayError INVALID_REQUEST `invalid A2UI: <up to 5 problems, "; "-joined> (+N more)`, with every
 *   problem in `details.problems`.
 */
export function checkA2uiInvoke(command: string, params: unknown): void {
  const problems = a2uiProblems(command, params);
  if (problems.length === 0) return;
  const more = problems.length > MAX_LISTED ? ` (+${problems.length - MAX_LISTED} more)` : "";
  throw new GatewayError("INVALID_REQUEST", `invalid A2UI: ${problems.slice(0, MAX_LISTED).join("; ")}${more}`, { details: { command, problems } });
}

// The processor prefixes every problem with "A2UI"; the error message already says it.
function trimPrefix(problem: string): string {
  return problem.replace(/^A2UI:?\s+/, "");
}
