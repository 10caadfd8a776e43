/** Text rendering of `usage.status` and `usage.cost` answers for `openclaw status --usage`. */
import type { UsageCostResult, UsageStatusResult } from "../../protocol/generated/types.ts";

/** Days of cost history `status --usage` asks for. */
export const STATUS_USAGE_DAYS = 30;

/** Lines describing provider quota windows: one per provider, or one saying there are none. */
export function formatProviderUsage(status: UsageStatusResult): string[] {
  if (status.providers.length === 0) return ["Provider usage: none available (no provider logins with usage reporting)"];
  return status.providers.map((p) => {
    const name = p.displayName ?? p.provider;
    if (p.error) return `Provider usage ${name}: ${p.error}`;
    const windows = p.windows.map((w) => `${w.label} ${Math.round(w.usedPercent)}% used`).join(", ");
    return `Provider usage ${name}${p.plan ? ` (${p.plan})` : ""}: ${windows || "no windows"}`;
  });
}

/**
 * The cost summary as a heading line, a note on unpriced calls when there are any, and a table with one
 * row per day that had model calls plus a total row; "No model calls." instead of the table when empty.
 */
export function formatCostTable(cost: UsageCostResult): string[] {
  const { totals } = cost;
  const lines = [`Usage cost (last ${cost.days} ${cost.days === 1 ? "day" : "days"}): ${formatUsd(totals.totalCost)} · ${formatTokens(totals.totalTokens)} tokens`];
  if (totals.missingCostEntries > 0) {
    lines.push(`${totals.missingCostEntries} model ${totals.missingCostEntries === 1 ? "call has" : "calls have"} no price (set models.providers.<id>.models[].cost, USD per 1M tokens)`);
  }
  if (cost.daily.length === 0) return [...lines, "No model calls."];
  const unpriced = totals.missingCostEntries > 0;
  const header = ["DATE", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "TOKENS", "COST", ...(unpriced ? ["UNPRICED"] : [])];
  const row = (label: string, t: UsageCostResult["totals"]) => [
    label,
    formatTokens(t.input),
    formatTokens(t.output),
    formatTokens(t.cacheRead),
    formatTokens(t.cacheWrite),
    formatTokens(t.totalTokens),
    formatUsd(t.totalCost),
    ...(unpriced ? [String(t.missingCostEntries)] : []),
  ];
  return [...lines, ...tableLines(header, [...cost.daily.map((d) => row(d.date, d)), row("total", totals)])];
}

/** "$1.23", "$0.05", "$0.0012"; small amounts keep four decimals so they do not read as zero. */
export function formatUsd(usd: number): string {
  return usd === 0 || usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

/** "950", "12.3k", "4.5M". */
export function formatTokens(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${trimZero((n / 1_000).toFixed(1))}k`;
  return `${trimZero((n / 1_000_000).toFixed(1))}M`;
}

// --- internal ---

function trimZero(s: string): string {
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function tableLines(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}
