/**
 * The `usage.cost` summary: tokens and USD cost of the model calls recorded in session transcripts (the
 * `usage` of assistant messages), per gateway-local calendar day over the last `days` days.
 *
 * A call's cost is the one its usage record carries when that is above zero; otherwise it is priced from
 * `models.providers.<provider>.models[].cost` (USD per million tokens of each kind); a call with tokens but
 * neither is counted in `missingCostEntries`. The agent records a zero cost placeholder on every call, so in
 * practice configured prices decide.
 *
 * Every transcript with a message in the window counts, also those a session reset left behind. Work is
 * bounded: at most {@link USAGE_SCAN_LIMITS}`.sessions` transcripts and `.messages` messages are read per
 * summary (newest first), and the scan yields to the event loop every `.yieldEvery` messages.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import type { UsageCostDay, UsageCostResult, UsageCostTotals } from "../../protocol/generated/types.ts";
import type { Store, TranscriptMessage, Usage } from "../../store/index.ts";

/** How much one summary reads at most, and how often it lets other work run. */
export const USAGE_SCAN_LIMITS = { sessions: 2_000, messages: 100_000, yieldEvery: 5_000 } as const;

/** Default and minimum of `days`. */
export const USAGE_COST_DEFAULT_DAYS = 30;

/** Options of {@link summarizeUsageCost}. */
export interface UsageCostOptions {
  /** Calendar days to cover, today included (at least 1; default 30). */
  days?: number;
  /** "Now", for tests. */
  now?: number;
  /** Overrides of {@link USAGE_SCAN_LIMITS}, for tests. */
  limits?: Partial<Record<keyof typeof USAGE_SCAN_LIMITS, number>>;
}

/** A summary and whether a scan limit cut it short (the totals then leave out the oldest calls). */
export interface UsageCostScan {
  summary: UsageCostResult;
  truncated: boolean;
}

/** A model's prices in USD per million tokens. */
interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * Sums the usage of assistant messages in the store's transcripts since local midnight `days - 1` days
 * ago. Only transcripts a session entry points to are read: a transcript left behind by a reset is not
 * reachable through {@link Store} and is not counted.
 * @returns the summary with `daily` sorted by date (days without calls left out); never throws for odd
 * transcript contents (messages without usage or timestamp are skipped).
 */
export async function summarizeUsageCost(store: Store, config: OpenClawConfig, opts: UsageCostOptions = {}): Promise<UsageCostScan> {
  const limits = { ...USAGE_SCAN_LIMITS, ...opts.limits };
  const days = Math.max(1, Math.floor(opts.days ?? USAGE_COST_DEFAULT_DAYS));
  const now = opts.now ?? Date.now();
  const since = windowStart(now, days);
  const prices = collectPrices(config);
  const daily = new Map<string, UsageCostTotals>();
  const totals = emptyTotals();
  const seen = new Set<string>();
  let budget = limits.messages;
  let sinceYield = 0;
  let truncated = false;

  // Every transcript active in the window, including those a reset left behind (no session points to them).
  for (const { sessionId } of store.listTranscripts(since)) {
    if (seen.has(sessionId)) continue;
    if (seen.size >= limits.sessions || budget <= 0) {
      truncated = true;
      break;
    }
    seen.add(sessionId);
    const read = readWindow(store, sessionId, since, budget);
    budget -= read.messages.length;
    truncated ||= read.cut;
    for (const m of read.messages) {
      if (m.role !== "assistant" || !m.usage || !(m.timestamp >= since)) continue;
      const tokens = toTokens(m.usage);
      if (tokens.totalTokens === 0) continue;
      const cost = costOf(m.usage, tokens, prices.get(priceKey(m.provider, m.model)));
      const date = toDateKey(m.timestamp);
      let day = daily.get(date);
      if (!day) daily.set(date, (day = emptyTotals()));
      addTo(day, tokens, cost);
      addTo(totals, tokens, cost);
    }
    sinceYield += read.messages.length;
    if (sinceYield >= limits.yieldEvery) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const rows: UsageCostDay[] = [...daily].sort(([a], [b]) => a.localeCompare(b)).map(([date, t]) => ({ date, ...t }));
  return { summary: { updatedAt: Date.now(), days, daily: rows, totals }, truncated };
}

/** Local midnight `days - 1` days before `now`: the first instant the summary covers. */
export function windowStart(now: number, days: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - (days - 1));
  const t = d.getTime();
  return Number.isFinite(t) ? t : 0;
}

