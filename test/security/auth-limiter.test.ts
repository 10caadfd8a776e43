/**
 * Advisory class: the failed-auth limiter counts per credential, and the owner is not locked out.
 * A success with one credential (hooks token, a paired device's token) never clears the failures counted
 * against another (the gateway's shared secret), on any surface; a paired device proving itself (signature
 * over the challenge nonce plus its device token) is not a guess at the shared secret and is not refused by
 * its lockout; the CLI uses that device identity; the lockout answer says when to retry, in seconds.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { newIdentity } from "../helpers/protocol.ts";
import { rawConnect, rawConnectParams, rawDeviceConnect, rawHttp } from "./_helpers.ts";

const TOKEN = "limiter-token-0123456789abcdef0123456789";
const HOOK_TOKEN = "limiter-hook-token-0123456789abcdef";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(): Promise<TestGateway> {
  const gw = await startTestGateway({
    config: { gateway: { mode: "local", auth: { token: TOKEN } }, hooks: { enabled: true, token: HOOK_TOKEN, path: "/hooks" } },
    settings: { auth: { mode: "token", token: TOKEN } },
  });
  cleanup.push(() => gw.stop());
  return gw;
}

type Outcome = "accepted" | "mismatch" | "locked";

/** One WebSocket connect with `token` from `address`; the lockout answer must carry seconds and retryAfterMs. */
async function connectWith(gw: TestGateway, address: string, token: string): Promise<Outcome> {
  const { ws, res } = await rawConnect({ port: gw.handle.port, localAddress: address }, rawConnectParams({ auth: { token } }));
  ws.destroy();
  if (res.ok) return "accepted";
  if (/too many failed auth attempts/.test(res.error.message)) {
    expect(res.error.message).toMatch(/^unauthorized: too many failed auth attempts \(retry in \d+ s\)$/);
    expect(res.error.retryAfterMs).toBeGreaterThan(0);
    return "locked";
  }
  expect(res.error.message).toStartWith("unauthorized: gateway token mismatch");
  return "mismatch";
}

function hook(gw: TestGateway, address: string, token: string) {
  return rawHttp({ port: gw.handle.port, localAddress: address, method: "POST", path: "/hooks/wake", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": "13" }, body: '{"text":"hi"}' });
}

/** Pairs a device from `address` (loopback: approved on first connect) and returns a connect with its token. */
async function pairedDevice(gw: TestGateway, address: string, scopes: string[]) {
  const identity = newIdentity();
  const first = await rawDeviceConnect({ port: gw.handle.port, localAddress: address }, identity, { token: TOKEN, scopes });
  first.ws.destroy();
  expect(first.res.ok).toBe(true);
  const deviceToken = first.res.payload.auth.deviceToken as string;
  return async (): Promise<any> => {
    const { ws, res } = await rawDeviceConnect({ port: gw.handle.port, localAddress: address }, identity, { token: deviceToken, scopes });
    ws.destroy();
    return res;
  };
}

describe("a success with one credential never clears failures counted against another", () => {
  test("9 wrong gateway tokens + 1 valid hooks token or read-only device token, repeated: at most 10 guesses get through", async () => {
    const gw = await gateway();
    const address = "127.0.0.5";
    const deviceConnect = await pairedDevice(gw, address, ["operator.read"]);
    const outcomes: Outcome[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 9; i++) outcomes.push(await connectWith(gw, address, `wrong-${round}-${i}`));
      if (round % 2 === 0) expect((await hook(gw, address, HOOK_TOKEN)).status).toBe(200);
      else expect((await deviceConnect()).ok).toBe(true);
    }
    expect(outcomes.filter((o) => o === "accepted")).toEqual([]);
    expect(outcomes.filter((o) => o === "mismatch").length).toBe(10);
    expect(outcomes.filter((o) => o === "locked").length).toBe(26);
    // Another loopback address is not affected.
    expect(await connectWith(gw, "127.0.0.6", TOKEN)).toBe("accepted");
  });

  test("HTTP: wrong gateway bearers stay limited across valid hooks requests; hooks guesses lock only the hooks token", async () => {
    const gw = await gateway();
    const address = "127.0.0.7";
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 9; i++) {
        const res = await rawHttp({ port: gw.handle.port, localAddress: address, method: "POST", path: "/tools/invoke", headers: { authorization: `Bearer wrong-${round}-${i}`, "content-type": "application/json", "content-length": "2" }, body: "{}" });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      }
      expect((await hook(gw, address, HOOK_TOKEN)).status).toBe(200);
    }
    expect(statuses.filter((s) => s === 401).length).toBe(10);
    expect(statuses.filter((s) => s === 429).length).toBe(17);

    // Ten wrong hooks tokens from a fresh address lock the hooks token (with seconds), not the gateway token.
    const other = "127.0.0.8";
    for (let i = 0; i < 10; i++) expect((await hook(gw, other, `wrong-hook-${i}`)).status).toBe(401);
    const locked = await hook(gw, other, HOOK_TOKEN);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatch(/retry in \d+ s/);
    expect(await connectWith(gw, other, TOKEN)).toBe("accepted");
  });
});

