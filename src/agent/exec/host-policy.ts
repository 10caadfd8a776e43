/**
 * Decides whether a command may run on the gateway host, from the exec approvals file: the policy in effect
 * for an agent (agent entry, then `"*"`, then `defaults`, then the safe built-in defaults), allowlist matching
 * of every simple command's resolved executable, and the stdin-only safe bins.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { ExecAllowlistEntry, ExecApprovalsFile, EXEC_ASK_VALUES, EXEC_SECURITY_VALUES } from "../../store/exec-approvals.ts";
import { findOnPath } from "../../util/sandbox.ts";
import { parseShellCommands } from "./shell-words.ts";

export type ExecSecurity = (typeof EXEC_SECURITY_VALUES)[number];
export type ExecAsk = (typeof EXEC_ASK_VALUES)[number];

/** The policy of one agent on the gateway host. */
export interface HostPolicy {
  security: ExecSecurity;
  ask: ExecAsk;
  askFallback: ExecSecurity;
  allowlist: ExecAllowlistEntry[];
}

/**
 * A fresh install: allowlist mode with an empty allowlist, ask on a miss, refuse when nobody answers. So every
 * host command needs an approval until someone allowlists it or chooses `security: "full"`.
 */
export const DEFAULT_HOST_POLICY: Omit<HostPolicy, "allowlist"> = { security: "allowlist", ask: "on-miss", askFallback: "deny" };

/**
 * Binaries that only filter their stdin, allowed in allowlist mode without an entry (upstream's default
 * `tools.exec.safeBins`). Their arguments may not name files (see {@link isSafeBinUse}).
 */
export const DEFAULT_SAFE_BINS: readonly string[] = ["jq", "grep", "cut", "sort", "uniq", "head", "tail", "tr", "wc"];

/** Options that make a safe bin read or write files or run programs: such a use is no longer stdin-only. */
const SAFE_BIN_FORBIDDEN: Record<string, { long: string[]; short: string }> = {
  grep: { long: ["--file", "--recursive", "--dereference-recursive", "--directories", "--devices", "--exclude-from"], short: "frRdD" },
  sort: { long: ["--output", "--compress-program", "--temporary-directory", "--files0-from", "--random-source"], short: "oT" },
  wc: { long: ["--files0-from"], short: "" },
  jq: { long: ["--from-file", "--rawfile", "--slurpfile", "--library-path", "--args", "--jsonargs", "--run-tests"], short: "fL" },
  uniq: { long: [], short: "" },
  cut: { long: [], short: "" },
  head: { long: [], short: "" },
  tail: { long: ["--follow", "--pid"], short: "fF" },
  tr: { long: [], short: "" },
};

/** The policy in effect for `agentId`. Pure. */
export function resolveHostPolicy(file: ExecApprovalsFile, agentId: string): HostPolicy {
  const agent = file.agents?.[agentId];
  const wildcard = file.agents?.["*"];
  const pick = <K extends "security" | "ask" | "askFallback">(k: K) => agent?.[k] ?? wildcard?.[k] ?? file.defaults?.[k] ?? DEFAULT_HOST_POLICY[k];
  return {
    security: pick("security"),
    ask: pick("ask"),
    askFallback: pick("askFallback"),
    allowlist: [...(agent?.allowlist ?? []), ...(wildcard?.allowlist ?? [])].filter((e) => typeof e.pattern === "string" && e.pattern.trim() !== ""),
  };
}

/** One simple command of the line and how the allowlist judged it. */
export interface SegmentVerdict {
  argv: string[];
  /** The executable after PATH lookup; null for builtins or names not found. */
  resolvedPath: string | null;
  /** The allowlist entry that matched, or "safe-bin". */
  matchedBy?: string;
}

/** The allowlist analysis of a command line. */
export interface AllowlistAnalysis {
  /** False when the line uses shell constructs we do not judge (then it is a miss). */
  parsed: boolean;
  reason?: string;
  segments: SegmentVerdict[];
  /** True when every simple command matched. */
  satisfied: boolean;
}

/**
 * Matches every simple command of `command` against `allowlist` (globs over the resolved path) and the safe
 * bins. Resolution uses the gateway's PATH (commands may not set their own on the host). Pure apart from
 * file-system lookups.
 */
export function analyzeAllowlist(command: string, opts: { allowlist: ExecAllowlistEntry[]; safeBins?: readonly string[]; cwd: string; pathVar?: string }): AllowlistAnalysis {
  const parsed = parseShellCommands(command);
  if (!parsed.ok) return { parsed: false, reason: parsed.reason, segments: [], satisfied: false };
  const safeBins = opts.safeBins ?? DEFAULT_SAFE_BINS;
  const segments = parsed.commands.map((cmd): SegmentVerdict => {
    const resolvedPath = resolveExecutable(cmd.argv[0]!, opts.cwd, opts.pathVar);
    if (!resolvedPath) return { argv: cmd.argv, resolvedPath: null };
    const hit = opts.allowlist.find((e) => globMatches(e.pattern, resolvedPath));
    if (hit) return { argv: cmd.argv, resolvedPath, matchedBy: hit.pattern };
    const name = cmd.argv[0]!;
    // Only a bare name found on the gateway's PATH counts as a safe bin; ./jq or /tmp/grep do not.
    if (!name.includes("/") && safeBins.includes(name) && isSafeBinUse(name, cmd.argv.slice(1), cmd.expands.slice(1), opts.cwd)) {
      return { argv: cmd.argv, resolvedPath, matchedBy: "safe-bin" };
    }
    return { argv: cmd.argv, resolvedPath };
  });
  return { parsed: true, segments, satisfied: segments.every((s) => s.matchedBy !== undefined) };
}

