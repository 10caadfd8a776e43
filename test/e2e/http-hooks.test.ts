/**
 * Start-up check through the compiled binary: `hooks.enabled` without `hooks.token` is a clear error and
 * exit code 1, before anything listens.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, freePort, runBinary, tempHome } from "../helpers/binary.ts";

const homes: string[] = [];
beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

test("hooks.enabled without hooks.token: exit 1 with the reason", () => {
  const home = tempHome();
  homes.push(home);
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const config = { gateway: { mode: "local", port: freePort(), auth: { token: "e2e-token-0123456789abcdef0123456789" } }, hooks: { enabled: true } };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config));
  const res = runBinary(["gateway"], { home });
  expect(res.code).toBe(1);
  expect(res.stderr + res.stdout).toContain("hooks.enabled requires hooks.token");
  expect(res.stdout).not.toContain("listening on");
});
