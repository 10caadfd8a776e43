import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { applyConfigEnv, loadConfig, parseConfigText } from "../../src/config/load.ts";
import { configIssuesOf } from "../helpers/config.ts";

const fixtures = join(import.meta.dir, "../fixtures/config");

describe("loadConfig", () => {
  test("missing file is a normal, empty config", () => {
    const loaded = loadConfig(join(fixtures, "does-not-exist.json5"), {});
    expect(loaded.exists).toBe(false);
    expect(loaded.config).toEqual({});
  });

  test("JSON5 with comments, trailing commas and ${ENV}", () => {
    const loaded = loadConfig(join(fixtures, "valid.json5"), { TEST_GW_TOKEN: "abc123" });
    expect(loaded.exists).toBe(true);
    expect(loaded.config.gateway?.auth?.token).toBe("abc123");
    expect(loaded.config.gateway?.port).toBe(18800);
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a missing env var names the path and the variable", () => {
    const issues = configIssuesOf(() => loadConfig(join(fixtures, "valid.json5"), {}));
    expect(issues).toEqual([{ path: "gateway.auth.token", message: expect.stringContaining('"TEST_GW_TOKEN"') }]);
  });

  test("syntax error gives line and column", () => {
    const issues = configIssuesOf(() => loadConfig(join(fixtures, "syntax-error.json5"), {}));
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/JSON5 syntax error \(line 5, column \d+\)/);
  });

  test("wrong types: every bad path is listed with what was expected", () => {
    const issues = configIssuesOf(() => loadConfig(join(fixtures, "wrong-types.json5"), {}));
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(["gateway.bind", "gateway.mode", "gateway.port", "gateway.reload.debounceMs", "surprise"]);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["gateway.port"]).toContain("integer");
    expect(byPath["gateway.mode"]).toContain("local");
    expect(byPath.surprise).toBe('unknown key "surprise"');
    expect(byPath["gateway.bind"]).toBe("must be one of: loopback, lan, tailnet, auto, custom");
  });

  test("$${X} escapes substitution; env block feeds substitution and applyConfigEnv", () => {
    const cfg = parseConfigText('{ env: { MY_KEY: "k1" }, gateway: { auth: { token: "${MY_KEY}" }, remote: { token: "$${LITERAL}" } } }', "x.json5", {});
    expect(cfg.gateway?.auth?.token).toBe("k1");
    expect(cfg.gateway?.remote?.token).toBe("${LITERAL}");
    const target: Record<string, string | undefined> = { OTHER: "1" };
    expect(applyConfigEnv(cfg, target)).toEqual(["MY_KEY"]);
    expect(applyConfigEnv(cfg, { MY_KEY: "set" })).toEqual([]);
  });

  test("top level must be an object", () => {
    expect(configIssuesOf(() => parseConfigText("[1,2]", "x", {}))[0].message).toContain("object");
  });
});
