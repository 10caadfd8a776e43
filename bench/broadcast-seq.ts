/**
 * Cost of the per-connection `seq` in `Connections.broadcast` (issue 22): one event to 1 000 authenticated
 * sockets, in process, with sockets whose `send` only counts bytes (the kernel and the WebSocket framing are
 * the same for every variant and are left out). Compares the shipped broadcast (serialize once, splice the
 * seq per socket) with a global seq sent as one shared string (what v3 did) and with a naive
 * JSON.stringify per socket. Writes bench/results/broadcast-seq.md.
 *
 *   bun bench/broadcast-seq.ts [--clients 1000] [--rounds 2000]
 */
import { parseArgs } from "node:util";
import { Connections, type GatewaySocket } from "../src/gateway/connections.ts";
import { writeResult } from "./lib/script.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { clients: { type: "string", default: "1000" }, rounds: { type: "string", default: "2000" } } });
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);

let bytes = 0;
function fakeSocket(i: number): GatewaySocket {
  const data = {
    connId: `c${i}`,
    remoteAddress: "127.0.0.1",
    isLocal: true,
    nonce: "n",
    openedAt: 0,
    closed: false,
    client: { id: "test", mode: "test", version: "1", platform: "linux", role: "operator", scopes: ["operator.admin"], caps: [], authMethod: "token", protocol: 3 },
  };
  return { data, getBufferedAmount: () => 0, send: (text: string) => (bytes += text.length) } as unknown as GatewaySocket;
}

const payload = { presence: Array.from({ length: 5 }, (_, i) => ({ host: `host-${i}`, mode: "ui", ts: Date.now(), text: `Node: host-${i} · mode ui` })) };
const stateVersion = { presence: 12, health: 7 };

function measure(name: string, fn: () => void): string {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  Bun.gc(true);
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) fn();
  const ms = performance.now() - t0;
  const heapAfter = process.memoryUsage().heapUsed;
  const perEvent = (ms / ROUNDS) * 1000;
  return `| ${name} | ${perEvent.toFixed(1)} µs | ${((perEvent * 1000) / CLIENTS).toFixed(0)} ns | ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB |`;
}

const conns = new Connections();
const sockets = Array.from({ length: CLIENTS }, (_, i) => fakeSocket(i));
for (const ws of sockets) conns.add(ws);

let globalSeq = 0;
const rows = [
  measure("shipped: serialize once, splice seq per socket", () => conns.broadcast("presence", payload, { stateVersion })),
  measure("v3 before: global seq, one shared string (loop without the audience checks)", () => {
    globalSeq += 1;
    const text = JSON.stringify({ type: "event", event: "presence", payload, seq: globalSeq, stateVersion });
    for (const ws of sockets) ws.send(text);
  }),
  measure("naive: JSON.stringify per socket (loop without the audience checks)", () => {
    for (const ws of sockets) {
      const seq = (ws.data.eventSeq ?? 0) + 1;
      ws.data.eventSeq = seq;
      ws.send(JSON.stringify({ type: "event", event: "presence", payload, seq, stateVersion }));
    }
  }),
];
const md = [
  "# Per-connection seq: broadcast cost (in process, fake sockets)",
  "",
  `${new Date().toISOString()}; ${CLIENTS} clients, ${ROUNDS} broadcasts of a ${JSON.stringify(payload).length}-byte presence payload; heap delta after the run (not a leak measure, GC may run).`,
  "",
  "| variant | per broadcast | per socket | heap delta |",
  "|---|---|---|---|",
  ...rows,
  "",
].join("\n");
writeResult("broadcast-seq.md", md);
console.log(md);
console.log(`(${bytes} bytes handed to sockets)`);
