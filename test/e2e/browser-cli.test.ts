/**
 * The README walk-through of `openclaw browser`, driven through the compiled binary: a gateway with its
 * browser control service, and the CLI talking to it over HTTP with the token from the config file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomRangeStart, skipWithoutBrowser, startTestPage } from "../helpers/browser.ts";
import { BINARY, binaryEnv, ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";

const SKIP = skipWithoutBrowser();
const TOKEN = "browser-cli-token-0123456789abcdef0123456789";

/** Runs the CLI without blocking this process (the test page is served from here). */
async function cli(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BINARY, ...args], { env: binaryEnv(home), cwd: home, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

describe.skipIf(SKIP)("openclaw browser (binary)", () => {
  let home: string;
  let gw: Awaited<ReturnType<typeof startBinaryGateway>>;
  let page: ReturnType<typeof startTestPage>;

  beforeAll(async () => {
    await ensureBinary();
    page = startTestPage();
    home = tempHome();
    mkdirSync(join(home, ".openclaw"), { recursive: true });
    const port = freePort();
    const config = {
      gateway: { mode: "local", port, auth: { token: TOKEN } },
      browser: { headless: true, noSandbox: true, cdpPortRangeStart: randomRangeStart(), profiles: { work: { color: "#00AA00" } } },
    };
    writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config));
    gw = await startBinaryGateway(["gateway"], { home });
  });
  afterAll(async () => {
    gw?.proc.kill("SIGTERM");
    await gw?.proc.exited;
    page?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("status, start, open, snapshot, type, click, screenshot, stop", async () => {
    expect(gw.output()).toContain("browser control listening on http://127.0.0.1:");
    const status = await cli(home, ["browser", "status"]);
    expect(status.stderr).toBe("");
    expect(status.stdout).toContain("Profile:   openclaw (color #FF4500)");
    expect(status.stdout).toContain("Running:   no");
    expect(status.stdout).toContain(`User data: ${join(home, ".openclaw", "browser", "openclaw", "user-data")}`);

    // The launched browser is driven over a pipe: no CDP URL is claimed for it.
    const started = (await cli(home, ["browser", "start"])).stdout;
    expect(started).toMatch(/^Browser for profile openclaw running: \w+ pid \d+, DevTools over a pipe \(no port\)\n$/);
    const running = (await cli(home, ["browser", "status"])).stdout;
    expect(running).toContain("DevTools:  over a pipe (no port)");
    expect(running).not.toContain("CDP");
    expect((await cli(home, ["browser", "open", page.url])).stdout).toMatch(/^Opened [A-F0-9]+: /);
    const snap = await cli(home, ["browser", "snapshot"]);
    expect(snap.stdout).toContain('button "Press me"');
    const ref = (re: RegExp) => re.exec(snap.stdout)?.[1] as string;
    expect((await cli(home, ["browser", "type", ref(/textbox "Name" \[ref=(\w+)\]/), "Ada"])).stdout).toContain("Typed into");
    expect((await cli(home, ["browser", "click", ref(/button "Press me" \[ref=(\w+)\]/)])).stdout).toContain("Clicked");
    expect((await cli(home, ["browser", "snapshot"])).stdout).toContain('heading "Clicked Ada"');

    const out = join(home, "shot.png");
    const shot = await cli(home, ["browser", "screenshot", "--out", out]);
    expect(shot.stdout).toStartWith(`Saved ${out}`);
    expect([...readFileSync(out).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const bad = await cli(home, ["browser", "click", "e999"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown ref "e999"');

    expect((await cli(home, ["browser", "stop"])).stdout).toBe("Stopped the browser of profile openclaw.\n");
    // Crash reports of the managed browser stay in the state dir, not in ~/.config/chromium.
    expect(existsSync(join(home, ".config", "chromium"))).toBe(false);
  }, 90_000);

  test("--browser-profile before or after the command; wrong token and unknown profile fail clearly", async () => {
    const before = await cli(home, ["browser", "--browser-profile", "work", "status"]);
    expect(before.stdout).toContain("Profile:   work (color #00AA00)");
    const after = await cli(home, ["browser", "status", "--browser-profile=work", "--json"]);
    expect(JSON.parse(after.stdout)).toMatchObject({ profile: "work", running: false });
    const wrong = await cli(home, ["browser", "status", "--token", "nope"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("Error: Browser: invalid gateway token");
    const unknown = await cli(home, ["browser", "--browser-profile", "nope", "tabs"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown browser profile "nope"');
  }, 30_000);
});
