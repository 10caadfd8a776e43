/**
 * `openclaw approvals get|set|allowlist add|remove` (alias `exec-approvals`): the exec approvals file of the
 * gateway host, or of a connected node with `--node`, read and replaced through the running gateway. Every
 * write sends the hash of what was read, so a concurrent edit is refused instead of overwritten.
 */
import { defineCommand } from "citty";
import JSON5 from "json5";
import { CliError } from "../../errors.ts";
import type { ExecApprovalsAgent, ExecApprovalsFile, ExecApprovalsSnapshot } from "../../store/exec-approvals.ts";
import { type Call, formatAge, printTable, withCalls } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";
import { resolveNode } from "./nodes.ts";

const TARGET_ARGS = {
  node: { type: "string", description: "Target node id, name or IP (default: the gateway host)" },
  gateway: { type: "boolean", description: "Target the gateway host (the default; kept for upstream compatibility)" },
} as const;

const AGENT_ARG = { agent: { type: "string", description: 'Agent id (default "*": every agent)' } } as const;
const PATTERN_ARG = { pattern: { type: "positional", description: "Glob pattern of an executable path, e.g. ~/bin/rg or /usr/bin/*", required: true } } as const;

const get = defineCommand({
  meta: { name: "get", description: "Show the exec approvals: defaults, agents and allowlists" },
  args: { ...TARGET_ARGS, ...RPC_ARGS },
  async run({ args }) {
    const { snapshot, label } = await withCalls(args, async (call) => {
      const target = await resolveTarget(call, args);
      return { snapshot: await load(call, target), label: target.label };
    });
    if (args.json) return printJson(snapshot);
    printSnapshot(snapshot, label);
  },
});

const set = defineCommand({
  meta: { name: "set", description: "Replace the exec approvals with a JSON (or JSON5) file" },
  args: {
    file: { type: "string", description: "File to upload" },
    stdin: { type: "boolean", description: "Read the file from stdin" },
    ...TARGET_ARGS,
    ...RPC_ARGS,
  },
  async run({ args }) {
    if (!args.file === !args.stdin) throw new CliError(args.file ? "Use either --file or --stdin, not both." : "Provide --file <path> or --stdin.");
    const file = parseApprovalsText(args.stdin ? await Bun.stdin.text() : await readText(args.file as string), args.file ?? "stdin");
    const { snapshot, label } = await withCalls(args, async (call) => {
      const target = await resolveTarget(call, args);
      const current = await load(call, target);
      return { snapshot: await save(call, target, file, current.hash), label: target.label };
    });
    if (args.json) return printJson(snapshot);
    printSnapshot(snapshot, label);
  },
});

const allowlistAdd = defineCommand({
  meta: { name: "add", description: "Add a pattern to an agent's allowlist" },
  args: { ...PATTERN_ARG, ...AGENT_ARG, ...TARGET_ARGS, ...RPC_ARGS },
  async run({ args }) {
    await editAllowlist(args, (file, agent, pattern) => addAllowlistPattern(file, agent, pattern), "Already allowlisted.");
  },
});

const allowlistRemove = defineCommand({
  meta: { name: "remove", description: "Remove a pattern from an agent's allowlist" },
  args: { ...PATTERN_ARG, ...AGENT_ARG, ...TARGET_ARGS, ...RPC_ARGS },
  async run({ args }) {
    await editAllowlist(args, (file, agent, pattern) => removeAllowlistPattern(file, agent, pattern), "Pattern not found.");
  },
});

const allowlist = defineCommand({
  meta: { name: "allowlist", description: "Edit an agent's allowlist of executables" },
  subCommands: { add: allowlistAdd, remove: allowlistRemove },
});

/** The `approvals` command tree. */
export const approvalsCommand = defineCommand({
  meta: { name: "approvals", description: "Exec approvals of the gateway host or a node: get, set, allowlist" },
  subCommands: { get, set, allowlist },
});

/**
 * Adds `pattern` to `agent`'s allowlist (creating the agent entry), unless an entry with that pattern is
 * there already. Mutates `file`.
 * @returns false when nothing changed.
 */
export function addAllowlistPattern(file: ExecApprovalsFile, agent: string, pattern: string): boolean {
  const entry = (file.agents ??= {})[agent] ?? {};
  const list = Array.isArray(entry.allowlist) ? entry.allowlist : [];
  if (list.some((e) => e.pattern?.trim() === pattern)) return false;
  file.agents[agent] = { ...entry, allowlist: [...list, { pattern, lastUsedAt: Date.now() }] };
  return true;
}

/**
 * Removes `pattern` from `agent`'s allowlist; an agent left with no allowlist and no policy is dropped.
 * Mutates `file`.
 * @returns false when the pattern was not there.
 */
