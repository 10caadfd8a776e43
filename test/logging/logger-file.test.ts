import { afterEach, expect, setSystemTime, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/logging/logger.ts";

const dirs: string[] = [];
afterEach(() => {
  setSystemTime();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function lines(file: string): { msg: string; level: string }[] {
  return readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

test("every line at or above the file level lands in the file at once; lines below it are not written", () => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-log-"));
  dirs.push(dir);
  const file = join(dir, "sub", "gw.log");
  const logger = new Logger("gateway", { file, write: () => {} });
  logger.info("one");
  logger.child("ws").debug("hidden");
  logger.child("ws").warn("two", { token: "s3cret" });
  expect(lines(file).map((l) => l.msg)).toEqual(["one", "two"]);
  expect(readFileSync(file, "utf8")).not.toContain("s3cret");
  logger.close();
});

test("a log file removed while the gateway runs is created again (checked at most once a second)", () => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-log-"));
  dirs.push(dir);
  const file = join(dir, "gw.log");
  const logger = new Logger("gateway", { file, write: () => {} });
  setSystemTime(new Date("2026-12-07T10:00:00Z"));
  logger.info("before");
  rmSync(file);
  setSystemTime(new Date("2026-12-07T10:00:02Z"));
  logger.info("after");
  expect(existsSync(file)).toBe(true);
  expect(lines(file).map((l) => l.msg)).toEqual(["after"]);
  logger.close();
});
