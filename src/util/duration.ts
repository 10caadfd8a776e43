/**
 * Duration strings as config files write them: a number and an optional unit (`ms`, `s`, `m`, `h`, `d`),
 * minutes when the unit is left out. `"30m"`, `"1h"`, `"90s"`, `"1.5h"`, `"0"`.
 */

/** What a duration string must look like (also the config schema's `pattern`). */
export const DURATION_PATTERN = "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?\\s*$";

/** How a bad duration is explained to the user. */
export const DURATION_HINT = 'must be a duration such as "30m", "1h", "90s" or "0" (a number with an optional unit ms, s, m, h, d; minutes when omitted)';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = new RegExp(DURATION_PATTERN);

/**
 * Parses a duration string into milliseconds.
 * @returns the duration, or undefined when `text` is not a duration.
 * @example parseDuration("30m") // 1_800_000
 * @example parseDuration("2") // 120_000 (minutes by default)
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? "m") as keyof typeof UNIT_MS;
  return Math.round(Number.parseFloat(text.trim()) * UNIT_MS[unit]);
}