/** `YYYY-MM-DD` of a timestamp in the gateway's local time zone. */
export function toDateKey(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// --- internal ---

type Tokens = Pick<UsageCostTotals, "input" | "output" | "cacheRead" | "cacheWrite" | "totalTokens">;

function emptyTotals(): UsageCostTotals {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, missingCostEntries: 0 };
}

function addTo(t: UsageCostTotals, tokens: Tokens, cost: number | undefined): void {
  t.input += tokens.input;
  t.output += tokens.output;
  t.cacheRead += tokens.cacheRead;
  t.cacheWrite += tokens.cacheWrite;
  t.totalTokens += tokens.totalTokens;
  if (cost === undefined) t.missingCostEntries += 1;
  else t.totalCost += cost;
}

/**
 * The newest messages of a transcript back to the first one before `since`, at most `budget`. Reads a
 * growing tail (256, ×4 …) so a long transcript with few recent messages costs little.
 */
function readWindow(store: Store, sessionId: string, since: number, budget: number): { messages: TranscriptMessage[]; cut: boolean } {
  const total = store.countMessages(sessionId);
  const max = Math.min(total, budget);
  let n = Math.min(max, 256);
  for (;;) {
    const messages = store.readMessages(sessionId, n, { imageMessages: 0 });
    const reachedStart = n >= total || (messages[0] !== undefined && messages[0].timestamp < since);
    if (reachedStart || n >= max) return { messages, cut: !reachedStart };
    n = Math.min(max, n * 4);
  }
}

/** Transcript usage → whole token counts; odd values count as 0 (transcripts may come from elsewhere). */
function toTokens(u: Usage): Tokens {
  const input = count(u.input);
  const output = count(u.output);
  const cacheRead = count(u.cacheRead);
  const cacheWrite = count(u.cacheWrite);
  const recorded = count(u.totalTokens ?? (u as { total?: unknown }).total);
  return { input, output, cacheRead, cacheWrite, totalTokens: recorded || input + output + cacheRead + cacheWrite };
}

function count(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.round(v) : 0;
}

/** The call's cost in USD, or undefined when neither the record nor the config prices it. */
function costOf(u: Usage, t: Tokens, price: ModelPrice | undefined): number | undefined {
  const recorded = u.cost?.total;
  if (typeof recorded === "number" && Number.isFinite(recorded) && recorded > 0) return recorded;
  if (!price) return undefined;
  return (t.input * price.input + t.output * price.output + t.cacheRead * price.cacheRead + t.cacheWrite * price.cacheWrite) / 1_000_000;
}

function priceKey(provider: string | undefined, model: string | undefined): string {
  return `${provider ?? ""}\u0000${model ?? ""}`;
}

/**
 * `provider\0model` → prices, from `models.providers.*.models[].cost`. A cost object with at least one
 * finite, non-negative number is a price (missing kinds cost 0); anything else is no price.
 */
function collectPrices(config: OpenClawConfig): Map<string, ModelPrice> {
  const out = new Map<string, ModelPrice>();
  for (const [provider, p] of Object.entries(config.models?.providers ?? {})) {
    for (const m of p.models ?? []) {
      const cost = (m as { cost?: unknown }).cost;
      if (!cost || typeof cost !== "object") continue;
      const c = cost as Record<string, unknown>;
      const rate = (k: keyof ModelPrice) => (typeof c[k] === "number" && Number.isFinite(c[k]) && (c[k] as number) >= 0 ? (c[k] as number) : undefined);
      const kinds = { input: rate("input"), output: rate("output"), cacheRead: rate("cacheRead"), cacheWrite: rate("cacheWrite") };
      if (Object.values(kinds).every((v) => v === undefined)) continue;
      out.set(priceKey(provider, m.id), { input: kinds.input ?? 0, output: kinds.output ?? 0, cacheRead: kinds.cacheRead ?? 0, cacheWrite: kinds.cacheWrite ?? 0 });
    }
  }
  return out;
}
