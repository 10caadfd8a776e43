/** Readiness probes an update runs: does a binary start, and does the gateway on a port answer. */

/** What a gateway on a port answered: `/readyz` 200, only `/healthz` 200, or nothing. */
export type GatewayState = "ready" | "live" | "down";

/** Outcome of running `<binary> --version`. */
export interface VersionProbe {
  ok: boolean;
  /** First stdout line when ok (`0.2.0 (abc1234)`), else a short reason. */
  text: string;
}

/**
 * Runs `<binary> --version` with a time limit.
 * @returns ok when it exits 0 and prints something; never throws (a missing or non-executable file is `ok: false`).
 */
export async function probeVersion(binary: string, timeoutMs = 15_000): Promise<VersionProbe> {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([binary, "--version"], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: timeoutMs, killSignal: "SIGKILL" });
  } catch (err) {
    return { ok: false, text: (err as Error).message };
  }
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout as ReadableStream).text(), new Response(proc.stderr as ReadableStream).text()]);
  const line = out.trim().split("\n")[0] ?? "";
  if (code === 0 && line !== "") return { ok: true, text: line };
  const why = proc.signalCode ? `killed by ${proc.signalCode}` : `exit code ${code}`;
  const detail = (err.trim() || out.trim()).split("\n")[0];
  return { ok: false, text: detail ? `${why}: ${detail.slice(0, 200)}` : why };
}

/**
 * Asks the gateway on 127.0.0.1:`port` once (`/readyz`, then `/healthz`).
 * @returns "down" when nothing answers within `timeoutMs`; never throws.
 */
export async function probeGateway(port: number, timeoutMs = 1500): Promise<GatewayState> {
  const ready = await status(`http://127.0.0.1:${port}/readyz`, timeoutMs);
  if (ready === 200) return "ready";
  if (ready === undefined) return "down";
  return (await status(`http://127.0.0.1:${port}/healthz`, timeoutMs)) === 200 ? "live" : "down";
}

/**
 * Polls until the gateway on `port` reaches `want` ("ready" needs `/readyz` 200; "live" accepts either).
 * @returns true when reached before `timeoutMs`.
 */
export async function waitForGateway(port: number, want: Exclude<GatewayState, "down">, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await probeGateway(port, Math.min(1500, Math.max(100, deadline - Date.now())));
    if (state === "ready" || (want === "live" && state === "live")) return true;
    if (Date.now() >= deadline) return false;
    await Bun.sleep(250);
  }
}

// --- internal ---

async function status(url: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}
