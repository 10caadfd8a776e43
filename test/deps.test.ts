/**
 * Layering: the CLI reaches the daemon only through the protocol; low layers never import high ones; the
 * top-level folders of src/ form no cycle; a folder's `_`-prefixed files are private to it.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
  return found.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(file, "..", s)));
}

const RULES: [string, string[]][] = [
  ["cli", ["gateway", "channels", "agent"]],
  ["client", ["gateway", "channels", "agent", "cli"]],
  ["config", ["gateway", "channels", "agent", "cli", "client"]],
  // config validates through protocol, so protocol never reaches back into config.
  ["protocol", ["gateway", "channels", "agent", "cli", "client", "config"]],
  ["gateway", ["cli"]],
  ["logging", ["gateway", "channels", "agent", "cli", "client"]],
  ["release", ["gateway", "channels", "agent", "cli", "client"]],
  ["store", ["gateway", "channels", "agent", "cli", "client"]],
  ["agent", ["gateway", "channels", "cli", "client"]],
  ["services", ["gateway", "channels", "agent", "cli", "client"]],
  ["util", ["gateway", "channels", "agent", "cli", "client", "services"]],
  ["skills", ["gateway", "channels", "agent", "cli", "client"]],
];

for (const [layer, forbidden] of RULES) {
  test(`src/${layer} does not import ${forbidden.join(", ")}`, () => {
    let dir: string;
    try {
      dir = join(SRC, layer);
      readdirSync(dir);
    } catch {
      return;
    }
    const bad = filesUnder(dir).flatMap((f) => importsOf(f).filter((i) => forbidden.some((x) => i === x || i.startsWith(`${x}/`))).map((i) => `${relative(SRC, f)} → ${i}`));
    expect(bad).toEqual([]);
  });
}

/** Every relative import inside src/: [importing file, imported file], both relative to src/. */
function importEdges(): [string, string][] {
  return filesUnder(SRC).flatMap((f) =>
    importsOf(f)
      .filter((i) => !i.startsWith(".."))
      .map((i): [string, string] => [relative(SRC, f), i]),
  );
}

/** The top-level folder of a src/-relative path; undefined for files directly in src/ (main.ts, errors.ts). */
function topFolder(path: string): string | undefined {
  return path.includes("/") ? path.split("/")[0] : undefined;
}

test("no cycles between the top-level folders of src/", () => {
  const graph = new Map<string, Map<string, string>>();
  for (const [from, to] of importEdges()) {
    const a = topFolder(from);
    const b = topFolder(to);
    if (!a || !b || a === b) continue;
    if (!graph.has(a)) graph.set(a, new Map());
    if (!graph.get(a)!.has(b)) graph.get(a)!.set(b, `${from} → ${to}`);
  }
  // Depth-first search; a back edge closes a cycle, reported with one import per step.
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    path.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === "open") {
        const loop = [...path.slice(path.indexOf(next)), next];
        cycles.push(loop.slice(1).map((n, i) => graph.get(loop[i]!)!.get(n)).join(" ; "));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  expect(cycles).toEqual([]);
});

/**
 * Imports of another folder's private file that predate this rule, each owned by work that removes it (the
 * gateway's move into feature folders; the single state-database owner). The list may only shrink: an entry
 * that no longer occurs fails the test so it is deleted.
 */
const KNOWN_PRIVATE_IMPORTS: string[] = [];

test("a `_`-prefixed file is imported only from its own folder (or folders below it)", () => {
  const bad = importEdges()
    .filter(([from, to]) => basename(to).startsWith("_") && !`${dirname(from)}/`.startsWith(`${dirname(to)}/`))
    .map(([from, to]) => `${from} → ${to}`);
  expect(bad.filter((b) => !KNOWN_PRIVATE_IMPORTS.includes(b))).toEqual([]);
  expect(KNOWN_PRIVATE_IMPORTS.filter((k) => !bad.includes(k))).toEqual([]);
});

