import { describe, expect, test } from "bun:test";
import { resolveGatewaySettings } from "../../src/config/gateway-settings.ts";

const local = { gateway: { mode: "local" as const, auth: { token: "t".repeat(40) } } };

describe("resolveGatewaySettings", () => {
  test("no config file: refused with the setup hint", () => {
    expect(() => resolveGatewaySettings({ config: {}, configExists: false, env: {} })).toThrow("Missing config. Run `openclaw setup`");
  });

  test("mode not local: blocked, naming the current mode", () => {
    expect(() => resolveGatewaySettings({ config: { gateway: { mode: "remote" } }, configExists: true, env: {} })).toThrow("(current: remote)");
    expect(() => resolveGatewaySettings({ config: {}, configExists: true, env: {} })).toThrow("(current: unset)");
  });

  test("--allow-unconfigured still needs a token", () => {
    expect(() => resolveGatewaySettings({ config: {}, configExists: false, env: {}, flags: { allowUnconfigured: true } })).toThrow("Gateway auth is set to token, but no token is configured.");
    const s = resolveGatewaySettings({ config: {}, configExists: false, env: { OPENCLAW_GATEWAY_TOKEN: "x".repeat(32) }, flags: { allowUnconfigured: true } });
    expect(s.auth).toEqual({ mode: "token", token: "x".repeat(32), password: undefined });
  });

  test("empty and 'undefined' tokens are refused", () => {
    for (const bad of ["", "  ", "undefined"]) {
      expect(() => resolveGatewaySettings({ config: local, configExists: true, env: {}, flags: { token: bad } })).toThrow("Refusing an empty or placeholder secret from --token");
    }
    expect(() => resolveGatewaySettings({ config: local, configExists: true, env: { OPENCLAW_GATEWAY_TOKEN: "undefined" }, flags: {} })).not.toThrow();
  });

  test("token precedence --token > config > env", () => {
    expect(resolveGatewaySettings({ config: local, configExists: true, env: { OPENCLAW_GATEWAY_TOKEN: "env" }, flags: { token: "flag" } }).auth.token).toBe("flag");
    expect(resolveGatewaySettings({ config: local, configExists: true, env: { OPENCLAW_GATEWAY_TOKEN: "env" } }).auth.token).toBe("t".repeat(40));
  });

  test("password mode is chosen when only a password is set", () => {
    const s = resolveGatewaySettings({ config: { gateway: { mode: "local", auth: { password: "pw" } } }, configExists: true, env: {} });
    expect(s.auth.mode).toBe("password");
  });

  test("loopback listens on both address families; bad bind and auth are errors", () => {
    expect(resolveGatewaySettings({ config: local, configExists: true, env: {} }).hosts).toEqual(["127.0.0.1", "::1"]);
    expect(() => resolveGatewaySettings({ config: local, configExists: true, env: {}, flags: { bind: "moon" } })).toThrow("Invalid --bind");
    expect(() => resolveGatewaySettings({ config: local, configExists: true, env: {}, flags: { auth: "x" } })).toThrow('Invalid --auth (use "token" or "password")');
  });
});
