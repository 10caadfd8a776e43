/**
 * Process facts read from /proc (Linux only): resident memory, CPU time, process-group members; plus a
 * free-port helper and CPU pinning through `taskset`.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { median } from "./stats.ts";

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** VmRSS of `pid` in KiB, or undefined when the process is gone. */
export function readRssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Median of 5 VmRSS readings 100 ms apart, in KiB (smooths a GC landing on one reading); NaN when gone. */
export async function sampleRssKb(pid: number): Promise<number> {
  const v: number[] = [];
  for (let i = 0; i < 5; i++) {
    v.push(readRssKb(pid) ?? Number.NaN);
    if (i < 4) await Bun.sleep(100);
  }
  return median(v);
}

/** VmRSS split into anonymous (heap, stacks) and file-backed (mapped executable and libraries) KiB. */
export function readRssSplitKb(pid: number): { anonKb: number; fileKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const anon = /RssAnon:\s+(\d+) kB/.exec(text);
    const file = /RssFile:\s+(\d+) kB/.exec(text);
    return anon && file ? { anonKb: Number(anon[1]), fileKb: Number(file[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU time of `pid` in ms, or undefined when the process is gone. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Process group of `pid`, or undefined when gone. */
export function readPgid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

/** Pids whose process group is `pgid`. */
export function listProcessGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(rest[2]) === pgid && rest[0] !== "Z") out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The command line of `pid` (NULs as spaces), or "" when gone. */
export function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** An environment variable of another process (needs same uid), or undefined. */
export function readProcEnv(pid: number, key: string): string | undefined {
  try {
    for (const kv of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
      if (kv.startsWith(`${key}=`)) return kv.slice(key.length + 1);
    }
  } catch {
    // gone or not ours
  }
  return undefined;
}

/** The CPU list a process may run on, as `taskset -p` reports it (e.g. "0"), or "?" when unknown. */
export function readAffinity(pid: number): string {
  try {
    const m = /Cpus_allowed_list:\s+(\S+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? m[1] : "?";
  } catch {
    return "?";
  }
}

/** Path of `taskset`, or undefined when util-linux is missing (then nothing is pinned). */
export function findTaskset(): string | undefined {
  for (const p of ["/usr/bin/taskset", "/bin/taskset", "/usr/local/bin/taskset"]) if (existsSync(p)) return p;
  return Bun.which("taskset") ?? undefined;
}

/** Prefixes `cmd` with `taskset -c <cpu>` when pinning is available. */
export function pinned(cmd: string[], cpu: number | undefined): string[] {
  const taskset = findTaskset();
  return cpu === undefined || !taskset ? cmd : [taskset, "-c", String(cpu), ...cmd];
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Busy CPU time of the whole machine in ms (all cores; /proc/stat minus idle and iowait). */
export function readMachineBusyMs(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return ((total - f[3] - f[4]) * 1000) / TICKS_PER_SECOND;
}

/**
 * Samples `pid`'s CPU time around `fn`, the load generator's own CPU time, and the whole machine's.
 * @returns fn's result plus utilisations in percent of one core over the wall time; `otherCpuPct` is what
 * the rest of the machine used meanwhile (other people's work on a shared box shows up here).
 */
export async function measureCpu<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; serverCpuPct: number; loadgenCpuPct: number; otherCpuPct: number; wallMs: number }> {
  const s0 = readCpuMs(pid) ?? 0;
  const l0 = process.cpuUsage();
  const m0 = readMachineBusyMs();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const s1 = readCpuMs(pid) ?? s0;
  const l1 = process.cpuUsage(l0);
  const m1 = readMachineBusyMs();
  const serverMs = s1 - s0;
  const loadgenMs = (l1.user + l1.system) / 1000;
  return {
    result,
    wallMs,
    serverCpuPct: Math.round((serverMs / wallMs) * 100),
    loadgenCpuPct: Math.round((loadgenMs / wallMs) * 100),
    otherCpuPct: Math.max(0, Math.round(((m1 - m0 - serverMs - loadgenMs) / wallMs) * 100)),
  };
}

/**
 * Proportional set size of `pid` in KiB (/proc/<pid>/smaps_rollup): its private pages plus its share of pages
 * mapped by several processes, so N copies of one binary count the binary's pages once in all. Undefined when gone.
 */
export function readPssKb(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
