/** Reading `launchctl` output: which failures mean "not loaded", and the `print` runtime fields. */
import type { CommandResult, ServiceRuntime } from "../service.ts";

/**
 * True when launchctl failed because the job is not loaded. Texts seen in the wild:
 * `Boot-out failed: 3: No such process`, `Could not find service "x" in domain for port`,
 * `Boot-out failed: 113: Could not find specified service`.
 */
export function isNotLoaded(res: CommandResult): boolean {
  const text = `${res.stderr}\n${res.stdout}`.toLowerCase();
  return res.code !== 0 && (text.includes("no such process") || text.includes("could not find service") || text.includes("could not find specified service") || text.includes("not found"));
}

/** `Bootstrap failed: 125: Domain does not support specified action`: no GUI session (SSH, headless). */
export function isNoGuiSession(res: CommandResult): boolean {
  const text = `${res.stderr}\n${res.stdout}`.toLowerCase();
  return text.includes("domain does not support specified action") || text.includes("bootstrap failed: 125") || text.includes("could not find domain for user gui");
}

/**
 * `Bootstrap failed: 5: Input/output error` right after a bootout: launchd has not finished tearing the
 * old job down (or it is still loaded). Retrying shortly after usually succeeds.
 */
export function isBootstrapBusy(res: CommandResult): boolean {
  const text = `${res.stderr}\n${res.stdout}`.toLowerCase();
  return text.includes("input/output error") || text.includes("bootstrap failed: 5:") || text.includes("operation already in progress");
}

/**
 * Parses `launchctl print <domain>/<label>`: `state = running`, `pid = 123`, `last exit code = 1`
 * (or `(never exited)`), `last exit reason`. Only the job's top-level fields (one tab) are read.
 */
export function parsePrint(output: string): ServiceRuntime {
  const fields = new Map<string, string>();
  for (const m of output.matchAll(/^\t([^\t\n=]+?) = (.*)$/gm)) if (!fields.has(m[1])) fields.set(m[1], m[2].trim());
  const state = fields.get("state");
  const pid = Number(fields.get("pid"));
  const exit = fields.get("last exit code") ?? fields.get("last exit status");
  const runtime: ServiceRuntime = { status: state === "running" || (Number.isInteger(pid) && pid > 0) ? "running" : "stopped" };
  if (state) runtime.state = state;
  if (Number.isInteger(pid) && pid > 0) runtime.pid = pid;
  const code = exit === undefined ? Number.NaN : Number.parseInt(exit, 10);
  if (Number.isInteger(code)) runtime.lastExitStatus = code;
  const reason = fields.get("last exit reason") ?? (exit && /:\s*(.+)$/.exec(exit)?.[1]);
  if (reason) runtime.lastExitReason = reason;
  return runtime;
}