export function removeAllowlistPattern(file: ExecApprovalsFile, agent: string, pattern: string): boolean {
  const entry = file.agents?.[agent];
  const list = Array.isArray(entry?.allowlist) ? entry.allowlist : [];
  const kept = list.filter((e) => e.pattern?.trim() !== pattern);
  if (!file.agents || !entry || kept.length === list.length) return false;
  const { allowlist: _, ...rest } = entry;
  const next: ExecApprovalsAgent = kept.length > 0 ? { ...rest, allowlist: kept } : rest;
  if (Object.values(next).every((v) => v === undefined)) delete file.agents[agent];
  else file.agents[agent] = next;
  return true;
}

/**
 * Parses an approvals file given on the command line (JSON or JSON5); `version` is set to 1.
 * @throws CliError when the text does not parse or is not an object.
 */
export function parseApprovalsText(text: string, source: string): ExecApprovalsFile {
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (err) {
    throw new CliError(`Could not parse ${source}: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CliError(`${source} must hold a JSON object.`);
  return { ...(parsed as ExecApprovalsFile), version: 1 };
}

// --- internal ---

interface Target {
  nodeId?: string;
  label: string;
}

async function resolveTarget(call: Call, args: { node?: string; gateway?: boolean }): Promise<Target> {
  if (args.gateway || !args.node?.trim()) return { label: "gateway" };
  const nodeId = (await resolveNode(call, args.node)).nodeId;
  return { nodeId, label: `node:${nodeId}` };
}

function load(call: Call, target: Target): Promise<ExecApprovalsSnapshot> {
  return target.nodeId ? call("exec.approvals.node.get", { nodeId: target.nodeId }) : call("exec.approvals.get", {});
}

function save(call: Call, target: Target, file: ExecApprovalsFile, baseHash: string): Promise<ExecApprovalsSnapshot> {
  return target.nodeId ? call("exec.approvals.node.set", { nodeId: target.nodeId, file, baseHash }) : call("exec.approvals.set", { file, baseHash });
}

async function editAllowlist(
  args: { pattern: string; agent?: string; node?: string; gateway?: boolean; json?: boolean; url?: string; token?: string; password?: string; timeout?: string },
  edit: (file: ExecApprovalsFile, agent: string, pattern: string) => boolean,
  unchanged: string,
): Promise<void> {
  const pattern = args.pattern.trim();
  if (!pattern) throw new CliError("Pattern required.");
  const agent = args.agent?.trim() || "*";
  const result = await withCalls(args, async (call) => {
    const target = await resolveTarget(call, args);
    const current = await load(call, target);
    const file: ExecApprovalsFile = { ...structuredClone(current.file ?? {}), version: 1 };
    if (!edit(file, agent, pattern)) return undefined;
    return { snapshot: await save(call, target, file, current.hash), label: target.label };
  });
  if (!result) return void process.stdout.write(`${unchanged}\n`);
  if (args.json) return printJson(result.snapshot);
  printSnapshot(result.snapshot, result.label);
}

async function readText(path: string): Promise<string> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new CliError(`No such file: ${path}`);
  return file.text();
}

function printSnapshot(s: ExecApprovalsSnapshot, label: string): void {
  const file = s.file ?? {};
  const d = file.defaults ?? {};
  const defaults = [
    d.security && `security=${d.security}`,
    d.ask && `ask=${d.ask}`,
    d.askFallback && `askFallback=${d.askFallback}`,
    typeof d.autoAllowSkills === "boolean" && `autoAllowSkills=${d.autoAllowSkills ? "on" : "off"}`,
  ].filter(Boolean);
  const agents = Object.entries(file.agents ?? {});
  const rows = agents.flatMap(([id, a]) => (Array.isArray(a.allowlist) ? a.allowlist : []).filter((e) => e.pattern?.trim()).map((e) => [id, e.pattern, typeof e.lastUsedAt === "number" ? formatAge(e.lastUsedAt) : "-"]));
  const fields: [string, string][] = [
    ["Target", label],
    ["Path", s.path],
    ["Exists", s.exists ? "yes" : "no"],
    ["Hash", s.hash],
    ["Version", String(file.version ?? 1)],
    ["Socket", file.socket?.path ?? "default"],
    ["Defaults", defaults.join(", ") || "none"],
    ["Agents", String(agents.length)],
    ["Allowlist", String(rows.length)],
  ];
  process.stdout.write(`${fields.map(([k, v]) => `${k.padEnd(11)}${v}`).join("\n")}\n\n`);
  printTable(["AGENT", "PATTERN", "LAST USED"], rows, "No allowlist entries.");
}
