/**
 * `logs.tail` lines must read the same in the upstream clients as the upstream gateway's own lines do.
 * The fixture is a recording of the upstream 2026.2.3 gateway's `logs.tail` answer. Two readers:
 * - the upstream CLI's line parser itself (its dist module, from the reference install: test/helpers/upstream.ts);
 * - the Control UI's Logs view rules, restated from its bundle as facts: level = `_meta.logLevelName`
 *   (lower-cased), subsystem = `subsystem` of the JSON in "0" (else `_meta.name`), message = "1" when it is a
 *   string, else "0" when that is not JSON, else `message`, else the raw line.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLine, parseLogLine } from "../../src/cli/commands/logs.ts";
import { Logger } from "../../src/logging/logger.ts";
import { toUpstreamLogLine } from "../../src/logging/upstream-shape.ts";
import { type ReferenceInstall, referenceForSuite } from "../helpers/upstream.ts";

const fixture = JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/upstream/logs-tail.json"), "utf8")) as { lines: string[] };

type UpstreamParsed = { time?: string; level?: string; subsystem?: string; module?: string; message: string; raw: string } | null;

/**
 * The upstream CLI's parseLogLine: the module its `logs` command imports (found by that import).
 * @throws Error when the install's dist no longer has that module (a different layout must not skip the test).
 */
async function loadUpstreamCliParser(ref: ReferenceInstall): Promise<(raw: string) => UpstreamParsed> {
  const dist = join(ref.dir, "node_modules", "openclaw", "dist");
  const cli = readdirSync(dist).find((f) => /^logs-cli-.*\.js$/.test(f) && readFileSync(join(dist, f), "utf8").includes("parseLogLine"));
  if (!cli) throw new Error(`no logs-cli-*.js importing parseLogLine in ${dist}`);
  const mod = /from "\.\/(parse-log-line-[^"]+\.js)"/.exec(readFileSync(join(dist, cli), "utf8"))?.[1];
  if (!mod) throw new Error(`${join(dist, cli)} imports no parse-log-line-*.js`);
  return ((await import(join(dist, mod))) as { t: (raw: string) => UpstreamParsed }).t;
}

function uiParse(raw: string): { level: string | null; subsystem: string | null; message: string } {
  const t = JSON.parse(raw) as Record<string, unknown>;
  const meta = (t._meta ?? null) as Record<string, unknown> | null;
  const levelRaw = (meta?.logLevelName ?? meta?.level) as string | undefined;
  const level = typeof levelRaw === "string" && ["trace", "debug", "info", "warn", "error", "fatal"].includes(levelRaw.toLowerCase()) ? levelRaw.toLowerCase() : null;
  const first = typeof t[0] === "string" ? (t[0] as string) : typeof meta?.name === "string" ? (meta.name as string) : null;
  let nameObj: Record<string, unknown> | null = null;
  if (first?.trim().startsWith("{") && first.trim().endsWith("}")) {
    try {
      nameObj = JSON.parse(first);
    } catch {
      nameObj = null;
    }
  }
  const subsystem = nameObj && typeof nameObj.subsystem === "string" ? nameObj.subsystem : nameObj && typeof nameObj.module === "string" ? nameObj.module : first && first.length < 120 && !nameObj ? first : null;
  const message = typeof t[1] === "string" ? (t[1] as string) : !nameObj && typeof t[0] === "string" ? (t[0] as string) : typeof t.message === "string" ? (t.message as string) : raw;
  return { level, subsystem, message };
}

