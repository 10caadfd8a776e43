/**
 * Windows: schtasks sequences against the fake, and the .cmd quoting checked against an independent model
 * of what cmd.exe and the program's argv split do with each line.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildServiceDefinition, createService } from "../../src/services/index.ts";
import { parseScript, renderScript } from "../../src/services/windows/index.ts";
import { createServiceSandbox, type ServiceSandbox } from "../helpers/services.ts";

let box: ServiceSandbox;
afterEach(() => box?.cleanup());

function setup(opts: Parameters<typeof createServiceSandbox>[0] = {}) {
  box = createServiceSandbox({ user: "DESKTOP\\alice", ...opts });
  return { svc: createService("schtasks", box.ctx), def: box.def({ kind: "schtasks" }) };
}

const N = "OpenClaw Gateway";

describe("schtasks", () => {
  test("install: /Create from UTF-16 XML, then /Run; reinstall no-op", async () => {
    const { svc, def } = setup();
    const out = await svc.install(def);
    const xml = join(def.stateDir, "gateway.task.xml");
    expect(box.calls()).toEqual([
      ["schtasks", "/Query", "/TN", N],
      ["schtasks", "/Query", "/TN", N],
      ["schtasks", "/Create", "/F", "/TN", N, "/XML", xml],
      ["schtasks", "/Run", "/TN", N],
      ["schtasks", "/Query", "/TN", N],
    ]);
    expect(out.messages[0]).toBe(`Installed Scheduled Task: ${N}`);
    const bytes = readFileSync(xml);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const text = new TextDecoder("utf-16le").decode(bytes.subarray(2));
    expect(text).toContain("<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>");
    expect(text).toContain("<RestartOnFailure>");
    expect(text).toContain("<UserId>DESKTOP\\alice</UserId>");
    expect(text).toContain(`<Command>conhost.exe</Command>`);
    expect(text).toContain(`<Arguments>--headless cmd.exe /d /s /c &quot;&quot;${join(def.stateDir, "gateway.cmd")}&quot;&quot;</Arguments>`);
    box.resetCalls();
    expect((await svc.install(def)).result).toBe("already-installed");
    expect(box.calls().length).toBe(2);
  });

  test("stop leaves a stop file (the script's restart loop exits) and ends the task; start removes it", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    const stopFile = join(def.stateDir, "gateway.stopped");
    box.resetCalls();
    await svc.stop(def);
    expect(box.calls()).toEqual([
      ["schtasks", "/Query", "/TN", N],
      ["schtasks", "/End", "/TN", N],
    ]);
    expect(existsSync(stopFile)).toBe(true);
    expect((await svc.stop(def)).result).toBe("stopped"); // "is not running" is fine
    box.resetCalls();
    await svc.start(def);
    expect(box.calls().at(-1)).toEqual(["schtasks", "/Run", "/TN", N]);
    expect(existsSync(stopFile)).toBe(false);
    expect((await svc.runtime(def)).runtime).toMatchObject({ status: "running", state: "Running", lastExitStatus: 267009 });
  });

  test("uninstall ends, deletes the task and the script", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    box.resetCalls();
    await svc.uninstall(def);
    expect(box.calls().map((c) => c[1])).toEqual(["/Query", "/Query", "/End", "/Delete", "/Query"]);
    expect(existsSync(join(def.stateDir, "gateway.cmd"))).toBe(false);
    expect(existsSync(join(def.stateDir, "gateway.stopped"))).toBe(false);
  });

  test("access denied: hint to elevate", async () => {
    const { svc, def } = setup({ extraEnv: { FAKE_SCHTASKS_DENY: "1" } });
    const err = await svc.install(def).catch((e) => e);
    expect(err.message).toBe("schtasks /Create failed: ERROR: Access is denied.");
    expect(err.hint).toContain("elevated");
  });

  test("--deep lists other profiles' tasks as ours and foreign ones as warnings", async () => {
    const { svc, def } = setup();
    await svc.install(box.def({ kind: "schtasks", profile: "work" }));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(box.state, "schtasks", "Clawdbot Gateway"), "Ready");
    writeFileSync(join(box.state, "schtasks", "OpenClaw Node"), "Ready");
    expect((await svc.scan(def)).map((x) => [x.label, x.ours, x.profile])).toEqual([
      ["Clawdbot Gateway", false, undefined],
      ["OpenClaw Gateway (work)", true, "work"],
    ]);
  });
});

// --- an independent model of cmd.exe + the MSVC argv split, for the quoting tests ---

/** cmd.exe phase 1 (percent expansion, `%%` → `%`) and phase 2 (carets and quotes). */
function cmdLine(line: string): string {
  const pct = line.replace(/%%/g, "\u0000").replace(/%[^%]*%/g, "").replace(/\u0000/g, "%");
  let out = "";
  let inQuotes = false;
  for (let i = 0; i < pct.length; i++) {
    const c = pct[i];
    if (c === '"') {
      inQuotes = !inQuotes;
      out += c;
    } else if (!inQuotes && c === "^") out += pct[++i] ?? "";
    else if (!inQuotes && "&|<>".includes(c)) throw new Error(`unescaped ${c} would split the command: ${line}`);
    else out += c;
  }
  return out;
}