/** True when a safe bin's arguments keep it on stdin: no file-reading options, no path-like or existing-file operands. */
export function isSafeBinUse(bin: string, args: string[], expands: boolean[], cwd: string): boolean {
  const forbidden = SAFE_BIN_FORBIDDEN[bin] ?? { long: [], short: "" };
  let afterDashDash = false;
  // grep's pattern and jq's filter are the first operand (grep: unless -e gives it), not a file.
  let programOperand = bin === "jq" || (bin === "grep" && !args.some((a) => a === "-e" || a.startsWith("--regexp") || /^-[^-]*e/.test(a)));
  for (const [i, arg] of args.entries()) {
    if (expands[i]) return false;
    if (!afterDashDash && arg === "--") {
      afterDashDash = true;
      continue;
    }
    if (!afterDashDash && arg.startsWith("--")) {
      if (forbidden.long.some((f) => arg === f || arg.startsWith(`${f}=`))) return false;
      continue;
    }
    if (!afterDashDash && arg.startsWith("-") && arg.length > 1) {
      if ([...arg.slice(1)].some((ch) => forbidden.short.includes(ch))) return false;
      continue;
    }
    if (programOperand) {
      programOperand = false;
      // jq modules are files: a filter that imports one is not stdin-only.
      if (bin === "jq" && /\b(import|include)\b/.test(arg)) return false;
      continue;
    }
    // "." and ".." name folders; any other existing file is refused below.
    if (arg.includes("/") || arg === "." || arg === ".." || arg.startsWith("~") || arg === "-") return false;
    if (existsSync(resolve(cwd, arg))) return false;
  }
  return true;
}

/**
 * The file `name` runs: an absolute or relative path as is (relative to `cwd`), a bare name via PATH.
 * @returns the path, or null when nothing executable is found (builtins, typos).
 */
export function resolveExecutable(name: string, cwd: string, pathVar = process.env.PATH ?? ""): string | null {
  if (name.includes("/")) {
    const p = isAbsolute(name) ? name : resolve(cwd, name);
    try {
      return statSync(p).isFile() ? p : null;
    } catch {
      return null;
    }
  }
  return findOnPath(name, pathVar) ?? null;
}

/**
 * Case-insensitive glob over a path: `*` within one path segment, `**` across segments, `?` one character,
 * a leading `~` is the gateway user's home. A pattern with no `/` matches nothing (no basename matches).
 */
export function globMatches(pattern: string, path: string): boolean {
  let p = pattern.trim();
  if (p.startsWith("~")) p = homedir() + p.slice(1);
  if (!p.includes("/")) return false;
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "*" && p[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i").test(path);
}

/** What the gateway host does with a command before running it. */
export type HostDecision = { action: "run"; analysis: AllowlistAnalysis } | { action: "ask"; analysis: AllowlistAnalysis } | { action: "deny"; reason: string; analysis: AllowlistAnalysis };

/**
 * Applies `policy` to a line: `deny` refuses; `ask: always` asks; `full` runs; `allowlist` runs a full match,
 * asks on a miss when `ask` is on-miss, else refuses.
 */
export function decideHost(policy: HostPolicy, analysis: AllowlistAnalysis): HostDecision {
  if (policy.security === "deny") return { action: "deny", reason: "exec on the gateway host is denied by the exec approvals (security: deny)", analysis };
  if (policy.ask === "always") return { action: "ask", analysis };
  if (policy.security === "full" || analysis.satisfied) return { action: "run", analysis };
  if (policy.ask === "on-miss") return { action: "ask", analysis };
  return { action: "deny", reason: `command not in the allowlist (${missReason(analysis)}) and approvals are off`, analysis };
}

/**
 * What happens when an approval was asked but nobody answered: `askFallback` full runs, allowlist runs only a
 * full match, deny refuses.
 */
export function applyAskFallback(policy: HostPolicy, analysis: AllowlistAnalysis): boolean {
  return policy.askFallback === "full" || (policy.askFallback === "allowlist" && analysis.satisfied);
}

/** A short human reason for an allowlist miss. */
export function missReason(analysis: AllowlistAnalysis): string {
  if (!analysis.parsed) return `cannot judge shell construct: ${analysis.reason}`;
  const miss = analysis.segments.find((s) => !s.matchedBy);
  if (!miss) return "matched";
  return miss.resolvedPath ? `${miss.resolvedPath} is not allowlisted` : `${JSON.stringify(miss.argv[0])} is not an executable on PATH`;
}
