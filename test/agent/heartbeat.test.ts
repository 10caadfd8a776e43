/**
 * The heartbeat's pure parts: settings from config (defaults, per-agent blocks, which agents run), the
 * turn's message, the HEARTBEAT_OK reply contract, and what counts as an empty HEARTBEAT.md.
 */
import { describe, expect, test } from "bun:test";
import {
  buildHeartbeatMessage,
  classifyHeartbeatReply,
  DEFAULT_HEARTBEAT_PROMPT,
  heartbeatAgentIds,
  heartbeatSessionKey,
  isHeartbeatFileEmpty,
  isWithinActiveHours,
  resolveHeartbeat,
} from "../../src/agent/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { parseDuration } from "../../src/util/duration.ts";

describe("settings", () => {
  test("defaults: every 30m, target last, ackMaxChars 300, our prompt, default agent only", () => {
    expect(resolveHeartbeat({})).toEqual({ agentId: "main", enabled: true, every: "30m", everyMs: 1_800_000, prompt: DEFAULT_HEARTBEAT_PROMPT, target: "last", ackMaxChars: 300 });
    expect(DEFAULT_HEARTBEAT_PROMPT).toContain("HEARTBEAT.md");
    expect(DEFAULT_HEARTBEAT_PROMPT).toContain("HEARTBEAT_OK");
    const two: OpenClawConfig = { agents: { list: [{ id: "a" }, { id: "b", default: true }] } };
    expect(heartbeatAgentIds(two)).toEqual(["b"]);
    expect(resolveHeartbeat(two, "a").enabled).toBe(false);
    expect(resolveHeartbeat(two).agentId).toBe("b");
  });

  test('"0" and "0m" turn it off; an agent block merges over the defaults and picks who runs', () => {
    expect(resolveHeartbeat({ agents: { defaults: { heartbeat: { every: "0" } } } })).toMatchObject({ enabled: false, everyMs: 0, every: "0" });
    expect(resolveHeartbeat({ agents: { defaults: { heartbeat: { every: "0m" } } } }).enabled).toBe(false);
    const config: OpenClawConfig = {
      agents: {
        defaults: { heartbeat: { every: "1h", target: "none", ackMaxChars: 50 } },
        list: [{ id: "main", default: true }, { id: "ops", heartbeat: { every: "15m", target: "Telegram", to: "1001" } }],
      },
    };
    expect(heartbeatAgentIds(config)).toEqual(["ops"]);
    expect(resolveHeartbeat(config, "ops")).toMatchObject({ enabled: true, every: "15m", everyMs: 900_000, target: "telegram", to: "1001", ackMaxChars: 50 });
    expect(resolveHeartbeat(config, "main")).toMatchObject({ enabled: false, every: "1h", target: "none" });
  });

  test("session: the agent's main session unless another key is configured", () => {
    const config: OpenClawConfig = { session: { mainKey: "home" } };
    expect(heartbeatSessionKey(config, resolveHeartbeat(config))).toBe("agent:main:home");
    const other: OpenClawConfig = { agents: { defaults: { heartbeat: { session: "ops-room" } } } };
    expect(heartbeatSessionKey(other, resolveHeartbeat(other))).toBe("agent:main:ops-room");
  });

  test("durations: units, minutes by default, junk refused", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration(" 90s ")).toBe(90_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("2")).toBe(120_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("0")).toBe(0);
    for (const bad of ["", "soon", "-5m", "5 minutes", "1h30m", "m"]) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe("active hours", () => {
  const at = (iso: string) => Date.parse(iso);
  const hb = (activeHours: Record<string, string>, extra: OpenClawConfig["agents"] = {}) =>
    resolveHeartbeat({ agents: { ...extra, defaults: { ...extra.defaults, heartbeat: { activeHours } } } });

  test("a day window in a named zone: inside runs, outside does not, the end is exclusive", () => {
    const office = hb({ start: "09:00", end: "17:30", timezone: "Europe/Berlin" });
    expect(office.activeHours).toEqual({ startMin: 540, endMin: 1050, timeZone: "Europe/Berlin" });
    expect(isWithinActiveHours(office, at("2026-11-25T08:00:00Z"))).toBe(true); // 09:00 in Berlin
    expect(isWithinActiveHours(office, at("2026-11-25T07:59:00Z"))).toBe(false);
    expect(isWithinActiveHours(office, at("2026-11-25T16:29:00Z"))).toBe(true);
    expect(isWithinActiveHours(office, at("2026-11-25T16:30:00Z"))).toBe(false); // 17:30
  });

  test("a window that ends before it starts spans midnight; 24:00 is the end of the day", () => {
    const night = hb({ start: "22:00", end: "06:00", timezone: "UTC" });
    expect(isWithinActiveHours(night, at("2026-11-25T23:30:00Z"))).toBe(true);
    expect(isWithinActiveHours(night, at("2026-11-25T05:59:00Z"))).toBe(true);
    expect(isWithinActiveHours(night, at("2026-11-25T12:00:00Z"))).toBe(false);
    const evening = hb({ start: "18:00", end: "24:00", timezone: "UTC" });
    expect(isWithinActiveHours(evening, at("2026-11-25T23:59:00Z"))).toBe(true);
    expect(isWithinActiveHours(evening, at("2026-11-25T00:00:00Z"))).toBe(false);
  });

  test('"user" (the default) takes agents.defaults.userTimezone; an unknown zone or a missing or empty window means always', () => {
    const user = hb({ start: "09:00", end: "10:00" }, { defaults: { userTimezone: "America/New_York" } });
    expect(user.activeHours?.timeZone).toBe("America/New_York");
    expect(isWithinActiveHours(user, at("2026-11-25T14:30:00Z"))).toBe(true); // 09:30 in New York
    const host = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    expect(hb({ start: "09:00", end: "10:00", timezone: "Mars/Olympus" }).activeHours?.timeZone).toBe(host);
    expect(hb({ start: "09:00", end: "10:00", timezone: "local" }).activeHours?.timeZone).toBe(host);
    for (const always of [hb({ start: "09:00" }), hb({ start: "09:00", end: "09:00" }), resolveHeartbeat({})]) {
      expect(always.activeHours).toBeUndefined();
      expect(isWithinActiveHours(always, at("2026-11-25T03:00:00Z"))).toBe(true);
    }
  });
});

describe("message", () => {
  test("queued events come first, oldest first, then the prompt", () => {
    expect(buildHeartbeatMessage("P", [])).toBe("P");
    expect(buildHeartbeatMessage("P", ["first", "second"])).toBe("System: first\nSystem: second\n\nP");
  });
});

describe("reply contract", () => {
  test("the token alone, wrapped or with punctuation, is an acknowledgement", () => {
    for (const text of ["HEARTBEAT_OK", "  HEARTBEAT_OK\n", "**HEARTBEAT_OK**", "`HEARTBEAT_OK`.", "<b>HEARTBEAT_OK</b>", "HEARTBEAT_OK!", "HEARTBEAT_OK HEARTBEAT_OK"]) {
      expect({ text, r: classifyHeartbeatReply(text, 300) }).toEqual({ text, r: { kind: "ack" } });
    }
  });

  test("at the start or end with a short remark: ack; with more than ackMaxChars: the remark is the message", () => {
    expect(classifyHeartbeatReply("HEARTBEAT_OK. All quiet.", 300)).toEqual({ kind: "ack" });
    expect(classifyHeartbeatReply("All quiet. HEARTBEAT_OK", 300)).toEqual({ kind: "ack" });
    expect(classifyHeartbeatReply("HEARTBEAT_OK - all quiet", 5)).toEqual({ kind: "message", text: "all quiet" });
    const long = "x".repeat(301);
    expect(classifyHeartbeatReply(`HEARTBEAT_OK ${long}`, 300)).toEqual({ kind: "message", text: long });
    expect(classifyHeartbeatReply(`${long} HEARTBEAT_OK`, 300)).toEqual({ kind: "message", text: long });
  });

  test("a long run of wrap characters before the token is still an acknowledgement (and stays linear)", () => {
    expect(classifyHeartbeatReply(`${"* ".repeat(100_000)}HEARTBEAT_OK`, 300)).toEqual({ kind: "ack" });
    expect(classifyHeartbeatReply(`Rent is due. ${"_ ".repeat(100_000)}HEARTBEAT_OK`, 300)).toMatchObject({ kind: "message" });
    expect(classifyHeartbeatReply("* ".repeat(100_000), 300)).toMatchObject({ kind: "message" });
  });

  test("anything else is a message; the token in the middle is just text; empty is empty", () => {
    expect(classifyHeartbeatReply("Rent is due today.", 300)).toEqual({ kind: "message", text: "Rent is due today." });
    expect(classifyHeartbeatReply("I said HEARTBEAT_OK yesterday, but rent is due", 300)).toEqual({ kind: "message", text: "I said HEARTBEAT_OK yesterday, but rent is due" });
    expect(classifyHeartbeatReply("HEARTBEAT_OKAY then", 300)).toEqual({ kind: "message", text: "HEARTBEAT_OKAY then" });
    expect(classifyHeartbeatReply("  \n ", 300)).toEqual({ kind: "empty" });
  });
});

describe("HEARTBEAT.md", () => {
  test("only whitespace, headings and empty list items count as empty", () => {
    expect(isHeartbeatFileEmpty("")).toBe(true);
    expect(isHeartbeatFileEmpty("# Heartbeat\n\n## Tasks\n-\n- [ ]\n   \n")).toBe(true);
    expect(isHeartbeatFileEmpty("# Heartbeat\n- check the mail\n")).toBe(false);
    expect(isHeartbeatFileEmpty("#hashtag is text")).toBe(false);
  });
});
