/** Small statistics helpers: percentiles, min/median/max summaries, rounding for reports. */

/** The p-th percentile (0–100) of `values` by nearest rank; NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median (mean of the two middle values for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** min / median / max of repeated measurements. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** Summarises repeated measurements. */
export function spread(values: number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  return { min: Math.min(...finite), median: median(finite), max: Math.max(...finite), n: finite.length };
}

/** Latency distribution of one run, in ms. */
export interface Latency {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

/** p50 / p99 / max of `values` (ms). */
export function latency(values: number[]): Latency {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: values.length ? values.reduce((a, b) => (b > a ? b : a), -Infinity) : Number.NaN, n: values.length };
}

/** Rounds to a readable precision: 3 significant digits below 100, integers above. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (Math.abs(v) >= 100) return Math.round(v);
  return Number(v.toPrecision(3));
}
