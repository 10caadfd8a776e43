import { expect, test } from "bun:test";
import { coalesceWindowMs } from "../../src/gateway/server.ts";

test("presence and health fan-outs are coalesced over a window that grows with the clients connected, up to 1 s", () => {
  expect(coalesceWindowMs(25, 0)).toBe(25);
  expect(coalesceWindowMs(25, 100)).toBe(25);
  expect(coalesceWindowMs(50, 100)).toBe(50);
  expect(coalesceWindowMs(25, 1000)).toBe(250);
  expect(coalesceWindowMs(25, 5000)).toBe(1000);
  expect(coalesceWindowMs(25, 50_000)).toBe(1000);
});