/** CommandLineToArgvW. */
function argv(line: string): string[] {
  const args: string[] = [];
  let cur = "";
  let has = false;
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\") {
      let n = 0;
      while (line[i] === "\\") {
        n++;
        i++;
      }
      if (line[i] === '"') {
        cur += "\\".repeat(n >> 1);
        if (n & 1) cur += '"';
        else q = !q;
      } else {
        cur += "\\".repeat(n);
        i--;
      }
      has = true;
    } else if (c === '"') {
      q = !q;
      has = true;
    } else if ((c === " " || c === "\t") && !q) {
      if (has) args.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) args.push(cur);
  return args;
}

describe(".cmd quoting", () => {
  const nasty = [
    "C:\\Program Files\\OpenClaw\\openclaw.exe",
    'say "hi"',
    "a&b|c<d>e",
    "100%",
    "%PATH%",
    "caret^",
    "trailing\\",
    'quote at end"',
    'odd " & quote',
    "(paren)",
    "",
  ];

  test("every argument reaches the program unchanged", () => {
    const def = buildServiceDefinition({ kind: "schtasks", scope: "user", env: {}, home: "C:\\Users\\al ice", stateDir: "C:\\Users\\al ice\\.openclaw", port: 18789, program: nasty, user: "alice", version: "1.2.3" });
    const script = renderScript(def, { stdout: "C:\\l\\o.log", stderr: "C:\\l\\e.log", stopFile: "C:\\s\\stop" });
    const lines = script.split("\r\n");
    const line = lines[lines.indexOf(":run") + 1];
    // The trailing redirects are ours; the model checks the command part has no other unescaped operator.
    const cmd = cmdLine(line.replace(/ 1>> "[^"]*" 2>> "[^"]*"$/, ""));
    expect(argv(cmd)).toEqual([...nasty, "gateway", "--port", "18789"]);
    expect(parseScript(script, "x")?.programArguments).toEqual([...nasty, "gateway", "--port", "18789"]);
    // cd /d gets the working dir with its space intact.
    expect(argv(cmdLine(lines.find((l) => l.startsWith("cd /d ")) as string).slice(6))).toEqual(["C:\\Users\\al ice\\.openclaw"]);
  });

  test("set lines keep values with spaces, quotes, & and % exactly", () => {
    for (const value of ["tok en", 'a"b', 'x" & echo pwned', "50%off", "^caret", "a|b", "(x)"]) {
      const def = buildServiceDefinition({ kind: "schtasks", scope: "user", env: {}, home: "C:\\h", stateDir: "C:\\h\\.openclaw", port: 1, token: value, program: ["C:\\o.exe"], user: "u", version: "1" });
      const script = renderScript(def, { stdout: "C:\\o", stderr: "C:\\e", stopFile: "C:\\s" });
      const setLine = script.split("\r\n").find((l) => l.startsWith("set OPENCLAW_GATEWAY_TOKEN=")) as string;
      // `set NAME=rest`: the value is the rest of the line after cmd's parsing.
      expect(cmdLine(setLine).slice("set OPENCLAW_GATEWAY_TOKEN=".length)).toBe(value);
      expect(parseScript(script, "x")?.environment?.OPENCLAW_GATEWAY_TOKEN).toBe(value);
    }
  });

  test("CRLF line endings; a line break in a value is refused", () => {
    const { def } = setup();
    const script = renderScript(def, { stdout: "o", stderr: "e", stopFile: "s" });
    expect(script.split("\r\n").length).toBeGreaterThan(5);
    expect(script.replace(/\r\n/g, "")).not.toContain("\n");
    expect(() => renderScript({ ...def, environment: { X: "a\nb" } }, { stdout: "o", stderr: "e", stopFile: "s" })).toThrow("line break");
  });
});
