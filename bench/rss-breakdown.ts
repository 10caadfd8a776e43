/**
 * Where an idle gateway's memory goes, next to the bare Bun.serve limit server: starts each (fresh HOME,
 * pinned to the server core), completes one handshake, waits until idle, and splits VmRSS by mapping from
 * /proc/<pid>/smaps: the runtime's code (.text of the executable), its read-only data (.rodata), the rest of
 * the executable (data and, for ours, the `.bun` section: our modules' source and bytecode), the JS heap
 * and other anonymous memory, and shared libraries. Each server is also run with the JIT tiers turned off
 * (BUN_JSC_useDFGJIT=0, BUN_JSC_useJIT=0) to show how much of the code and heap the optimizing compilers take.
 * Writes bench/results/rss-breakdown.md.
 *
 *   bun bench/rss-breakdown.ts [--binary dist/openclaw]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connectClient } from "./lib/client.ts";
import { readRssSplitKb } from "./lib/proc.ts";
import { waitQuiet } from "./lib/quiet.ts";
import { pinToLoadgenCpu, SERVER_CPU, writeResult } from "./lib/script.ts";
import { startServer, type ServerSources } from "./lib/servers.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { binary: { type: "string" } } });
const pinning = await pinToLoadgenCpu(import.meta.path);
const root = join(import.meta.dir, "..");

/** Resident KiB by part. */
interface Breakdown {
  totalKb: number;
  anonKb: number;
  fileKb: number;
  parts: Record<string, number>;
}

/** Splits a process's resident memory by what each mapping holds. */
function breakdown(pid: number, exe: string): Breakdown {
  const elf = sectionOffsets(exe);
  const parts: Record<string, number> = {};
  let current = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const offset = Number.parseInt(head[1] as string, 16);
      const name = (head[2] ?? "").trim();
      if (name === exe) current = offset >= elf.text && offset < elf.textEnd ? "executable: code (.text)" : offset < elf.text ? "executable: read-only data (.rodata and before)" : "executable: data and embedded modules (.bun)";
      else if (name === "" || name.startsWith("[")) current = name === "[stack]" ? "stack" : "anonymous (JS heap, malloc, JIT code)";
      else current = "shared libraries and other files";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) parts[current] = (parts[current] ?? 0) + Number(rss[1]);
  }
  const split = readRssSplitKb(pid) ?? { anonKb: Number.NaN, fileKb: Number.NaN };
  return { totalKb: Object.values(parts).reduce((a, b) => a + b, 0), ...split, parts };
}

/** File offsets of the executable's .text section (from its ELF section headers). */
function sectionOffsets(exe: string): { text: number; textEnd: number } {
  const out = Bun.spawnSync(["readelf", "-S", "-W", exe]).stdout.toString();
  const m = /\.text\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(out);
  if (!m) throw new Error(`no .text section found in ${exe} (is readelf installed?)`);
  // Mappings start at page boundaries: the code mapping begins at the page holding .text's first byte.
  const text = Math.floor(Number.parseInt(m[1] as string, 16) / 4096) * 4096;
  return { text, textEnd: text + Number.parseInt(m[2] as string, 16) };
}

const src: ServerSources = {
  oursBin: values.binary ?? join(root, "dist/openclaw"),
  referenceScript: "/work/shared/tools/reference-gateway.sh",
  limitScript: join(import.meta.dir, "limit-server.ts"),
  serverCpu: pinning ? SERVER_CPU : undefined,
};
const variants: { label: string; env: Record<string, string> }[] = [
  { label: "default", env: {} },
  { label: "without DFG/FTL (BUN_JSC_useDFGJIT=0)", env: { BUN_JSC_useDFGJIT: "0" } },
  { label: "without any JIT (BUN_JSC_useJIT=0)", env: { BUN_JSC_useJIT: "0" } },
];
const rows: { kind: string; variant: string; b: Breakdown }[] = [];
for (const v of variants) {
  for (const kind of ["ours", "limit"] as const) {
    const saved = { ...process.env };
    Object.assign(process.env, v.env);
    const s = await startServer(kind, src);
    process.env = saved;
    try {
      const c = await connectClient({ url: s.url, token: s.token });
      c.close();
      await Bun.sleep(3000);
      await waitQuiet(s.pid);
      const exe = readFileSync(`/proc/${s.pid}/cmdline`, "utf8").split("\0")[0] as string;
      const resolved = Bun.spawnSync(["readlink", "-f", `/proc/${s.pid}/exe`]).stdout.toString().trim() || exe;
      rows.push({ kind, variant: v.label, b: breakdown(s.pid, resolved) });
      console.log(`${kind} ${v.label}: ${Math.round((rows.at(-1) as { b: Breakdown }).b.totalKb / 1024)} MiB`);
    } finally {
      await s.stop();
    }
  }
}

const mib = (kb: number | undefined) => (kb === undefined ? "—" : (kb / 1024).toFixed(1));
const partNames = [...new Set(rows.flatMap((r) => Object.keys(r.b.parts)))].sort();
const lines: string[] = [];
lines.push("# Idle RSS by part: ours vs the bare Bun.serve limit", "");
lines.push(`- Date: ${new Date().toISOString()}; ours: ${src.oursBin}; Bun ${Bun.version}; one handshake, then idle ≥ 3 s; MiB of resident memory from /proc/<pid>/smaps`, "");
lines.push(`| part | ${rows.map((r) => `${r.kind}, ${r.variant}`).join(" | ")} |`, `|---|${rows.map(() => "---").join("|")}|`);
for (const p of partNames) lines.push(`| ${p} | ${rows.map((r) => mib(r.b.parts[p] ?? 0)).join(" | ")} |`);
lines.push(`| **total** | ${rows.map((r) => `**${mib(r.b.totalKb)}**`).join(" | ")} |`);
lines.push(`| (RssAnon / RssFile) | ${rows.map((r) => `${mib(r.b.anonKb)} / ${mib(r.b.fileKb)}`).join(" | ")} |`, "");
writeResult("rss-breakdown.md", `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