describe("the owner is not locked out by guesses at the shared secret", () => {
  test("a paired device's signed token connects during the lockout; the secret itself stays locked", async () => {
    const gw = await gateway();
    const address = "127.0.0.1";
    const deviceConnect = await pairedDevice(gw, address, ["operator.admin"]);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 25; i++) outcomes.push(await connectWith(gw, address, `guess-${i}`));
    expect(outcomes.filter((o) => o === "mismatch").length).toBe(10);
    expect(outcomes.filter((o) => o === "locked").length).toBe(15);

    const res = await deviceConnect();
    expect(res.ok).toBe(true);
    expect(res.payload.auth.scopes).toEqual(["operator.admin"]);
    // The right shared secret is still refused: the lockout is about the secret, whoever sends it.
    expect(await connectWith(gw, address, TOKEN)).toBe("locked");
    // A signed connect carrying a guess instead of the device token is a guess: refused by the lockout.
    const guess = await rawDeviceConnect({ port: gw.handle.port, localAddress: address }, newIdentity(), { token: "guess-signed", scopes: ["operator.admin"] });
    guess.ws.destroy();
    expect(guess.res.error.message).toMatch(/too many failed auth attempts \(retry in \d+ s\)/);
  });

  test("the CLI uses its device identity: it keeps working during the lockout; a CLI without one is told when to retry", async () => {
    const gw = await gateway();
    const home = mkdtempSync(join(tmpdir(), "oc-cli-owner-"));
    const target = { url: gw.url, token: TOKEN, home };
    const first = await runCli(target, ["health", "--json"]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: "" });
    const stored = join(home, ".openclaw", "identity", "device-auth.json");
    expect(existsSync(stored)).toBe(true);
    expect(readFileSync(stored, "utf8")).not.toContain(TOKEN);

    for (let i = 0; i < 12; i++) await connectWith(gw, "127.0.0.1", `attack-${i}`);
    expect(await connectWith(gw, "127.0.0.1", TOKEN)).toBe("locked");

    const during = await runCli(target, ["health", "--json"]);
    expect({ code: during.code, stderr: during.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(during.stdout)).toMatchObject({ ok: true });

    const fresh = { ...target, home: mkdtempSync(join(tmpdir(), "oc-cli-fresh-")) };
    const stranger = await runCli(fresh, ["health"]);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/too many failed auth attempts \(retry in \d+ s\)/);
    // With --json the same refusal is the error object on stdout.
    const strangerJson = await runCli(fresh, ["health", "--json"]);
    expect(strangerJson.code).toBe(1);
    expect(JSON.parse(strangerJson.stdout).error.message).toMatch(/too many failed auth attempts \(retry in \d+ s\)/);
  });
});
