/**
 * Heartbeat config keys (`agents.defaults.heartbeat`, `agents.list[].heartbeat`): valid blocks load, bad
 * values are config errors that name the key and say what is expected.
 */
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../src/config/load.ts";
import type { ConfigError } from "../../src/errors.ts";
import { DURATION_HINT } from "../../src/util/duration.ts";
import { configIssues } from "../helpers/config.ts";

describe("heartbeat config", () => {
  test("a full block loads, in the defaults and per agent", () => {
    const config = parseConfigText(
      `{ agents: { defaults: { heartbeat: { every: "45m", prompt: "Check in.", target: "telegram", to: "1001", accountId: "default", ackMaxChars: 120, model: "local/m1", session: "main" } },
         list: [{ id: "ops", heartbeat: { every: "0" } }] } }`,
      "openclaw.json",
      {},
    );
    expect(config.agents?.defaults?.heartbeat?.every).toBe("45m");
    expect(config.agents?.list?.[0].heartbeat).toEqual({ every: "0" });
  });

  test("a bad every is an error on its path with the accepted forms", () => {
    expect(configIssues(`{ agents: { defaults: { heartbeat: { every: "soon" } } } }`)).toEqual([{ path: "agents.defaults.heartbeat.every", message: DURATION_HINT }]);
    expect(configIssues(`{ agents: { list: [{ id: "a", heartbeat: { every: "-5m" } }] } }`)).toEqual([{ path: "agents.list[0].heartbeat.every", message: DURATION_HINT }]);
    expect(DURATION_HINT).toContain('"30m"');
    const err = (() => {
      try {
        parseConfigText(`{ agents: { defaults: { heartbeat: { every: 30 } } } }`, "openclaw.json", {});
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.message).toContain("agents.defaults.heartbeat.every");
  });

  test("the upstream's activeHours and includeReasoning load; bad times are errors on their path", () => {
    const config = parseConfigText(
      `{ agents: { defaults: { userTimezone: "Europe/Berlin", heartbeat: { activeHours: { start: "08:00", end: "24:00", timezone: "user" }, includeReasoning: false } } } }`,
      "openclaw.json",
      {},
    );
    expect(config.agents?.defaults?.heartbeat?.activeHours).toEqual({ start: "08:00", end: "24:00", timezone: "user" });
    const issues = configIssues(`{ agents: { defaults: { heartbeat: { activeHours: { start: "24:00", end: "7:00", tz: "UTC" } } } } }`);
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(["agents.defaults.heartbeat.activeHours.end", "agents.defaults.heartbeat.activeHours.start", "agents.defaults.heartbeat.activeHours.tz"]);
  });

  test("other keys: types checked, unknown keys refused", () => {
    const issues = configIssues(`{ agents: { defaults: { heartbeat: { ackMaxChars: -1, target: "", evry: "1h" } } } }`);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["agents.defaults.heartbeat.ackMaxChars"]).toContain(">= 0");
    expect(byPath["agents.defaults.heartbeat.target"]).toBe("must not be empty");
    expect(byPath["agents.defaults.heartbeat.evry"]).toBe('unknown key "evry"');
  });
});
