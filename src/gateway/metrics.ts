/**
 * Counters for `/metrics` (Prometheus text format 0.0.4). Cheap to update on the hot path: plain
 * numbers and arrays, no allocation per frame. Label values come from closed sets (known method names,
 * error codes), so the series count is bounded.
 */

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** The gateway's metrics. */
export class Metrics {
  framesIn = 0;
  handshakesOk = 0;
  slowConsumersClosed = 0;
  agentRuns = 0;
  readonly handshakeFailures = new Map<string, number>();
  readonly rpcErrors = new Map<string, number>();
  private readonly rpc = new Map<string, Histogram>();

  /** Records one answered request. `method` must come from a closed set (unknown → "unknown"). */
  observeRpc(method: string, seconds: number): void {
    let h = this.rpc.get(method);
    if (!h) {
      h = { counts: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 };
      this.rpc.set(method, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i] += 1;
    h.sum += seconds;
    h.count += 1;
  }

  /** Counts one error response by code. */
  countError(code: string): void {
    this.rpcErrors.set(code, (this.rpcErrors.get(code) ?? 0) + 1);
  }

  /** Records a refused handshake by error code. */
  countHandshakeFailure(code: string): void {
    this.handshakeFailures.set(code, (this.handshakeFailures.get(code) ?? 0) + 1);
  }

  /** Renders every metric; `gauges` are read at scrape time. */
  render(gauges: { connections: number; clients: number; framesOut: number; uptimeSeconds: number; channels: Record<string, string> }): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    metric("openclaw_connections", "gauge", "Open WebSocket connections, authenticated or not.", [`openclaw_connections ${gauges.connections}`]);
    metric("openclaw_clients", "gauge", "Authenticated WebSocket clients.", [`openclaw_clients ${gauges.clients}`]);
    metric("openclaw_frames_received_total", "counter", "Text frames received from clients.", [`openclaw_frames_received_total ${this.framesIn}`]);
    metric("openclaw_frames_sent_total", "counter", "Frames sent to clients.", [`openclaw_frames_sent_total ${gauges.framesOut}`]);
    metric("openclaw_handshakes_total", "counter", "Successful connect handshakes.", [`openclaw_handshakes_total ${this.handshakesOk}`]);
    metric("openclaw_handshake_failures_total", "counter", "Refused connect handshakes by error code.", labelled("openclaw_handshake_failures_total", "code", this.handshakeFailures));
    metric("openclaw_rpc_errors_total", "counter", "Error responses (handshake and requests) by error code.", labelled("openclaw_rpc_errors_total", "code", this.rpcErrors));
    const hist: string[] = [];
    for (const [method, h] of [...this.rpc.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const m = escapeLabel(method);
      BUCKETS.forEach((b, i) => hist.push(`openclaw_rpc_duration_seconds_bucket{method="${m}",le="${b}"} ${h.counts[i]}`));
      hist.push(`openclaw_rpc_duration_seconds_bucket{method="${m}",le="+Inf"} ${h.count}`);
      hist.push(`openclaw_rpc_duration_seconds_sum{method="${m}"} ${h.sum}`);
      hist.push(`openclaw_rpc_duration_seconds_count{method="${m}"} ${h.count}`);
    }
    metric("openclaw_rpc_duration_seconds", "histogram", "Time from request to response by method.", hist);
    metric("openclaw_slow_consumers_closed_total", "counter", "Clients closed for not reading their frames.", [`openclaw_slow_consumers_closed_total ${this.slowConsumersClosed}`]);
    metric("openclaw_agent_runs_total", "counter", "Agent runs started.", [`openclaw_agent_runs_total ${this.agentRuns}`]);
    metric(
      "openclaw_channel_up",
      "gauge",
      "1 when a channel account is connected, 0 otherwise.",
      Object.entries(gauges.channels).map(([ch, state]) => `openclaw_channel_up{channel="${escapeLabel(ch)}"} ${state === "connected" ? 1 : 0}`),
    );
    metric("openclaw_uptime_seconds", "gauge", "Seconds since the gateway started.", [`openclaw_uptime_seconds ${gauges.uptimeSeconds}`]);
    metric("process_resident_memory_bytes", "gauge", "Resident memory of the gateway process.", [`process_resident_memory_bytes ${process.memoryUsage.rss()}`]);
    return `${out.join("\n")}\n`;
  }
}

function labelled(name: string, label: string, values: Map<string, number>): string[] {
  return [...values.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${name}{${label}="${escapeLabel(k)}"} ${v}`);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
