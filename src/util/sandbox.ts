/**
 * The bubblewrap sandbox of the `sandbox` exec host (Linux): the workspace read-write at its own path, system
 * folders read-only, a few /etc files, fresh tmpfs /tmp and HOME (the real home and other users' files are
 * not mounted at all), every namespace unshared (no network unless asked), the sandbox dies with the gateway.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { accessSync, constants, existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Whether the sandbox host can run here, and why not. */
export interface SandboxStatus {
  available: boolean;
  /** Absolute path of bwrap when found. */
  bwrapPath?: string;
  /** Why it is unavailable (or "bubblewrap works" when available). */
  reason: string;
}

/** Options of a sandboxed run. */
export interface SandboxOptions {
  /** Folder mounted read-write at its own path. */
  workspace: string;
  /** Working directory inside the sandbox (inside the workspace). */
  workdir: string;
  /** `tools.exec.sandbox.network`: share the host network (off by default). */
  network?: boolean;
  /** Address-space limit in MiB applied with `ulimit -v` inside; 0 = none. */
  memoryLimitMb?: number;
}

/** HOME inside the sandbox: on a fresh tmpfs. */
export const SANDBOX_HOME = "/home/sandbox";
/** Address space allowed when the config sets none: roomy enough for compilers and JS runtimes. */
export const DEFAULT_SANDBOX_MEMORY_MB = 8192;
/** PATH inside the sandbox. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** System folders mounted read-only when present (a symlinked one, as on merged-/usr systems, becomes a symlink). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** /etc entries the sandbox needs; everything else in /etc (shadow, ssh keys, app configs) stays out. */
const ETC_FILES = ["/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf", "/etc/ssl", "/etc/ca-certificates", "/etc/ca-certificates.conf", "/etc/pki"];
/** Name resolution files, mounted only when the network is shared. */
const ETC_NET_FILES = ["/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf"];

let cached: SandboxStatus | undefined;

/**
 * Whether the sandbox host works here: Linux, `bwrap` on PATH, and a probe run with the real mount set
 * succeeding (containers often forbid the user namespaces bwrap needs). Probed once and cached.
 * @returns a copy of the status; never throws.
 */
export function sandboxStatus(opts: { refresh?: boolean } = {}): SandboxStatus {
  if (!cached || opts.refresh) cached = probe();
  // A copy: the cache decides which binary runs, so callers must not be able to change it.
  return { ...cached };
}

/**
 * The argv that runs `command` through `shell -c` inside the sandbox. The shell is the user's when it lives
 * in a mounted system folder, else /bin/sh.
 * @throws Error when the sandbox is unavailable.
 */
export function buildSandboxArgv(command: string, shell: string, opts: SandboxOptions): string[] {
  const status = sandboxStatus();
  if (!status.available || !status.bwrapPath) throw new Error(`exec sandbox unavailable: ${status.reason}`);
  return [status.bwrapPath, ...bwrapArgs(opts), "--", ...innerCommand(command, shell, opts.memoryLimitMb ?? DEFAULT_SANDBOX_MEMORY_MB)];
}

/** Environment of a sandboxed process: a fixed base plus the caller's variables (nothing of the gateway's). */
export function sandboxEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: SANDBOX_PATH, HOME: SANDBOX_HOME, TMPDIR: "/tmp", LANG: process.env.LANG ?? "C.UTF-8", TERM: "dumb", USER: "sandbox", SHELL: "/bin/sh", ...extra };
}

// --- internal ---

function bwrapArgs(opts: SandboxOptions): string[] {
  const args = ["--unshare-all", ...(opts.network ? ["--share-net"] : []), "--die-with-parent", "--new-session", "--cap-drop", "ALL"];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  for (const f of [...ETC_FILES, ...(opts.network ? ETC_NET_FILES : [])]) args.push("--ro-bind-try", f, f);
  const etc = minimalEtc();
  args.push("--ro-bind", join(etc, "passwd"), "/etc/passwd", "--ro-bind", join(etc, "group"), "/etc/group");
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home", "--dir", SANDBOX_HOME);
  // Bound last so a workspace under /tmp or /home shows through the fresh tmpfs mounted above.
  args.push("--bind", opts.workspace, opts.workspace, "--remount-ro", "/", "--chdir", opts.workdir);
  return args;
}

function innerCommand(command: string, shell: string, memoryLimitMb: number): string[] {
  const sh = SYSTEM_DIRS.some((d) => shell.startsWith(`${d}/`)) && existsSync(shell) ? shell : "/bin/sh";
  if (!(memoryLimitMb > 0)) return [sh, "-c", command];
  // ulimit is a shell builtin, so a tiny /bin/sh wrapper sets it and then execs the real shell.
  return ["/bin/sh", "-c", 'ulimit -v "$1" 2>/dev/null; shift; exec "$@"', "sh", String(Math.floor(memoryLimitMb * 1024)), sh, "-c", command];
}

let etcDir: string | undefined;

/** passwd/group listing only root, the sandbox user and nobody, written once per gateway process. */
function minimalEtc(): string {
  if (etcDir && existsSync(join(etcDir, "group"))) return etcDir;
  const dir = mkdtempSync(join(tmpdir(), "openclaw-sandbox-etc-"));
  etcDir = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const users = [`root:x:0:0:root:${uid === 0 ? SANDBOX_HOME : "/root"}:/bin/sh`];
  const groups = ["root:x:0:"];
  if (uid !== 0) users.push(`sandbox:x:${uid}:${gid}:sandbox:${SANDBOX_HOME}:/bin/sh`);
  if (gid !== 0) groups.push(`sandbox:x:${gid}:`);
  users.push("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");
  groups.push("nogroup:x:65534:");
  writeFileSync(join(dir, "passwd"), `${users.join("\n")}\n`, { mode: 0o644 });
  writeFileSync(join(dir, "group"), `${groups.join("\n")}\n`, { mode: 0o644 });
  return dir;
}

function probe(): SandboxStatus {
  if (process.platform !== "linux") return { available: false, reason: `bubblewrap sandbox needs Linux (this is ${process.platform})` };
  const bwrapPath = findOnPath("bwrap");
  if (!bwrapPath) return { available: false, reason: "bwrap not found on PATH (install the bubblewrap package)" };
  const ws = mkdtempSync(join(tmpdir(), "openclaw-sandbox-probe-"));
  let r: SpawnSyncReturns<string>;
  try {
    r = spawnSync(bwrapPath, [...bwrapArgs({ workspace: ws, workdir: ws }), "--", "/bin/sh", "-c", "exit 0"], { timeout: 10_000, encoding: "utf8", env: sandboxEnv() });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
  if (r.error) return { available: false, bwrapPath, reason: `bwrap did not run: ${r.error.message}` };
  if (r.status !== 0) {
    const why = (r.stderr || "").trim().split("\n").pop() || `exit ${r.status ?? r.signal}`;
    return { available: false, bwrapPath, reason: `bwrap cannot create its namespaces here: ${why}` };
  }
  return { available: true, bwrapPath, reason: "bubblewrap works" };
}

/** First executable `name` on the gateway's PATH, or undefined. */
export function findOnPath(name: string, pathVar = process.env.PATH ?? ""): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (!lstatSync(candidate).isDirectory()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
