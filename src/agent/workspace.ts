/**
 * The agent workspace and the system prompt built from it (spec agent.md §2): bootstrap files `AGENTS.md`,
 * `SOUL.md`, `TOOLS.md`, `IDENTITY.md`, `USER.md` (+ `HEARTBEAT.md`, `BOOTSTRAP.md` when present), each cut
 * at 20 000 characters, followed by date/time, runtime and channel context.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveAgentWorkspace } from "../config/paths.ts";
import { formatSkillsPrompt, type PromptSkill } from "../skills/index.ts";

/** Files always looked for; missing ones are named in the prompt. */
export const BOOTSTRAP_FILES = ["AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md"] as const;
/** Files injected only when present. */
export const OPTIONAL_BOOTSTRAP_FILES = ["HEARTBEAT.md", "BOOTSTRAP.md"] as const;
/** Per-file cap, in characters. */
export const BOOTSTRAP_MAX_CHARS = 20_000;

/** One bootstrap file as injected. */
export interface BootstrapFile {
  name: string;
  /** undefined when the file is missing. */
  content?: string;
  truncated: boolean;
}

/** The workspace dir of an agent (config/paths.ts owns the rule; the CLI needs it too). */
export const resolveWorkspace = resolveAgentWorkspace;

/** Reads the bootstrap files of `dir`; unreadable files count as missing. Never throws. */
export function loadBootstrapFiles(dir: string): BootstrapFile[] {
  const out: BootstrapFile[] = [];
  for (const name of [...BOOTSTRAP_FILES, ...OPTIONAL_BOOTSTRAP_FILES]) {
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      text = undefined;
    }
    if (text === undefined && (OPTIONAL_BOOTSTRAP_FILES as readonly string[]).includes(name)) continue;
    if (text === undefined) {
      out.push({ name, truncated: false });
      continue;
    }
    const cut = truncateMiddle(text, BOOTSTRAP_MAX_CHARS);
    out.push({ name, content: cut, truncated: cut.length !== text.length });
  }
  return out;
}

/** Context for {@link buildSystemPrompt}. */
export interface PromptContext {
  agentId: string;
  agentName?: string;
  workspace: string;
  files: BootstrapFile[];
  sessionKey: string;
  /** Where the message came from: `webchat`, `cli`, `whatsapp`, … */
  channel: string;
  toolNames: string[];
  /** Eligible skills; listed only when `read` is among the tools (the model opens them with it). */
  skills?: PromptSkill[];
  now: Date;
  extra?: string;
}

/** Builds the system prompt text. Pure. */
export function buildSystemPrompt(ctx: PromptContext): string {
  const lines: string[] = [];
  lines.push(`You are ${ctx.agentName ? `${ctx.agentName}, ` : ""}a personal assistant running inside OpenClaw (agent "${ctx.agentId}").`);
  lines.push("", "## Tools");
  lines.push(ctx.toolNames.length > 0 ? `Available tools: ${ctx.toolNames.join(", ")}. Use them only when they help answer.` : "No tools are available in this session.");
  lines.push("You cannot run shell commands.");
  lines.push("", "## Workspace", `Your workspace directory is ${ctx.workspace}.`);
  const present = ctx.files.filter((f) => f.content !== undefined);
  const missing = ctx.files.filter((f) => f.content === undefined).map((f) => f.name);
  if (present.length > 0) {
    lines.push("", "# Project Context", "The following workspace files are loaded:");
    for (const f of present) lines.push("", `## ${f.name}`, "", (f.content as string).trimEnd());
  }
  if (missing.length > 0) lines.push("", `(Missing workspace files: ${missing.join(", ")})`);
  if (ctx.skills?.length && ctx.toolNames.includes("read")) lines.push("", formatSkillsPrompt(ctx.skills));
  lines.push("", "## Current Date & Time", `${formatLocal(ctx.now)} (${Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local"}); UTC ${ctx.now.toISOString()}`);
  lines.push("", "## Runtime", `session: ${ctx.sessionKey}`, `channel: ${ctx.channel}`);
  if (ctx.extra?.trim()) lines.push("", ctx.extra.trim());
  return lines.join("\n");
}

/** Keeps the head (70%) and tail (20%) of a long text with a marker between. */
export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.7);
  const tail = Math.floor(max * 0.2);
  return `${text.slice(0, head)}\n\n…[truncated ${text.length - head - tail} chars]…\n\n${text.slice(text.length - tail)}`;
}

function formatLocal(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  return `${days[d.getDay()]}, ${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
