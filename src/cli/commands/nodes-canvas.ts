/**
 * `openclaw nodes canvas present|hide|navigate|a2ui push|a2ui reset`: drives a node's canvas through the
 * gateway's `node.invoke`. A2UI is checked here first with the same rules the gateway applies, so a bad
 * file fails fast, names its lines, and never reaches the gateway.
 */
import { defineCommand } from "citty";
import { parseA2uiJsonl } from "../../canvas/a2ui/app/processor.ts";
import { CliError } from "../../errors.ts";
import { type Call, withCalls } from "./_call.ts";
import { resolveNode } from "./nodes.ts";
import { parseTimeout, printJson, RPC_ARGS } from "./_rpc.ts";

const NODE_ARG = { node: { type: "string", description: "Node id, id prefix, display name or IP", required: true } } as const;
const INVOKE_ARGS = {
  ...NODE_ARG,
  "invoke-timeout": { type: "string", description: "How long the node may take, in ms", default: "30000" },
  ...RPC_ARGS,
} as const;
/** Problems listed before "(+N more)". */
const MAX_SHOWN_PROBLEMS = 20;

type InvokeArgs = { node: string; "invoke-timeout"?: string; url?: string; token?: string; password?: string; timeout?: string; json?: boolean };

const present = defineCommand({
  meta: { name: "present", description: "Show the node's canvas, optionally at a URL or canvas path" },
  args: { ...INVOKE_ARGS, target: { type: "string", description: "URL or canvas path to show (default: the node's canvas home)" } },
  async run({ args }) {
    await invokeCanvas(args, () => ({ command: "canvas.present", params: args.target ? { url: args.target } : {} }));
  },
});

const hide = defineCommand({
  meta: { name: "hide", description: "Hide the node's canvas" },
  args: { ...INVOKE_ARGS },
  async run({ args }) {
    await invokeCanvas(args, () => ({ command: "canvas.hide", params: {} }));
  },
});

const navigate = defineCommand({
  meta: { name: "navigate", description: "Load a URL or canvas path in the node's canvas (--url is the gateway's, so the target is positional)" },
  args: { target: { type: "positional", description: "URL or canvas path to load", required: true }, ...INVOKE_ARGS },
  async run({ args }) {
    await invokeCanvas(args, () => ({ command: "canvas.navigate", params: { url: args.target } }));
  },
});

const push = defineCommand({
  meta: { name: "push", description: "Render A2UI v0.8 on the node: a JSONL file (--jsonl, - for stdin) or a plain text card (--text)" },
  args: {
    jsonl: { type: "string", description: "A2UI v0.8 JSONL file, one message per line; - reads stdin" },
    text: { type: "string", description: "Show this text (builds a one-surface A2UI message set)" },
    ...INVOKE_ARGS,
  },
  async run({ args }) {
    if ((args.jsonl === undefined) === (args.text === undefined)) throw new CliError("Give exactly one of --jsonl <file> or --text <text>.");
    const source = args.jsonl === undefined ? "--text" : args.jsonl === "-" ? "stdin" : args.jsonl;
    const jsonl = args.jsonl === undefined ? buildTextJsonl(args.text as string) : await readJsonl(args.jsonl);
    const messages = checkJsonl(jsonl, source);
    await invokeCanvas(args, (node) =>
      node.commands.includes("canvas.a2ui.pushJSONL") ? { command: "canvas.a2ui.pushJSONL", params: { jsonl } } : { command: "canvas.a2ui.push", params: { messages } },
    );
  },
});

const reset = defineCommand({
  meta: { name: "reset", description: "Clear every A2UI surface on the node's canvas" },
  args: { ...INVOKE_ARGS },
  async run({ args }) {
    await invokeCanvas(args, () => ({ command: "canvas.a2ui.reset", params: {} }));
  },
});

/** `openclaw nodes canvas …`. */
export const nodesCanvasCommand = defineCommand({
  meta: { name: "canvas", description: "Drive a node's canvas: present, hide, navigate, A2UI push and reset" },
  subCommands: {
    present,
    hide,
    navigate,
    a2ui: defineCommand({ meta: { name: "a2ui", description: "Push or reset A2UI v0.8 surfaces on a node's canvas" }, subCommands: { push, reset } }),
  },
});

/**
 * The JSONL a `--text` push sends: one surface `main` with a Column root holding one Text, then
 * beginRendering. Pure.
 */
export function buildTextJsonl(text: string): string {
  const messages = [
    {
      surfaceUpdate: {
        surfaceId: "main",
        components: [
          { id: "root", component: { Column: { children: { explicitList: ["text"] } } } },
          { id: "text", component: { Text: { text: { literalString: text }, usageHint: "body" } } },
        ],
      },
    },
    { beginRendering: { surfaceId: "main", root: "root" } },
  ];
  return messages.map((m) => JSON.stringify(m)).join("\n");
}

// --- internal ---

/** Resolves the node, picks the command it supports, invokes it, prints the node's payload. */
async function invokeCanvas(args: InvokeArgs, pick: (node: { nodeId: string; commands: string[] }) => { command: string; params: unknown }): Promise<void> {
  const invokeTimeoutMs = parseTimeout(args["invoke-timeout"], 30_000);
  const result = await withCalls(args, async (call: Call) => {
    const node = await resolveNode(call, args.node);
    const { command, params } = pick(node);
    return call<{ nodeId: string; command: string; payload?: unknown }>(
      "node.invoke",
      { nodeId: node.nodeId, command, params, timeoutMs: invokeTimeoutMs, idempotencyKey: crypto.randomUUID() },
      // The gateway answers after the node does (or its timeout); leave room for the round trip.
      invokeTimeoutMs + parseTimeout(args.timeout),
    );
  });
  if (args.json) return printJson(result);
  if (result.payload === undefined || result.payload === null) process.stdout.write(`ok: ${result.command} on ${result.nodeId}\n`);
  else printJson(result.payload);
}

async function readJsonl(path: string): Promise<string> {
  try {
    return path === "-" ? await Bun.stdin.text() : await Bun.file(path).text();
  } catch (err) {
    throw new CliError(`Cannot read --jsonl ${path}: ${(err as Error).message}`);
  }
}

/**
 * Parses and validates A2UI JSONL. @returns the messages.
 * @throws CliError listing the problems, each naming its line.
 */
function checkJsonl(jsonl: string, source: string): unknown[] {
  // parseA2uiJsonl validates every line too: its errors are the whole story.
  const { messages, errors: problems } = parseA2uiJsonl(jsonl);
  if (problems.length === 0 && messages.length === 0) problems.push("no A2UI messages");
  if (problems.length === 0) return messages;
  const shown = problems.slice(0, MAX_SHOWN_PROBLEMS).map((p) => `  - ${p.replace(/^A2UI:?\s+/, "")}`);
  if (problems.length > MAX_SHOWN_PROBLEMS) shown.push(`  (+${problems.length - MAX_SHOWN_PROBLEMS} more)`);
  throw new CliError(`Invalid A2UI in ${source}:\n${shown.join("\n")}`, { hint: "A2UI v0.8: one JSON object per line, each with exactly one of beginRendering, surfaceUpdate, dataModelUpdate, deleteSurface." });
}
