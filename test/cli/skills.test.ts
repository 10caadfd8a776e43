/**
 * `openclaw skills list|info|check` through a running gateway and, with none running, from local files;
 * `openclaw skills install` from a folder and an archive into the profile's skills folder, refusing a
 * folder without SKILL.md and an archive that escapes its folder (exit 1, nothing written).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { binaryEnv, freePort } from "../helpers/binary.ts";
import { cliRunner } from "../helpers/cli.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../helpers/gateway.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
let gw: TestGateway;
let home: string;
let ws: string;

function writeSkill(root: string, name: string, front: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "SKILL.md"), `---\nname: ${name}\n${front}\n---\nUse it.\n`);
  return d;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "cli-skills-"));
  ws = join(home, "ws");
  writeSkill(join(ws, "skills"), "needs-bin", 'description: Needs a missing binary\nmetadata: {"openclaw": {"requires": {"bins": ["no-such-bin-cli-test"]}}}');
  gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, agents: { defaults: { workspace: ws } } } });
});
afterAll(async () => {
  await gw?.stop();
  rmSync(home, { recursive: true, force: true });
});

const { cli, ok } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));

/** The CLI with no gateway to reach (a free port) and no --url: the local view. */
async function local(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { env: binaryEnv(home, { OPENCLAW_GATEWAY_PORT: String(freePort()), ...extraEnv }), cwd: home, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

describe("through the gateway", () => {
  test("list shows each skill's source and what is missing; --json is the skills.status report", async () => {
    const out = await ok(["skills", "list"]);
    expect(out).toMatch(/needs-bin\s+workspace\s+missing bins: no-such-bin-cli-test/);
    expect(out).toMatch(/weather\s+bundled\s+ready/);
    const json = JSON.parse(await ok(["skills", "list", "--json"]));
    expect(json.workspaceDir).toBe(ws);
    expect(json.skills.find((s: { name: string }) => s.name === "needs-bin").missing.bins).toEqual(["no-such-bin-cli-test"]);
    expect(JSON.parse(await ok(["skills", "list", "--eligible", "--json"])).skills.some((s: { name: string }) => s.name === "needs-bin")).toBe(false);
  });

  test("check counts ready and not-ready skills with the reason; info shows one, an unknown name fails", async () => {
    const out = await ok(["skills", "check"]);
    expect(out).toContain("Not ready: needs-bin: missing bins: no-such-bin-cli-test");
    expect(out).toMatch(/Ready: .*weather/);
    expect(await ok(["skills", "info", "needs-bin"])).toMatch(/bins:\s+no-such-bin-cli-test \(missing\)/);
    const bad = await cli(["skills", "info", "nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("No skill named nope");
  });
});

describe("without a gateway", () => {
  test("list and check read this profile's config and folders and say so", async () => {
    const cfgDir = join(home, ".openclaw");
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(join(cfgDir, "openclaw.json"), JSON.stringify({ agents: { defaults: { workspace: ws } }, skills: { entries: { weather: { enabled: false } } } }));
    const r = await local(["skills", "check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("gateway not running");
    expect(r.stdout).toContain("Not ready: needs-bin: missing bins: no-such-bin-cli-test");
    expect(r.stdout).toContain("Disabled: weather");
  });

  test("install copies a folder or archive into <stateDir>/skills; refusals exit 1 and write nothing", async () => {
    const src = writeSkill(join(home, "src"), "greeter", "description: Greets people");
    const r = await local(["skills", "install", src]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("Installed skill greeter");
    expect(existsSync(join(home, ".openclaw", "skills", "greeter", "SKILL.md"))).toBe(true);
    expect((await local(["skills", "list"])).stdout).toMatch(/greeter\s+managed\s+ready/);

    const again = await local(["skills", "install", src]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("--force");

    const noSkill = join(home, "empty");
    mkdirSync(noSkill);
    const r2 = await local(["skills", "install", noSkill]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("no SKILL.md");

    if (Bun.which("tar")) {
      // GNU tar keeps ../ names with -P: the archive holds an entry that would land beside the skills folder.
      const stage = join(home, "stage");
      mkdirSync(join(stage, "evil"), { recursive: true });
      writeFileSync(join(stage, "evil", "SKILL.md"), "---\nname: evil\ndescription: x\n---\n");
      writeFileSync(join(stage, "escape.txt"), "x");
      const tgz = join(home, "evil.tar.gz");
      expect(Bun.spawnSync(["tar", "-czPf", tgz, "-C", join(stage, "evil"), "SKILL.md", "../escape.txt"]).exitCode).toBe(0);
      const r3 = await local(["skills", "install", tgz]);
      expect(r3.code).toBe(1);
      expect(r3.stderr).toContain('".." leads out');
      expect(readdirSync(join(home, ".openclaw", "skills"))).toEqual(["greeter"]);
      expect(existsSync(join(home, ".openclaw", "escape.txt"))).toBe(false);
    }
  });
});