/** Our records as the gateway writes them: through the real Logger into a temp file. */
function ourLines(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-logshape-"));
  try {
    const file = join(dir, "gw.log");
    const logger = new Logger("gateway", { file, write: () => {} });
    logger.info("listening on ws://127.0.0.1:18789 (PID 1)");
    logger.child("ws").warn("handshake rejected", { connId: "c1", code: "UNAUTHORIZED" });
    logger.child("channels/telegram").error("poll failed");
    return readFileSync(file, "utf8").trimEnd().split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const reference = referenceForSuite("the upstream CLI's log line parser");

describe("logs.tail line shape", () => {
  test("our lines carry what the upstream lines carry: numbered message keys, _meta.name, _meta.logLevelName, _meta.date, time", () => {
    for (const line of ourLines().map(toUpstreamLogLine)) {
      const ours = JSON.parse(line);
      for (const up of fixture.lines.map((l) => JSON.parse(l))) {
        expect(typeof ours[0]).toBe(typeof up[0]);
        expect(typeof ours[1]).toBe("string");
        expect(Object.keys(ours._meta)).toEqual(expect.arrayContaining(["name", "logLevelName", "logLevelId", "date", "parentNames"]));
        expect(ours._meta.name).toBe(ours[0]);
        expect(typeof ours.time).toBe(typeof up.time);
      }
    }
  });

  test("the Control UI's reading: level, subsystem and message of ours as of upstream lines", () => {
    const up = fixture.lines.map(uiParse);
    expect(up.map((p) => [p.level, p.subsystem])).toEqual([
      ["warn", "gateway/ws"],
      ["info", "gateway/ws"],
      ["info", "gateway"],
    ]);
    const ours = ourLines().map((l) => uiParse(toUpstreamLogLine(l)));
    expect(ours).toEqual([
      { level: "info", subsystem: "gateway", message: "listening on ws://127.0.0.1:18789 (PID 1)" },
      { level: "warn", subsystem: "ws", message: "handshake rejected" },
      { level: "error", subsystem: "channels/telegram", message: "poll failed" },
    ]);
  });

  reference.run("the upstream CLI's own parser reads ours like its own lines", async () => {
    const parse = await loadUpstreamCliParser(reference.ref as ReferenceInstall);
    for (const line of fixture.lines) {
      const p = parse(line);
      expect(p?.level).toMatch(/^(info|warn)$/);
      expect(p?.subsystem).toMatch(/^gateway/);
    }
    const ours = ourLines().map((l) => parse(toUpstreamLogLine(l)));
    expect(ours.map((p) => [p?.level, p?.subsystem])).toEqual([
      ["info", "gateway"],
      ["warn", "ws"],
      ["error", "channels/telegram"],
    ]);
    expect(ours.every((p) => typeof p?.time === "string")).toBe(true);
    expect(ours[1]?.message).toContain("handshake rejected");
    expect(ours[1]?.message).toContain("connId");
    // Before the mapping: the upstream client saw no level and no subsystem at all.
    const raw = parse(ourLines()[1]);
    expect([raw?.level, raw?.subsystem]).toEqual([undefined, undefined]);
  });

  test("foreign and partial lines pass through unchanged", () => {
    for (const line of [...fixture.lines, "plain text", '{"half": ', '{"msg":"no level"}']) expect(toUpstreamLogLine(line)).toBe(line);
  });

  test("openclaw logs renders upstream lines, ours (both shapes) and foreign text without 'undefined'", () => {
    const rendered = [...fixture.lines, ...ourLines(), ...ourLines().map(toUpstreamLogLine), "plain text", '{"some":"json"}'].map(formatLine);
    for (const r of rendered) expect(r).not.toContain("undefined");
    expect(rendered[1]).toBe("2026-12-07T02:24:09.191Z [gateway/ws] ⇄ res ✗ node.pair.approve 1ms errorCode=INVALID_REQUEST errorMessage=unknown requestId conn=00000000…0000 id=t3");
    const lines = ourLines();
    const mapped = lines.map(toUpstreamLogLine).map(formatLine);
    expect(mapped[1]).toMatch(/^\S+ \[ws\] warn: handshake rejected connId=c1 code=UNAUTHORIZED$/);
    expect(lines.map(formatLine)).toEqual(mapped);
    expect(parseLogLine(fixture.lines[0])).toMatchObject({ level: "warn", subsystem: "gateway/ws" });
  });
});
