/**
 * Our file log keeps one flat JSON record per line (`{time, level, subsystem, msg, ...fields}`); the
 * upstream clients (CLI `logs`, the Control UI's Logs tab) read `logs.tail` lines in the shape of the
 * upstream's tslog JSON lines instead: numbered message arguments ("0", "1", …), `_meta.logLevelName`,
 * `_meta.name` (a JSON string `{"subsystem":…}`) and `time` (see test/fixtures/upstream/logs-tail.json).
 * `logs.tail` converts on the way out.
 */

// tslog's level ids (silly 0 … fatal 6); `silent` never reaches a file.
const LEVEL_IDS: Record<string, number> = { trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6 };

/**
 * Converts one of our log records to the upstream line shape. "0" carries the subsystem (as upstream
 * subsystem loggers do), "1" the message, "2" the structured fields when there are any.
 * @returns the line unchanged when it is not one of our records (foreign or partial lines stay as they are).
 */
export function toUpstreamLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line);
  } catch {
    return line;
  }
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) return line;
  const { time, level, subsystem, msg, ...fields } = rec;
  if (typeof level !== "string" || typeof msg !== "string" || typeof time !== "string" || "_meta" in rec) return line;
  const name = JSON.stringify({ subsystem: typeof subsystem === "string" ? subsystem : "gateway" });
  const out: Record<string, unknown> = { "0": name, "1": msg };
  if (Object.keys(fields).length > 0) out["2"] = fields;
  out._meta = {
    runtime: "bun",
    name,
    parentNames: ["openclaw"],
    date: time,
    logLevelId: LEVEL_IDS[level] ?? 3,
    logLevelName: level.toUpperCase(),
  };
  out.time = time;
  return JSON.stringify(out);
}