test("the AI SDK is imported only in src/agent/llm (loaded lazily by the runtime)", () => {
  const bad = filesUnder(SRC)
    .filter((f) => !relative(SRC, f).startsWith("agent/llm/"))
    .filter((f) => /from\s+["'](ai|@ai-sdk\/[^"']+)["']|import\(\s*["'](ai|@ai-sdk\/[^"']+)["']/.test(readFileSync(f, "utf8")))
    .map((f) => relative(SRC, f));
  expect(bad).toEqual([]);
  const runtime = readFileSync(join(SRC, "agent/runtime.ts"), "utf8");
  expect(runtime).toContain('import("./llm/index.ts")');
  expect(runtime).not.toMatch(/^import [^t].*\.\/llm\//m);
});

/** The gateway's feature folders (src/gateway/<feature>/); `methods/` is the host's table, not a feature. */
function gatewayFeatureOf(path: string): string | undefined {
  const m = /^gateway\/([^/]+)\//.exec(path);
  return m && m[1] !== "methods" ? m[1] : undefined;
}

/** The host files that assemble the whole gateway state and the transport; nothing else may name it. */
const HOST_FILES = ["gateway/context.ts", "gateway/host.ts", "gateway/server.ts", "gateway/frames.ts", "gateway/handshake.ts", "gateway/http.ts"];

test("only the host files name GatewayContext (features get the narrow view they declared)", () => {
  const bad = filesUnder(SRC)
    .filter((f) => /\bGatewayContext\b/.test(readFileSync(f, "utf8")))
    .map((f) => relative(SRC, f))
    .filter((f) => !HOST_FILES.includes(f));
  expect(bad).toEqual([]);
});

/**
 * What a feature folder may import from the host: the feature and method contracts and the host view.
 * Anything else of the host a feature still imports is listed below, each a known debt (transport types that
 * features pass through, shared host helpers); the list may only shrink.
 */
const HOST_API = ["gateway/context.ts", "gateway/feature.ts", "gateway/host.ts"];
const KNOWN_HOST_IMPORTS: string[] = [
  "gateway/canvas/canvas.ts → gateway/connections.ts",
  "gateway/channels/delivery.ts → gateway/error-map.ts",
  "gateway/chat/runs.ts → gateway/connections.ts",
  "gateway/config-writes/config-writes.ts → gateway/config-preflight.ts",
  "gateway/config-writes/config-writes.ts → gateway/config-reload.ts",
  "gateway/config-writes/config-writes.ts → gateway/restart-sentinel.ts",
  "gateway/cron/_run.ts → gateway/connections.ts",
  "gateway/cron/service.ts → gateway/_wake-timer.ts",
  "gateway/heartbeat/heartbeat.ts → gateway/_wake-timer.ts",
  "gateway/heartbeat/heartbeat.ts → gateway/connections.ts",
  "gateway/http/_auth.ts → gateway/auth.ts",
  "gateway/http/_auth.ts → gateway/connections.ts",
  "gateway/http/index.ts → gateway/connections.ts",
  "gateway/http/tools-invoke.ts → gateway/frames.ts",
  "gateway/nodes/nodes.ts → gateway/connections.ts",
  "gateway/nodes/nodes.ts → gateway/scope-check.ts",
  "gateway/talk/voicewake.ts → gateway/connections.ts",
];

test("a feature folder imports from the host only its API (feature.ts, host.ts, context.ts's method types)", () => {
  const bad = importEdges()
    .filter(([from, to]) => gatewayFeatureOf(from) && /^gateway\/[^/]+\.ts$/.test(to) && !HOST_API.includes(to))
    .map(([from, to]) => `${from} → ${to}`);
  expect(bad.filter((b) => !KNOWN_HOST_IMPORTS.includes(b))).toEqual([]);
  expect(KNOWN_HOST_IMPORTS.filter((k) => !bad.includes(k))).toEqual([]);
});

/**
 * A feature reaching into another feature's files instead of its index.ts. Each is a domain helper shared across
 * features that has not been turned into a host service yet; the list may only shrink.
 */
const KNOWN_CROSS_FEATURE_IMPORTS: string[] = [
  "gateway/chat/agent.ts → gateway/channels/delivery.ts",
  "gateway/cron/_jobs.ts → gateway/channels/delivery.ts",
  "gateway/cron/_jobs.ts → gateway/chat/runs.ts",
  "gateway/cron/_run.ts → gateway/channels/delivery.ts",
  "gateway/cron/_run.ts → gateway/heartbeat/heartbeat.ts",
  "gateway/cron/_run.ts → gateway/heartbeat/system-events.ts",
  "gateway/devices/device-pair.ts → gateway/nodes/node-commands.ts",
  "gateway/devices/device-pair.ts → gateway/nodes/nodes.ts",
  "gateway/health/health-snapshot.ts → gateway/agents/agents-view.ts",
  "gateway/health/health-snapshot.ts → gateway/sessions/sessions-view.ts",
  "gateway/health/status.ts → gateway/agents/agents-view.ts",
  "gateway/health/status.ts → gateway/sessions/sessions-view.ts",
  "gateway/heartbeat/heartbeat.ts → gateway/channels/delivery.ts",
  "gateway/http/_hook-actions.ts → gateway/channels/delivery.ts",
  "gateway/http/_hook-actions.ts → gateway/chat/runs.ts",
  "gateway/http/_hook-actions.ts → gateway/heartbeat/system-events.ts",
  "gateway/http/tools-invoke.ts → gateway/nodes/agent-nodes.ts",
  "gateway/nodes/node-events.ts → gateway/chat/agent.ts",
  "gateway/nodes/node-pair.ts → gateway/devices/device-pair.ts",
  "gateway/nodes/node-pair.ts → gateway/devices/devices.ts",
  "gateway/nodes/nodes.ts → gateway/canvas/a2ui-check.ts",
  "gateway/nodes/nodes.ts → gateway/devices/devices.ts",
  "gateway/sessions/sessions-list.ts → gateway/agents/agents-view.ts",
  "gateway/sessions/sessions-patch.ts → gateway/chat/runs.ts",
];

test("a feature folder imports another feature folder only through its index.ts", () => {
  const bad = importEdges()
    .filter(([from, to]) => {
      const a = gatewayFeatureOf(from);
      const b = gatewayFeatureOf(to);
      return a && b && a !== b && to !== `gateway/${b}/index.ts`;
    })
    .map(([from, to]) => `${from} → ${to}`);
  expect(bad.filter((b) => !KNOWN_CROSS_FEATURE_IMPORTS.includes(b))).toEqual([]);
  expect(KNOWN_CROSS_FEATURE_IMPORTS.filter((k) => !bad.includes(k))).toEqual([]);
});
