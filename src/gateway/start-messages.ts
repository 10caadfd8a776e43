/**
 * Texts the daemon prints when it starts or refuses to: who holds a busy port, how to stop the gateway that
 * already runs, and how to call this binary, so every printed command works as printed.
 */
import { realpathSync } from "node:fs";
import { relative, sep } from "node:path";
import { listPortListeners } from "../util/port-listeners.ts";

/**
 * "Port 19001 is already in use by PID 4242 (node)"; falls back to the server's own message when lsof is missing
 * or saw nobody (the holder may belong to another user).
 */
export function describePortInUse(port: number, serverMessage: string): string {
  const holders = listPortListeners(port);
  if (!holders || holders.length === 0) return `Port ${port} is already in use (${serverMessage}); lsof could not name the holder`;
  return `Port ${port} is already in use by ${holders.map((h) => `PID ${h.pid} (${h.command || "unknown program"})`).join(", ")}`;
}

/** How to stop the gateway that holds this state dir's lock: the service command only when a service runs it. */
export function describeStopHint(pid: number, supervised: boolean): string {
  if (supervised) return `A service runs it: stop it with \`${cliInvocation()}${profileFlag()} gateway stop\`.`;
  return `It runs in the foreground (not as a service): stop it with Ctrl-C in its terminal, or \`kill ${pid}\`.`;
}

/**
 * How a user calls this binary from the current directory: `openclaw` when that name on PATH is this file,
 * `./dist/openclaw` when it lies below the working directory, else its absolute path. Under `bun src/main.ts`:
 * `bun /abs/src/main.ts`.
 */
export function cliInvocation(cwd = process.cwd()): string {
  const compiled = Bun.main.startsWith("/$bunfs/") || /^[A-Z]:[\\/]~BUN[\\/]/i.test(Bun.main);
  if (!compiled) return `${quote(process.execPath)} ${quote(Bun.main)}`;
  const self = realOrSame(process.execPath);
  const onPath = Bun.which("openclaw");
  if (onPath && realOrSame(onPath) === self) return "openclaw";
  const rel = relative(cwd, process.execPath);
  if (rel && !rel.startsWith("..") && !rel.startsWith(sep)) return quote(`.${sep}${rel}`);
  return quote(process.execPath);
}

// --- internal ---

function profileFlag(): string {
  const p = process.env.OPENCLAW_PROFILE;
  if (!p || p === "default") return "";
  return p === "dev" ? " --dev" : ` --profile ${p}`;
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
