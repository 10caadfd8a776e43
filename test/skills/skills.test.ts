/**
 * Skills: SKILL.md front matter (YAML, the upstream's JSON-in-YAML metadata, the line fallback), the three
 * locations and their precedence, eligibility (bins on PATH at call time, env, config, os, disabled) and the
 * system prompt list.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { ProcessRegistry } from "../../src/agent/exec/index.ts";
import { AgentRuntime } from "../../src/agent/index.ts";
import { buildTools } from "../../src/agent/tools/index.ts";
import { buildSystemPrompt } from "../../src/agent/workspace.ts";
import { BUNDLED_SKILLS } from "../../src/skills/bundled/index.ts";
import { BIN_CACHE_MS, buildSkillsReport, checkSkill, collectSkillBins, formatSkillsPrompt, hasBinOnPath, loadSkills, parseSkillFile, readSkillDir, skillEnvOf, skillRootsOf, type SkillEntry } from "../../src/skills/index.ts";
import { Logger } from "../../src/logging/logger.ts";
import { createMemoryStore } from "../../src/store/index.ts";
import { startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "skills-"));
  dirs.push(d);
  return d;
}
function skill(root: string, dir: string, front: string, body = "Do the thing.\n"): string {
  const d = join(root, dir);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "SKILL.md"), `---\n${front}\n---\n\n${body}`);
  return d;
}

describe("front matter", () => {
  test("plain YAML with nested metadata.openclaw", () => {
    const { frontmatter, body } = parseSkillFile("---\nname: gh\ndescription: GitHub things\nmetadata:\n  openclaw:\n    requires:\n      bins: [gh]\n      env: [GH_TOKEN]\n    primaryEnv: GH_TOKEN\n    os: [linux, darwin]\n---\n# GH\n");
    expect(frontmatter.name).toBe("gh");
    expect(frontmatter.meta.requires.bins).toEqual(["gh"]);
    expect(frontmatter.meta.requires.env).toEqual(["GH_TOKEN"]);
    expect(frontmatter.meta.primaryEnv).toBe("GH_TOKEN");
    expect(frontmatter.meta.os).toEqual(["linux", "darwin"]);
    expect(body).toBe("# GH\n");
  });

  test("the upstream's multi-line JSON5 metadata with trailing commas", () => {
    const text = '---\nname: op\ndescription: 1Password\nmetadata:\n  {\n    "openclaw":\n      {\n        "requires": { "bins": ["op"] },\n        "install": [{ "id": "brew", "kind": "brew" },],\n      },\n  }\n---\nbody';
    expect(parseSkillFile(text).frontmatter.meta.requires.bins).toEqual(["op"]);
  });

  test("a description with an unquoted `: ` (invalid YAML) falls back to the line parser", () => {
    const text = '---\nname: discord\ndescription: Use when you need Discord: send messages, react.\nmetadata: {"openclaw":{"requires":{"config":["channels.discord"]}}}\n---\n';
    const { frontmatter } = parseSkillFile(text);
    expect(frontmatter.description).toBe("Use when you need Discord: send messages, react.");
    expect(frontmatter.meta.requires.config).toEqual(["channels.discord"]);
  });

  test("a bare metadata block (no openclaw key) and the legacy clawdbot key count too", () => {
    expect(parseSkillFile("---\nname: a\ndescription: d\nmetadata:\n  requires:\n    bins: [jq]\n---\n").frontmatter.meta.requires.bins).toEqual(["jq"]);
    expect(parseSkillFile('---\nname: a\ndescription: d\nmetadata: {"clawdbot": {"requires": {"env": ["X"]}}}\n---\n').frontmatter.meta.requires.env).toEqual(["X"]);
  });

  test("errors name what is wrong", () => {
    expect(() => parseSkillFile("# no front matter\n")).toThrow(/no front matter/);
    expect(() => parseSkillFile("---\n- a\n- b\n---\n")).toThrow(/mapping/);
    expect(() => parseSkillFile("---\nname: a\nmetadata:\n  requires:\n    bins: 3\n---\n")).toThrow(/requires\.bins: must be a list of strings/);
  });

  test("every bundled skill parses, has a name equal to its folder and a description", () => {
    expect(BUNDLED_SKILLS.map((b) => b.dir).sort()).toEqual(["daily-note", "summarize-url", "weather"]);
    for (const b of BUNDLED_SKILLS) {
      const { frontmatter } = parseSkillFile(b.text);
      expect(frontmatter.name).toBe(b.dir);
      expect((frontmatter.description ?? "").length).toBeGreaterThan(20);
    }
  });

  test("every skill the upstream 2026.2.3 ships parses (when its package is installed here)", () => {
    const dir = join(homedir(), ".cache/openclaw-reference/node_modules/openclaw/skills");
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const failed: string[] = [];
    for (const n of names) {
      let text: string;
      try {
        text = readFileSync(join(dir, n, "SKILL.md"), "utf8");
      } catch {
        continue;
      }
      if (!text.startsWith("---")) continue;
      try {
        const fm = parseSkillFile(text).frontmatter;
        if (!fm.name || !fm.description) failed.push(`${n}: no name/description`);
      } catch (err) {
        failed.push(`${n}: ${(err as Error).message}`);
      }
    }
    expect(failed).toEqual([]);
  });
});

describe("locations", () => {
  test("bundled < managed < workspace for the same name; bundled ones are written under the state dir", () => {
    const state = tmp();
    const ws = tmp();
    const roots = skillRootsOf(state, ws);
    skill(roots.managed, "weather", "name: weather\ndescription: my own weather");
    skill(roots.workspace, "weather", "name: weather\ndescription: the workspace's weather");
    skill(roots.managed, "notes", "name: notes\ndescription: managed notes");
    const { skills, problems } = loadSkills(roots);
    expect(problems).toEqual([]);
    const byName = Object.fromEntries(skills.map((s) => [s.name, s]));
    expect(byName.weather?.source).toBe("openclaw-workspace");
    expect(byName.weather?.description).toBe("the workspace's weather");
    expect(byName.notes?.source).toBe("openclaw-managed");
    expect(byName["daily-note"]?.source).toBe("openclaw-bundled");
    expect(readFileSync(join(roots.bundled, "summarize-url", "SKILL.md"), "utf8")).toBe(BUNDLED_SKILLS.find((b) => b.dir === "summarize-url")?.text as string);
  });

  test("grouped folders are found; the name comes from the front matter, else the folder", () => {
    const ws = tmp();
    const root = join(ws, "skills");
    skill(root, "personal/research", "description: research things");
    skill(root, "x", "name: renamed\ndescription: named in the file");
    const { skills } = loadSkills({ bundled: join(tmp(), "b"), managed: join(tmp(), "none"), workspace: root });
    const names = skills.filter((s) => s.source === "openclaw-workspace").map((s) => s.name);
    expect(names).toEqual(["renamed", "research"]);
  });

  test("bad skills are reported and skipped; the rest load", () => {
    const ws = tmp();
    const root = join(ws, "skills");
    skill(root, "good", "name: good\ndescription: fine");
    skill(root, "nodesc", "name: nodesc");
    skill(root, "badname", 'name: "../evil"\ndescription: x');
    mkdirSync(join(root, "nofront"));
    writeFileSync(join(root, "nofront", "SKILL.md"), "just text");
    const { skills, problems } = loadSkills({ bundled: join(tmp(), "b"), managed: join(tmp(), "none"), workspace: root });
    expect(skills.filter((s) => s.source === "openclaw-workspace").map((s) => s.name)).toEqual(["good"]);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/description is missing[\s\S]*name "\.\.\/evil"|name "\.\.\/evil"[\s\S]*description is missing/);
    expect(problems.some((p) => /no front matter/.test(p.message))).toBe(true);
  });

  test("a workspace skill folder that is a symlink out of skills/ is refused; a SKILL.md linking out of its folder too", () => {
    const ws = tmp();
    const outside = tmp();
    const root = join(ws, "skills");
    mkdirSync(root, { recursive: true });
    skill(outside, "secret", "name: secret\ndescription: outside");
    symlinkSync(join(outside, "secret"), join(root, "linked"));
    mkdirSync(join(root, "sneaky"));
    symlinkSync(join(outside, "secret", "SKILL.md"), join(root, "sneaky", "SKILL.md"));
    const { skills, problems } = loadSkills({ bundled: join(tmp(), "b"), managed: join(tmp(), "none"), workspace: root });
    expect(skills.some((s) => s.source === "openclaw-workspace")).toBe(false);
    expect(problems.map((p) => p.message).sort()).toEqual(["SKILL.md is a symlink leading out of its folder", "skill folder is a symlink leading out of the skills folder; skipped"]);
  });
});

describe("eligibility", () => {
  const entry = (front: string): SkillEntry => {
    const r = readSkillDir(skill(tmp(), "s", front), "openclaw-workspace");
    if ("message" in r) throw new Error(r.message);
    return r;
  };

  test("missing bins, env, config and os are each named; all present makes it eligible", () => {
    const s = entry('name: s\ndescription: d\nmetadata: {"openclaw": {"requires": {"bins": ["sh", "no-such-bin-xyz"], "env": ["SKILL_T_KEY"], "config": ["browser.enabled"]}, "os": ["plan9"]}}');
    const st = checkSkill(s, { config: {}, env: { PATH: process.env.PATH } });
    expect(st.eligible).toBe(false);
    expect(st.missing).toEqual({ bins: ["no-such-bin-xyz"], anyBins: [], env: ["SKILL_T_KEY"], config: ["browser.enabled"], os: ["plan9"] });
    const ok = checkSkill(s, { config: { browser: { enabled: true } }, env: { PATH: process.env.PATH, SKILL_T_KEY: "v" }, platform: "plan9", hasBin: () => true });
    expect(ok.eligible).toBe(true);
    expect(ok.configChecks).toEqual([{ path: "browser.enabled", satisfied: true }]);
  });

  test("env comes from skills.entries.<key>.env or apiKey for the primaryEnv", () => {
    const s = entry('name: s\ndescription: d\nmetadata: {"openclaw": {"requires": {"env": ["A_KEY", "B_KEY"]}, "primaryEnv": "A_KEY"}}');
    const config = { skills: { entries: { s: { apiKey: "k", env: { B_KEY: "b" } } } } };
    expect(checkSkill(s, { config, env: {} }).missing.env).toEqual([]);
    expect(checkSkill(s, { config: { skills: { entries: { s: { env: { A_KEY: "" } } } } }, env: {} }).missing.env).toEqual(["A_KEY", "B_KEY"]);
  });

  test("a SecretRef apiKey or env value counts only when it resolves now (env, or a private secrets file)", () => {
    const s = entry('name: s\ndescription: d\nmetadata: {"openclaw": {"requires": {"env": ["S_API_KEY", "S_EXTRA"]}, "primaryEnv": "S_API_KEY"}}');
    const vault = join(tmp(), "secrets.json");
    writeFileSync(vault, JSON.stringify({ s: { extra: "from-file" } }), { mode: 0o600 });
    const with_ = (apiKey: unknown, extra: unknown, secrets?: unknown) => ({ skills: { entries: { s: { apiKey, env: { S_EXTRA: extra } } } }, ...(secrets !== undefined && { secrets }) }) as never;
    const secrets = { providers: { vault: { source: "file", path: vault } } };
    const missing = (config: never, env: Record<string, string> = {}) => checkSkill(s, { config, env }).missing.env;
    expect(missing(with_({ source: "env", id: "VAULT_S_KEY" }, { source: "file", provider: "vault", id: "/s/extra" }, secrets), { VAULT_S_KEY: "v" })).toEqual([]);
    // Before the fix a ref counted as present whatever it pointed at.
    expect(missing(with_({ source: "env", id: "VAULT_S_KEY" }, { source: "file", provider: "vault", id: "/s/none" }, secrets))).toEqual(["S_API_KEY", "S_EXTRA"]);
    expect(missing(with_({ source: "exec", provider: "op", id: "s/key" }, "plain"))).toEqual(["S_API_KEY"]);
    chmodSync(vault, 0o644);
    expect(missing(with_("plain-key", { source: "file", provider: "vault", id: "/s/extra" }, secrets))).toEqual(["S_EXTRA"]);
  });

  test("enabled: false disables; allowBundled leaves other bundled skills out", () => {
    const s = entry("name: s\ndescription: d");
    const off = checkSkill(s, { config: { skills: { entries: { s: { enabled: false } } } }, env: {} });
    expect(off).toMatchObject({ disabled: true, eligible: false });
    const state = tmp();
    const report = buildSkillsReport({ config: { skills: { allowBundled: ["weather"] } }, env: {}, stateDir: state, workspace: tmp() });
    const bundled = Object.fromEntries(report.skills.map((x) => [x.name, x]));
    expect(bundled.weather?.eligible).toBe(true);
    expect(bundled["daily-note"]).toMatchObject({ blockedByAllowlist: true, eligible: false });
  });

  test("a binary that appears on PATH counts without a restart (within the cache time)", async () => {
    const bin = tmp();
    const name = `skill-bin-${process.pid}`;
    expect(hasBinOnPath(name, bin)).toBe(false);
    writeFileSync(join(bin, name), "#!/bin/sh\nexit 0\n");
    chmodSync(join(bin, name), 0o755);
    await waitFor(() => hasBinOnPath(name, bin), "the new binary on PATH", { timeoutMs: BIN_CACHE_MS * 5 });
  });

  test("collectSkillBins lists each required binary once", () => {
    const a = entry('name: a\ndescription: d\nmetadata: {"openclaw": {"requires": {"bins": ["jq", "curl"]}}}');
    const b = entry('name: b\ndescription: d\nmetadata: {"openclaw": {"requires": {"anyBins": ["curl", "wget"]}}}');
    expect(collectSkillBins([a, b])).toEqual(["curl", "jq", "wget"]);
  });
});

describe("system prompt", () => {
  const base = { agentId: "main", workspace: "/w", files: [], sessionKey: "agent:main:main", channel: "cli", now: new Date(0) };
  const skills = [{ name: "weather", description: "Weather\nfor a place", path: "/s/weather/SKILL.md" }];

  test("lists eligible skills compactly with their path when read is offered", () => {
    const text = buildSystemPrompt({ ...base, toolNames: ["read"], skills });
    expect(text).toContain("## Skills");
    expect(text).toContain("- weather: Weather for a place (/s/weather/SKILL.md)");
    expect(text).toContain("`read` tool");
  });

  test("no list without the read tool or without skills", () => {
    expect(buildSystemPrompt({ ...base, toolNames: ["web_fetch"], skills })).not.toContain("## Skills");
    expect(buildSystemPrompt({ ...base, toolNames: ["read"], skills: [] })).not.toContain("## Skills");
    expect(formatSkillsPrompt([])).toBe("");
  });
});

describe("read access to skill folders", () => {
  test("read opens a listed skill folder outside the workspace; write cannot; an unlisted folder stays refused", async () => {
    const ws = tmp();
    const skillDir = skill(tmp(), "outside", "name: outside\ndescription: d", "SECRET-FREE BODY\n");
    const other = skill(tmp(), "other", "name: other\ndescription: d");
    const tools = Object.fromEntries(
      buildTools({ config: { tools: { profile: "coding" } }, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: ws, readDirs: [skillDir] }).map((t) => [t.name, t]),
    );
    const signal = new AbortController().signal;
    expect(await tools.read?.execute({ path: join(skillDir, "SKILL.md") }, { signal })).toContain("SECRET-FREE BODY");
    await expect(tools.write?.execute({ path: join(skillDir, "SKILL.md"), content: "x" }, { signal }) as Promise<string>).rejects.toThrow(/outside the workspace/);
    await expect(tools.read?.execute({ path: join(other, "SKILL.md") }, { signal }) as Promise<string>).rejects.toThrow(/outside the workspace/);
    expect(readFileSync(join(skillDir, "SKILL.md"), "utf8")).toContain("SECRET-FREE BODY");
  });
});

describe("skill environment", () => {
  const st = (skillKey: string, primaryEnv?: string, eligible = true) => ({ skillKey, eligible, ...(primaryEnv && { primaryEnv }) });

  test("entries' env and apiKey (as primaryEnv) of eligible skills, never over the gateway's own, never PATH or LD_*", () => {
    const config = {
      skills: {
        entries: {
          a: { apiKey: "key-a", env: { A_EXTRA: "x", PATH: "/evil", LD_PRELOAD: "/evil.so", HOME_SET: "ignored" } },
          b: { apiKey: { source: "env" as const, id: "B" } },
          off: { env: { OFF_VAR: "y" } },
        },
      },
    };
    expect(skillEnvOf(config, [st("a", "A_KEY"), st("b", "B_KEY"), st("off", undefined, false)], { HOME_SET: "kept" })).toEqual({ A_EXTRA: "x", A_KEY: "key-a" });
  });

  test("SecretRef apiKey and env values are resolved into the variables like plain strings; unresolvable ones are left out", () => {
    const vault = join(tmp(), "single.txt");
    writeFileSync(vault, "file-secret-value\n", { mode: 0o600 });
    const config = {
      secrets: { providers: { one: { source: "file" as const, path: vault, mode: "singleValue" as const } } },
      skills: {
        entries: {
          a: { apiKey: { source: "env" as const, id: "VAULT_A" }, env: { A_FILE: { source: "file" as const, provider: "one", id: "value" }, A_GONE: { source: "env" as const, id: "NOT_SET_X" } } },
          b: { apiKey: { source: "file" as const, provider: "one", id: "value" } },
          c: { apiKey: { source: "store" as const, id: "C_KEY" } },
        },
      },
    };
    expect(skillEnvOf(config, [st("a", "A_KEY"), st("b", "B_KEY"), st("c", "C_KEY")], { VAULT_A: "env-secret-value" })).toEqual({ A_FILE: "file-secret-value", A_KEY: "env-secret-value", B_KEY: "file-secret-value" });
  });

  test("a run's exec command gets a SecretRef apiKey as the skill's primaryEnv; the value reaches no log", async () => {
    const fake = startFakeProvider();
    const processes = new ProcessRegistry({ onFinished: () => {} });
    try {
      const ws = tmp();
      skill(join(ws, "skills"), "vaulted", 'name: vaulted\ndescription: needs a key\nmetadata: {"openclaw": {"requires": {"env": ["VAULTED_API_KEY"]}, "primaryEnv": "VAULTED_API_KEY"}}');
      const vault = join(tmp(), "secrets.json");
      writeFileSync(vault, JSON.stringify({ vaulted: { token: "file-held-token-77" } }), { mode: 0o600 });
      const config = {
        models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk", api: "openai-completions" as const, models: [{ id: "m1" }] } } },
        agents: { defaults: { workspace: ws, model: { primary: "local/m1" } } },
        tools: { profile: "coding" as const },
        secrets: { providers: { vault: { source: "file" as const, path: vault } } },
        skills: { entries: { vaulted: { apiKey: { source: "env" as const, id: "VAULT_HELD_KEY" }, env: { VAULTED_TOKEN: { source: "file" as const, provider: "vault", id: "/vaulted/token" } } } } },
      };
      const logs: string[] = [];
      const toolPorts = {
        exec: { processes, shell: "/bin/sh", sandboxStatus: () => ({ available: false, reason: "test" }) },
        approvals: { file: { read: () => ({ version: 1 as const, defaults: { security: "full" as const } }), addAllowlistEntry: () => {} } },
      };
      const rt = new AgentRuntime({ store: createMemoryStore(), config: () => config, emit: () => {}, logger: new Logger("t", { write: (line: string) => void logs.push(line) }), env: { PATH: process.env.PATH, VAULT_HELD_KEY: "env-held-key-42" }, chatThrottleMs: 0, stateDir: tmp(), toolPorts });
      fake.push({ toolCalls: [{ id: "x1", name: "exec", args: { command: 'echo "key=$VAULTED_API_KEY token=$VAULTED_TOKEN"', host: "gateway" } }] }, { text: "Done." });
      const r = rt.submit({ runId: crypto.randomUUID(), kind: "agent", sessionKey: "agent:main:main", agentId: "main", message: "use the skill", timeoutMs: 30_000, channel: "test" });
      if (r.status !== "accepted") throw new Error(r.status);
      expect((await r.done).ok).toBe(true);
      const first = fake.requests.at(-2)?.body;
      expect(String(first.messages[0].content)).toContain("- vaulted: needs a key");
      const toolMsg = fake.requests.at(-1)?.body.messages.find((m: { role: string }) => m.role === "tool");
      expect(String(toolMsg?.content)).toContain("key=env-held-key-42 token=file-held-token-77");
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.join("\n")).not.toContain("env-held-key-42");
      expect(logs.join("\n")).not.toContain("file-held-token-77");
    } finally {
      processes.killAll();
      fake.stop();
    }
  });

  test("exec on this machine gets the skill variables under the call's own; a node never does", async () => {
    const ws = tmp();
    const processes = new ProcessRegistry({ onFinished: () => {} });
    try {
      const ports = { exec: { processes, shell: "/bin/sh", sandboxStatus: () => ({ available: false, reason: "test" }) }, approvals: { file: { read: () => ({ version: 1 as const, defaults: { security: "full" as const } }), addAllowlistEntry: () => {} } } };
      const invoked: unknown[] = [];
      const nodes = { list: () => [{ nodeId: "n1", commands: ["system.run"] }], invoke: async (input: { params?: unknown }) => (invoked.push(input.params), { payload: { stdout: "", exitCode: 0 } }) };
      const tools = buildTools({ config: { tools: { profile: "coding" } }, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: ws, ports, nodes, skillEnv: { SKILL_TOKEN: "from-skill", BOTH: "skill" } });
      const exec = tools.find((t) => t.name === "exec");
      const signal = new AbortController().signal;
      const out = await exec?.execute({ command: 'echo "$SKILL_TOKEN/$BOTH"', env: { BOTH: "call" }, host: "gateway" }, { signal });
      expect(out).toContain("from-skill/call");
      await exec?.execute({ command: "true", host: "node", node: "n1" }, { signal });
      expect(invoked.length).toBe(1);
      expect(JSON.stringify(invoked)).not.toContain("from-skill");
    } finally {
      processes.killAll();
    }
  });
});

describe("disable-model-invocation", () => {
  test("is reported and the skill stays eligible (the run leaves it out of the prompt list)", () => {
    const ws = tmp();
    skill(join(ws, "skills"), "hidden", "name: hidden\ndescription: only by hand\ndisable-model-invocation: true");
    const s = buildSkillsReport({ config: {}, env: {}, stateDir: tmp(), workspace: ws }).skills.find((x) => x.name === "hidden");
    expect(s).toMatchObject({ eligible: true, disableModelInvocation: true });
  });
});

describe("agent runs", () => {
  test("the prompt lists eligible skills, not ineligible or disable-model-invocation ones; without a state dir none", async () => {
    const fake = startFakeProvider();
    try {
      const ws = tmp();
      skill(join(ws, "skills"), "shown", "name: shown\ndescription: listed one");
      skill(join(ws, "skills"), "hidden", "name: hidden\ndescription: by hand only\ndisable-model-invocation: true");
      skill(join(ws, "skills"), "blocked", 'name: blocked\ndescription: needs a tool\nmetadata: {"openclaw": {"requires": {"bins": ["no-such-bin-run-test"]}}}');
      const config = {
        models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk", api: "openai-completions" as const, models: [{ id: "m1" }] } } },
        agents: { defaults: { workspace: ws, model: { primary: "local/m1" } } },
      };
      const run = async (stateDir?: string) => {
        const rt = new AgentRuntime({ store: createMemoryStore(), config: () => config, emit: () => {}, logger: new Logger("t", { write: () => {} }), env: { PATH: process.env.PATH }, chatThrottleMs: 0, ...(stateDir && { stateDir }) });
        fake.push({ text: "ok" });
        const r = rt.submit({ runId: crypto.randomUUID(), kind: "agent", sessionKey: "agent:main:main", agentId: "main", message: "hi", timeoutMs: 30_000, channel: "test" });
        if (r.status !== "accepted") throw new Error(r.status);
        await r.done;
        return String(fake.requests.at(-1)?.body.messages[0].content);
      };
      const prompt = await run(tmp());
      expect(prompt).toContain(`- shown: listed one (${join(ws, "skills", "shown", "SKILL.md")})`);
      expect(prompt).toContain("- weather:");
      expect(prompt).not.toContain("hidden");
      expect(prompt).not.toContain("blocked");
      expect(await run()).not.toContain("## Skills");
    } finally {
      fake.stop();
    }
  });
});
