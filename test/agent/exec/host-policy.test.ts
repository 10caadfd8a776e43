import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeAllowlist, DEFAULT_HOST_POLICY, globMatches, parseShellCommands, resolveExecutable, resolveHostPolicy } from "../../../src/agent/exec/index.ts";
import { decideHost } from "../../../src/agent/exec/host-policy.ts";

describe("parseShellCommands", () => {
  test("splits at ; && || | & and newlines, removing quotes", () => {
    const r = parseShellCommands("ls -l 'a b' | wc -l && echo \"x\\\"y\" ; git log --format='%h' &\npwd");
    expect(r.ok && r.commands.map((c) => c.argv)).toEqual([["ls", "-l", "a b"], ["wc", "-l"], ["echo", 'x"y'], ["git", "log", "--format=%h"], ["pwd"]]);
  });

  test.each([
    ["echo $(id)", "command substitution"],
    ['echo "`id`"', "command substitution"],
    ["diff <(ls) x", "process substitution"],
    ["ls > out", "redirection"],
    ["(ls)", "subshell or group"],
    ["LD_PRELOAD=/x.so ls", "leading variable assignment"],
    ["$CMD -x", "expansion in the command name"],
    ["eval ls", 'shell construct "eval"'],
    ["ls |", "operator without a command after it"],
    ["echo 'open", "unterminated single quote"],
  ])("%s is not judged (%s)", (line, reason) => {
    expect(parseShellCommands(line)).toEqual({ ok: false, reason });
  });
});

describe("allowlist matching", () => {
  const cwd = "/";
  const ls = resolveExecutable("ls", cwd)!;
  const id = resolveExecutable("id", cwd)!;

  test("globs match the resolved path, case-insensitively; a bare name matches nothing", () => {
    expect(globMatches("/usr/bin/*", "/usr/bin/ls")).toBe(true);
    expect(globMatches("/usr/*", "/usr/bin/ls")).toBe(false);
    expect(globMatches("/usr/**", "/usr/bin/ls")).toBe(true);
    expect(globMatches("/USR/BIN/L?", "/usr/bin/ls")).toBe(true);
    expect(globMatches("ls", "/usr/bin/ls")).toBe(false);
  });

  test("every simple command must match; the first miss is reported", () => {
    const a = analyzeAllowlist("ls -l && id", { allowlist: [{ pattern: ls }], cwd });
    expect(a.satisfied).toBe(false);
    expect(a.segments.map((s) => [s.resolvedPath, s.matchedBy ?? null])).toEqual([[ls, ls], [id, null]]);
    expect(analyzeAllowlist("ls -l && id", { allowlist: [{ pattern: ls }, { pattern: id }], cwd }).satisfied).toBe(true);
  });

  test("safe bins run on stdin only: no file operands, no file-reading or writing options", () => {
    const dir = mkdtempSync(join(tmpdir(), "safebin-"));
    try {
      writeFileSync(join(dir, "secret"), "x");
      const ok = (cmd: string) => analyzeAllowlist(cmd, { allowlist: [{ pattern: ls }], cwd: dir }).satisfied;
      expect(ok("ls | grep -i foo | sort -r | uniq -c | head -n 5 | wc -l")).toBe(true);
      expect(ok("ls | jq -r .name")).toBe(true);
      writeFileSync(join(dir, ".env"), "x");
      expect(ok("ls | jq .")).toBe(true); // the filter is not a file operand
      expect(ok("jq . .env")).toBe(false); // .env is an existing file
      expect(ok("ls | jq 'import \"m\" as m; .'")).toBe(false); // jq modules are files
      expect(ok("ls | grep secret")).toBe(true); // the pattern, not the file of that name
      expect(ok("ls | grep -e x secret")).toBe(false); // with -e, "secret" is a file operand
      expect(ok("grep foo secret")).toBe(false); // an existing file as operand
      expect(ok("grep foo /etc/passwd")).toBe(false); // a path
      expect(ok("grep -r foo")).toBe(false); // recursive reads the working directory
      expect(ok("grep -f patterns")).toBe(false);
      expect(ok("ls | sort -o out")).toBe(false); // writes a file
      expect(ok("ls | sort --compress-program=sh")).toBe(false); // runs a program
      expect(ok("ls | grep $HOME")).toBe(false); // expands
      expect(ok("./grep foo")).toBe(false); // only bare names found on PATH
      expect(analyzeAllowlist("ls | grep x", { allowlist: [{ pattern: ls }], safeBins: [], cwd: dir }).satisfied).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("policy", () => {
  test("a fresh install asks on every host command and refuses when unanswered; full must be chosen", () => {
    expect(resolveHostPolicy({ version: 1 }, "main")).toEqual({ ...DEFAULT_HOST_POLICY, allowlist: [] });
    expect(DEFAULT_HOST_POLICY).toEqual({ security: "allowlist", ask: "on-miss", askFallback: "deny" });
  });

  test("agent entry wins over \"*\" and defaults; allowlists of the agent and \"*\" combine", () => {
    const file = { version: 1 as const, defaults: { security: "deny" as const, ask: "off" as const }, agents: { "*": { ask: "always" as const, allowlist: [{ pattern: "/bin/*" }] }, main: { security: "full" as const, allowlist: [{ pattern: "/usr/bin/*" }, { pattern: " " }] } } };
    expect(resolveHostPolicy(file, "main")).toEqual({ security: "full", ask: "always", askFallback: "deny", allowlist: [{ pattern: "/usr/bin/*" }, { pattern: "/bin/*" }] });
    expect(resolveHostPolicy(file, "other").security).toBe("deny");
  });

  test("decisions", () => {
    const hit = analyzeAllowlist("ls", { allowlist: [{ pattern: "/**" }], cwd: "/" });
    const miss = analyzeAllowlist("ls", { allowlist: [], cwd: "/" });
    const p = (security: "deny" | "allowlist" | "full", ask: "off" | "on-miss" | "always") => ({ security, ask, askFallback: "deny" as const, allowlist: [] });
    expect(decideHost(p("deny", "always"), hit).action).toBe("deny");
    expect(decideHost(p("full", "off"), miss).action).toBe("run");
    expect(decideHost(p("full", "always"), hit).action).toBe("ask");
    expect(decideHost(p("allowlist", "on-miss"), hit).action).toBe("run");
    expect(decideHost(p("allowlist", "on-miss"), miss).action).toBe("ask");
    expect(decideHost(p("allowlist", "off"), miss).action).toBe("deny");
  });
});
