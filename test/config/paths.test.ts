import { describe, expect, test } from "bun:test";
import { applyProfileEnv, derivePorts, resolveConfigPath, resolveDefaultWorkspace, resolveGatewayPort, resolveStateDir } from "../../src/config/paths.ts";

describe("profiles and paths", () => {
  test("default profile", () => {
    const env = applyProfileEnv({ HOME: "/h" }, undefined);
    expect(resolveStateDir(env)).toBe("/h/.openclaw");
    expect(resolveConfigPath(env)).toBe("/h/.openclaw/openclaw.json");
    expect(resolveDefaultWorkspace(env)).toBe("/h/.openclaw/workspace");
  });

  test("--profile work", () => {
    const env = applyProfileEnv({ HOME: "/h" }, "work");
    expect(env.OPENCLAW_PROFILE).toBe("work");
    expect(resolveStateDir(env)).toBe("/h/.openclaw-work");
    expect(resolveConfigPath(env)).toBe("/h/.openclaw-work/openclaw.json");
    expect(resolveDefaultWorkspace(env)).toBe("/h/.openclaw/workspace-work");
    expect(env.OPENCLAW_GATEWAY_PORT).toBeUndefined();
  });

  test("--dev is profile dev with port 19001, unless already set", () => {
    const env = applyProfileEnv({ HOME: "/h" }, undefined, true);
    expect(resolveStateDir(env)).toBe("/h/.openclaw-dev");
    expect(resolveGatewayPort({ env })).toBe(19001);
    expect(resolveGatewayPort({ env: applyProfileEnv({ HOME: "/h", OPENCLAW_GATEWAY_PORT: "20000" }, undefined, true) })).toBe(20000);
  });

  test("explicit env wins over the profile", () => {
    const env = applyProfileEnv({ HOME: "/h", OPENCLAW_STATE_DIR: "/s", OPENCLAW_CONFIG_PATH: "/c/x.json" }, "work");
    expect(resolveStateDir(env)).toBe("/s");
    expect(resolveConfigPath(env)).toBe("/c/x.json");
  });

  test("invalid profile name", () => {
    expect(() => applyProfileEnv({ HOME: "/h" }, "a/b")).toThrow('Invalid --profile (use letters, numbers, "_", "-" only)');
  });

  test("port precedence: flag > env > config > default", () => {
    expect(resolveGatewayPort({ env: {} })).toBe(18789);
    expect(resolveGatewayPort({ env: {}, configPort: 1000 })).toBe(1000);
    expect(resolveGatewayPort({ env: { OPENCLAW_GATEWAY_PORT: "2000" }, configPort: 1000 })).toBe(2000);
    expect(resolveGatewayPort({ flag: "3000", env: { OPENCLAW_GATEWAY_PORT: "2000" }, configPort: 1000 })).toBe(3000);
  });

  test("invalid ports are clear errors naming the source", () => {
    expect(() => resolveGatewayPort({ flag: "abc", env: {} })).toThrow('Invalid port from --port: "abc"');
    expect(() => resolveGatewayPort({ flag: "70000", env: {} })).toThrow("1 to 65535");
    expect(() => resolveGatewayPort({ env: { OPENCLAW_GATEWAY_PORT: "0" } })).toThrow("OPENCLAW_GATEWAY_PORT");
  });

  test("derived ports", () => {
    expect(derivePorts(18789)).toEqual({ browserControl: 18791, canvas: 18793, cdpStart: 18800, cdpEnd: 18899 });
    expect(derivePorts(19001).canvas).toBe(19005);
  });
});
