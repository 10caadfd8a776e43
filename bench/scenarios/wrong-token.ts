/**
 * Scenario 7: `attempts` connects with a wrong token, `concurrency` at a time, from source address
 * 127.0.0.2 (raw sockets over node:net, which can bind a local address), while a good client on 127.0.0.1
 * repeatedly opens a connection, authenticates, calls `health` and closes. Reports how the gateway answered
 * the attackers (mismatch vs rate-limit lockout), the good client's latency before and during the attack,
 * and whether the gateway stayed up.
 */
import { connectClient, connectFrame } from "../lib/client.ts";
import { waitQuiet } from "../lib/quiet.ts";
import type { RunningServer } from "../lib/servers.ts";
import { latency, type Latency } from "../lib/stats.ts";
import { openRawWs, type RawWs } from "../../test/helpers/raw-ws.ts";

/** Outcome of one attack run. */
export interface WrongToken {
  attempts: number;
  attackerAddress: string;
  attackMs: number;
  /** Attacker outcomes by the gateway's error message (or transport error). */
  outcomes: Record<string, number>;
  /** Good client connect+health, sequential, before the attack. */
  baselineMs: Latency;
  /** Same, while the attack runs. */
  duringMs: Latency;
  goodFailures: number;
  goodFirstError?: string;
  serverAlive: boolean;
  /** A connect+health after the attack succeeded. */
  healthyAfter: boolean;
}

/** Options of {@link runWrongToken}. */
export interface WrongTokenOptions {
  attempts: number;
  concurrency: number;
  baselineSamples: number;
  attackerAddress?: string;
}

async function goodRound(s: RunningServer): Promise<number> {
  const t = performance.now();
  const c = await connectClient({ url: s.url, token: s.token, instanceId: "bench-good", timeoutMs: 10_000 });
  try {
    const r = await c.request("health");
    if (!r.ok) throw new Error(`health failed: ${r.text.slice(0, 120)}`);
    return performance.now() - t;
  } finally {
    c.close();
  }
}

/** Classifies an error message into a short label. */
function label(message: string): string {
  if (/too many failed/i.test(message)) return "rate-limited (locked out)";
  if (/token mismatch/i.test(message)) return "token mismatch";
  return message.slice(0, 60);
}

async function attackOnce(s: RunningServer, address: string): Promise<string> {
  const port = Number(new URL(s.url).port);
  let sock: RawWs | undefined;
  try {
    sock = await openRawWs({ port, localAddress: address, timeoutMs: 10_000 });
    const challenge = await sock.next(10_000);
    if (!challenge) return "no challenge";
    sock.sendText(connectFrame(`wrong-${crypto.randomUUID()}`, { instanceId: "bench-attacker" }));
    const res = await sock.next(10_000);
    if (!res) return "closed without reply";
    if (res.opcode === 8) return `closed ${res.code}`;
    try {
      const f = JSON.parse(res.text) as { ok?: boolean; error?: { message?: string } };
      return f.ok ? "ACCEPTED (!)" : label(f.error?.message ?? "error");
    } catch {
      return "unparsable reply";
    }
  } catch (err) {
    return `transport: ${(err as Error).message.slice(0, 60)}`;
  } finally {
    sock?.destroy();
  }
}

/** Runs scenario 7 once. */
export async function runWrongToken(s: RunningServer, opts: WrongTokenOptions): Promise<WrongToken> {
  const address = opts.attackerAddress ?? "127.0.0.2";
  await waitQuiet(s.pid);
  const baseline: number[] = [];
  for (let i = 0; i < opts.baselineSamples; i++) baseline.push(await goodRound(s));

  const outcomes: Record<string, number> = {};
  let next = 0;
  let attacking = true;
  const t0 = performance.now();
  const attacker = async () => {
    while (next < opts.attempts) {
      next += 1;
      const o = await attackOnce(s, address);
      outcomes[o] = (outcomes[o] ?? 0) + 1;
    }
  };
  const attack = Promise.all(Array.from({ length: opts.concurrency }, attacker)).then(() => {
    attacking = false;
    return performance.now() - t0;
  });
  const during: number[] = [];
  let goodFailures = 0;
  let goodFirstError: string | undefined;
  while (attacking) {
    try {
      during.push(await goodRound(s));
    } catch (err) {
      goodFailures += 1;
      goodFirstError ??= (err as Error).message;
      await Bun.sleep(20);
    }
  }
  const attackMs = await attack;
  await Bun.sleep(500);
  let healthyAfter = false;
  try {
    await goodRound(s);
    healthyAfter = true;
  } catch {
    healthyAfter = false;
  }
  return {
    attempts: opts.attempts,
    attackerAddress: address,
    attackMs,
    outcomes,
    baselineMs: latency(baseline),
    duringMs: latency(during),
    goodFailures,
    ...(goodFirstError && { goodFirstError }),
    serverAlive: s.alive(),
    healthyAfter,
  };
}
