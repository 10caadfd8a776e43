/**
 * The `cron` config block: valid blocks load; a wrong type, an out-of-range value or an unknown key is a
 * config error on its path.
 */
import { expect, test } from "bun:test";
import { parseConfigText } from "../../src/config/load.ts";
import { configIssues } from "../helpers/config.ts";

test("a full block loads; no block means enabled", () => {
  const config = parseConfigText(`{ cron: { enabled: false, maxConcurrentRuns: 2, store: "~/.openclaw/cron/jobs.json" } }`, "openclaw.json", {});
  expect(config.cron).toEqual({ enabled: false, maxConcurrentRuns: 2, store: "~/.openclaw/cron/jobs.json" });
  expect(parseConfigText(`{}`, "openclaw.json", {}).cron).toBeUndefined();
});

test("bad values and unknown keys name their path", () => {
  expect(configIssues(`{ cron: { enabled: "yes" } }`)).toEqual([{ path: "cron.enabled", message: expect.stringContaining("boolean") }]);
  expect(configIssues(`{ cron: { maxConcurrentRuns: 0 } }`)).toEqual([{ path: "cron.maxConcurrentRuns", message: expect.stringContaining(">= 1") }]);
  const unknown = configIssues(`{ cron: { enable: true } }`);
  expect(unknown).toHaveLength(1);
  expect(unknown[0].path).toStartWith("cron");
  expect(JSON.stringify(unknown[0])).toContain("enable");
});
