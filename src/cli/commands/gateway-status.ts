import { existsSync, readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { connectAsOwner } from "../../client/owner-connect.ts";
import { resolveCallTarget, runningGatewayPort } from "../../client/target.ts";
import { loadConfig } from "../../config/load.ts";
import { expandHome, gatewayLogTag, resolveConfigPath, resolveGatewayPort, resolveIdentityPath, resolveLogFile } from "../../config/paths.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { ConfigError, toErrorMessage } from "../../errors.ts";
import type { ExtraService, ServiceRuntime } from "../../services/index.ts";
import { listPortListeners } from "../../util/port-listeners.ts";
import { VERSION } from "../../version.ts";
import { parseTimeout, printJson, RPC_ARGS } from "./_rpc.ts";
import { readServiceStatus } from "./_service.ts";

/**
 * The `gateway status --json` shape. Stable: fields are only ever added.
 * `service` is the supervisor's view, `rpc` is whether the gateway answers; they are independent.
 */
export interface GatewayStatusReport {
  service: {
    label: string;
    loaded: boolean;
    loadedText: string;
    notLoadedText: string;
    /** Unit/label/task name, scope and definition path of this profile's service. */
    name?: string;
    scope?: "user" | "system";
    path?: string;
    /** The installed definition read back (secrets redacted); null when not installed. */
    command: { programArguments: string[]; workingDirectory?: string; environment?: Record<string, string>; sourcePath: string } | null;
    runtime: ServiceRuntime;
    configAudit?: { ok: boolean; issues: { code: string; message: string; level: "error" | "recommended" }[] };
  };
  config: { cli: { path: string; exists: boolean; valid: boolean; error?: string } };
  gateway: { bindMode: string; port: number; portSource: "flag/url" | "lock" | "env" | "config" | "default"; probeUrl: string };
  port: { port: number; status: "free" | "busy" | "unknown"; listeners: { pid: number; command: string }[]; hints: string[] };
  rpc?: { ok: boolean; url: string; error?: string; version?: string };
  lastError?: string;
  /** With --deep: other gateway-like services (system units, LaunchDaemons, legacy labels, other profiles). */
  extraServices: ExtraService[];
}

/** `openclaw gateway status`: supervisor state and RPC reachability, reported separately. */
export const gatewayStatus = defineCommand({
  meta: { name: "status", description: "Show the gateway service state and whether it answers" },
  args: {
    ...RPC_ARGS,
    probe: { type: "boolean", description: "Probe the gateway over RPC (--no-probe to skip)", default: true },
    deep: { type: "boolean", description: "Also scan for system-level services" },
  },
  async run({ args }) {
    const report = await buildStatus(args);
    try {
      Object.assign(report, await readServiceStatus(Boolean(args.deep)));
    } catch (e) {
      report.service.runtime = { status: "unknown", detail: `cannot read the service: ${toErrorMessage(e)}` };
    }
    if (args.json) printJson(report);
    else printHuman(report);
    return report.rpc === undefined || report.rpc.ok ? 0 : 1;
  },
});

async function buildStatus(args: { url?: string; port?: string; token?: string; password?: string; timeout?: string; probe?: boolean }): Promise<GatewayStatusReport> {
  const path = resolveConfigPath();
  let config: OpenClawConfig = {};
  const cfg: GatewayStatusReport["config"]["cli"] = { path, exists: existsSync(path), valid: true };
  try {
    config = loadConfig(path).config;
  } catch (e) {
    cfg.valid = false;
    cfg.error = e instanceof ConfigError ? e.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ") : toErrorMessage(e);
  }
  const target = resolveCallTarget({ url: args.url, port: args.port, token: args.token, password: args.password }, process.env, config);
  const running = target.source === "lock" ? runningGatewayPort() : undefined;
  const flagPort = target.source === "--port" ? Number(args.port) : undefined;
  const port = flagPort ?? running ?? resolveGatewayPort({ configPort: config.gateway?.port });
  const portSource = flagPort !== undefined || args.url ? "flag/url" : running !== undefined ? "lock" : process.env.OPENCLAW_GATEWAY_PORT ? "env" : config.gateway?.port ? "config" : "default";
  const listeners = listPortListeners(port);
  const report: GatewayStatusReport = {
    service: { label: serviceLabel(), loaded: false, loadedText: "installed", notLoadedText: "not installed", command: null, runtime: { status: "unknown", detail: "service not installed" } },
    config: { cli: cfg },
    gateway: { bindMode: config.gateway?.bind ?? "loopback", port, portSource, probeUrl: target.url },
    port: { port, status: listeners === undefined ? "unknown" : listeners.length > 0 ? "busy" : "free", listeners: listeners ?? [], hints: [] },
    extraServices: [],
  };
  if (listeners === undefined) report.port.hints.push("install lsof to see which process holds the port");
  if (args.probe !== false) {
    try {
      const client = await connectAsOwner({ url: target.url, token: target.token, password: target.password, clientVersion: VERSION, timeoutMs: parseTimeout(args.timeout) }, { identityPath: resolveIdentityPath() });
      try {
        await client.request("status", {}, { timeoutMs: parseTimeout(args.timeout) });
        const server = client.hello.server as { version?: string } | undefined;
        report.rpc = { ok: true, url: target.url, version: server?.version };
      } finally {
        client.close();
      }
    } catch (e) {
      report.rpc = { ok: false, url: target.url, error: toErrorMessage(e) };
      const last = lastLogError(config.logging?.file ? expandHome(config.logging.file) : resolveLogFile(undefined, undefined, gatewayLogTag(port)));
      if (last) report.lastError = last;
      if (report.port.status === "free") report.port.hints.push("nothing listens on the port: start the gateway with `openclaw gateway`");
    }
  }
  return report;
}

function printHuman(r: GatewayStatusReport): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Service: ${r.service.label}${r.service.name ? ` ${r.service.name}` : ""} (${r.service.loaded ? r.service.loadedText : r.service.notLoadedText})${describeRuntime(r.service.runtime)}`);
  if (r.service.command) out(`Command: ${r.service.command.programArguments.join(" ")} (${r.service.command.sourcePath})`);
  for (const i of r.service.configAudit?.issues ?? []) out(`Service audit (${i.level}): ${i.message}`);
  for (const x of r.extraServices) out(`${x.ours ? "Other profile" : "Warning: other gateway-like service"}: ${x.label} (${x.scope}${x.path ? `, ${x.path}` : ""}): ${x.detail}`);
  out(`Config: ${r.config.cli.path}${r.config.cli.exists ? "" : " (missing)"}${r.config.cli.valid ? "" : ` (invalid: ${r.config.cli.error})`}`);
  out(`Probe target: ${r.gateway.probeUrl} (port ${r.gateway.port} from ${r.gateway.portSource})`);
  out(`Port ${r.port.port}: ${r.port.status}${r.port.listeners.map((l) => ` pid ${l.pid} (${l.command})`).join(",")}`);
  if (r.rpc) out(`RPC: ${r.rpc.ok ? `ok (gateway ${r.rpc.version ?? "?"})` : `failed: ${r.rpc.error}`}`);
  if (r.lastError) out(`Last gateway error: ${r.lastError}`);
  for (const h of r.port.hints) out(`Hint: ${h}`);
}

function describeRuntime(rt: ServiceRuntime): string {
  const parts: string[] = [rt.status];
  if (rt.pid) parts.push(`pid ${rt.pid}`);
  if (rt.lastExitStatus !== undefined) parts.push(`last exit ${rt.lastExitStatus}${rt.lastExitReason ? ` (${rt.lastExitReason})` : ""}`);
  if (rt.detail) parts.push(rt.detail);
  return ` · ${parts.join(", ")}`;
}

function serviceLabel(): string {
  return process.platform === "darwin" ? "launchd" : process.platform === "win32" ? "schtasks" : "systemd";
}

function lastLogError(file: string): string | undefined {
  try {
    const lines = readFileSync(file, "utf8").trimEnd().split("\n").slice(-2000);
    for (let i = lines.length - 1; i >= 0; i--) {
      const rec = JSON.parse(lines[i]) as { level?: string; msg?: string; time?: string };
      if (rec.level === "error" || rec.level === "fatal") return `${rec.time ?? ""} ${rec.msg ?? ""}`.trim();
    }
  } catch {
    // no log yet
  }
  return undefined;
}
