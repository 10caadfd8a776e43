import { expect, test } from "bun:test";
import { join } from "node:path";

const LOGGER = join(import.meta.dir, "../../src/logging/logger.ts");

/** Runs a child that logs `count` console lines (and a direct `writeOut` block) to a pipe; returns its stdout. */
async function childOutput(count: number, readDelayMs: number): Promise<{ out: string; code: number }> {
  const script = `
    const { Logger, writeOut } = await import(${JSON.stringify(LOGGER)});
    const log = new Logger("gateway", { noFile: true });
    for (let i = 0; i < ${count}; i++) log.info("line " + i + " ✓ " + "x".repeat(i % 97));
    writeOut("tail ✓\\n");
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  // A reader that starts late: the pipe fills up and the writer must wait or queue, never drop or reorder.
  if (readDelayMs > 0) await Bun.sleep(readDelayMs);
  const out = await new Response(proc.stdout).text();
  return { out, code: await proc.exited };
}

function expectLines(out: string, count: number): void {
  const lines = out.trimEnd().split("\n");
  expect(lines.length).toBe(count + 1);
  for (let i = 0; i < count; i++) expect(lines[i]).toEndWith(`[gateway] line ${i} ✓ ${"x".repeat(i % 97)}`);
  expect(lines[count]).toBe("tail ✓");
}

test("console lines reach stdout whole and in order (few lines)", async () => {
  const { out, code } = await childOutput(20, 0);
  expect(code).toBe(0);
  expectLines(out, 20);
});

test("console lines stay whole and in order when they outgrow the pipe before anyone reads it", async () => {
  // ~1.6 MB: far more than a pipe buffer holds, written while nobody reads.
  const { out, code } = await childOutput(20_000, 300);
  expect(code).toBe(0);
  expectLines(out, 20_000);
});
