/**
 * Lingering: without it systemd stops a user's services when their last session ends (logout, SSH
 * disconnect) and starts them only at the next login, not at boot.
 */
import { detailOf } from "../_runner.ts";
import type { CommandRunner } from "../service.ts";

/** Whether lingering is on for `user`: `yes`, `no`, or `unknown` when loginctl is missing or fails oddly. */
export async function readLinger(run: CommandRunner, user: string): Promise<"yes" | "no" | "unknown"> {
  const res = await run("loginctl", ["show-user", user, "-p", "Linger"]);
  if (res.missing) return "unknown";
  const m = /^Linger=(yes|no)$/m.exec(res.stdout);
  if (m) return m[1] as "yes" | "no";
  // "Failed to get user: User ID 1000 is not logged in or lingering" means: no session and no linger.
  if (/not logged in or lingering|no such user|not logged in/i.test(res.stderr)) return "no";
  return "unknown";
}

/** The exact command a user should run when we could not enable lingering ourselves. */
export function lingerCommand(user: string): string {
  return `sudo loginctl enable-linger ${user}`;
}

/**
 * Turns lingering on: `loginctl enable-linger` (polkit lets users do it for themselves on most distros),
 * then `sudo -n` (never prompts) when not root.
 * @returns `{ ok: true }`, or `{ ok: false, detail }` with the last tool's text.
 */
export async function enableLinger(run: CommandRunner, user: string, uid: number): Promise<{ ok: boolean; detail?: string }> {
  const direct = await run("loginctl", ["enable-linger", user]);
  if (direct.code === 0) return { ok: true };
  if (direct.missing) return { ok: false, detail: "loginctl not found" };
  if (uid === 0) return { ok: false, detail: detailOf(direct) };
  const sudo = await run("sudo", ["-n", "loginctl", "enable-linger", user]);
  if (sudo.code === 0) return { ok: true };
  return { ok: false, detail: sudo.missing ? detailOf(direct) : detailOf(sudo) };
}
