import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { toCliFailure } from "../../src/cli/failure.ts";
import { nearest, runCli } from "../../src/cli/run.ts";
import { GatewayRequestError, GatewayTransportError } from "../../src/client/gateway-client.ts";
import { ConfigError } from "../../src/errors.ts";

function harness(thrown: () => unknown) {
  const out: string[] = [];
  const err: string[] = [];
  const boom = defineCommand({
    meta: { name: "boom" },
    args: { json: { type: "boolean" } },
    run: () => {
      throw thrown();
    },
  });
  const root = defineCommand({ meta: { name: "openclaw" }, subCommands: { boom } });
  const run = (argv: string[]) => runCli(root, argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, "9.9.9");
  return { run, out, err };
}

describe("CLI failures", () => {
  test("an unexpected error: one line and a pointer to --verbose; the stack only with --verbose", async () => {
    const h = harness(() => new Error("boom went the thing"));
    expect(await h.run(["boom"])).toBe(1);
    expect(h.err).toEqual(["Error: boom went the thing", "Run again with --verbose for the stack trace."]);
    const v = harness(() => new Error("boom went the thing"));
    expect(await v.run(["boom", "--verbose"])).toBe(1);
    expect(v.err[0]).toBe("Error: boom went the thing");
    expect(v.err[1]).toMatch(/^Error: boom went the thing\n\s+at /);
  });

  test("--json: {ok:false, error:{code, message}} on stdout, nothing on stderr", async () => {
    const h = harness(() => new GatewayTransportError("cannot reach the gateway at ws://127.0.0.1:1: is it running?"));
    expect(await h.run(["boom", "--json"])).toBe(1);
    expect(h.err).toEqual([]);
    expect(JSON.parse(h.out[0])).toMatchObject({ ok: false, error: { code: "UNAVAILABLE", message: "cannot reach the gateway at ws://127.0.0.1:1: is it running?" } });
  });

  test("a refused connect names the URL; the gateway.remote.* advice only in remote mode", () => {
    const refused = () => {
      const e = new GatewayRequestError({ code: "INVALID_REQUEST", message: "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)" });
      e.url = "ws://127.0.0.1:19001";
      return e;
    };
    const localFailure = toCliFailure(refused());
    expect(localFailure.message).toBe("gateway at ws://127.0.0.1:19001: unauthorized: gateway token mismatch");
    expect(localFailure.hint).toContain("--token");
    expect(`${localFailure.message} ${localFailure.hint}`).not.toContain("gateway.remote");
    const remote = refused();
    remote.remote = true;
    expect(toCliFailure(remote).message).toContain("(set gateway.remote.token to match gateway.auth.token)");
    expect(toCliFailure(new ConfigError("/x/openclaw.json", [{ path: "gateway.port", message: "expected integer" }]))).toMatchObject({ code: "INVALID_CONFIG" });
  });

  test("nearest command: typos and swapped letters, nothing for far-off words", () => {
    const names = ["gateway", "status", "logs", "health", "channels", "message"];
    expect(nearest("sttaus", names)).toBe("status");
    expect(nearest("gatway", names)).toBe("gateway");
    expect(nearest("log", names)).toBe("logs");
    expect(nearest("chan", names)).toBe("channels");
    expect(nearest("xyzzy", names)).toBeUndefined();
  });
});
