/**
 * Windows: a Task Scheduler task that runs `<stateDir>\gateway.cmd` at logon, hidden, restarting the
 * gateway after a crash. Everything goes through `schtasks`; there is no system scope (a Windows service
 * would need a service wrapper binary).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolveLockDir } from "../../config/paths.ts";
import { isLockAlive, lockPathFor, readLock } from "../../util/lock-file.ts";
import { createService, type Driver, notLoaded } from "../_engine.ts";
import { removeFiles } from "../_files.ts";
import { detailOf } from "../_runner.ts";
import { pathModuleFor } from "../definition.ts";
import type { ActionOutcome, CommandRunner, ExtraService, RenderedFile, Service, ServiceContext, ServiceDefinition, ServiceRuntime } from "../service.ts";
import { ServiceError } from "../service.ts";
import { parseScript, renderScript, type ScriptPaths } from "./script.ts";
import { encodeUtf16, renderTaskXml } from "./task-xml.ts";

export { commandLine, escapeForCmd, parseScript, quoteWindowsArg, renderScript, splitWindowsArgs, unescapeForCmd } from "./script.ts";
export { encodeUtf16, renderTaskXml } from "./task-xml.ts";

const OUR_TASK = /^OpenClaw Gateway( \(.+\))?$/;

/** The Windows Task Scheduler {@link Service}. */
export function createWindowsService(ctx: ServiceContext): Service {
  const join = (def: ServiceDefinition, ...parts: string[]) => pathModuleFor(def.stateDir).join(def.stateDir, ...parts);
  const scriptPath = (def: ServiceDefinition) =>
    ctx.env.OPENCLAW_TASK_SCRIPT?.trim() || join(def, ctx.env.OPENCLAW_TASK_SCRIPT_NAME?.trim() || "gateway.cmd");
  const xmlPath = (def: ServiceDefinition) => join(def, "gateway.task.xml");
  const paths = (def: ServiceDefinition): ScriptPaths => {
    const p = pathModuleFor(def.logDir);
    return { stdout: p.join(def.logDir, "gateway.log"), stderr: p.join(def.logDir, "gateway.err.log"), stopFile: join(def, "gateway.stopped") };
  };

  const schtasks = (run: CommandRunner, args: string[]) => run("schtasks", args);
  const unavailable = (res: { missing?: boolean; stderr: string; stdout: string; code: number }) =>
    new ServiceError(`schtasks unavailable: ${detailOf(res)}`, { hint: "Task Scheduler (schtasks.exe) is part of Windows; check that C:\\Windows\\System32 is on PATH." });

  const isLoaded = async (def: ServiceDefinition, run: CommandRunner) => (await schtasks(run, ["/Query", "/TN", def.name])).code === 0;

  const queryStatus = async (def: ServiceDefinition, run: CommandRunner) => {
    const res = await schtasks(run, ["/Query", "/TN", def.name, "/V", "/FO", "LIST"]);
    const fields = new Map<string, string>();
    for (const line of res.stdout.split(/\r?\n/)) {
      const m = /^([^:]+):\s*(.*)$/.exec(line);
      if (m && !fields.has(m[1].trim())) fields.set(m[1].trim(), m[2].trim());
    }
    return { res, fields };
  };

  /** The PID serving this state dir, from the gateway's lock file. */
  const gatewayPid = (def: ServiceDefinition): number | undefined => {
    const info = readLock(lockPathFor(resolveLockDir(), def.stateDir));
    return info && isLockAlive(info) ? info.pid : undefined;
  };

  const end = async (def: ServiceDefinition, run: CommandRunner) => {
    // The stop file makes the script's restart loop exit instead of starting the gateway again.
    writeFileSync(paths(def).stopFile, "stopped by `openclaw gateway stop`\r\n");
    const res = await schtasks(run, ["/End", "/TN", def.name]);
    if (res.code !== 0 && !/not running|no running instance/i.test(detailOf(res))) throw new ServiceError(`schtasks /End failed: ${detailOf(res)}`);
    // /End stops the task's own process; a gateway that outlived it (child of the script) is ended by PID.
    const pid = gatewayPid(def);
    if (pid !== undefined) await run("taskkill", ["/PID", String(pid), "/T", "/F"]);
  };

  const runTask = async (def: ServiceDefinition, run: CommandRunner) => {
    removeFiles([paths(def).stopFile]);
    const res = await schtasks(run, ["/Run", "/TN", def.name]);
    if (res.code !== 0) throw new ServiceError(`schtasks /Run failed: ${detailOf(res)}`);
  };

  const startOutcome = (result: ActionOutcome["result"], line: string): ActionOutcome => ({ result, messages: [line], warnings: [] });

  const driver: Driver = {
    kind: "schtasks",
    loadedText: "registered",
    notLoadedText: "missing",
    render(def): RenderedFile[] {
      const script = scriptPath(def);
      return [
        // The script carries the token. Mode bits mean little on Windows; what protects it is the ACL of
        // the user's profile folder, which the state dir inherits (other users cannot read it).
        { path: script, content: renderScript(def, paths(def)), mode: 0o600, secret: def.secretKeys.length > 0 },
        { path: xmlPath(def), content: encodeUtf16(renderTaskXml(def, script)), mode: 0o644, secret: false },
      ];
    },
    definitionPath: scriptPath,
    readInstalled(def) {
      const path = scriptPath(def);
      try {
        return parseScript(readFileSync(path, "utf8"), path);
      } catch {
        return null;
      }
    },
    installedFiles: () => [],
    isLoaded,
    async preflight(def, run) {
      const res = await schtasks(run, ["/Query", "/TN", def.name]);
      if (res.missing) throw unavailable(res);
    },
    plan(def) {
      return [
        ["schtasks", "/Create", "/F", "/TN", def.name, "/XML", xmlPath(def)],
        ["schtasks", "/Run", "/TN", def.name],
      ];
    },
    async activate(def, run, _sink, wasLoaded) {
      mkdirSync(def.logDir, { recursive: true });
      // /Create /F replaces the definition but not a running instance of the old one.
      if (wasLoaded) await end(def, run);
      const res = await schtasks(run, ["/Create", "/F", "/TN", def.name, "/XML", xmlPath(def)]);
      if (res.code !== 0) {
        if (/access is denied/i.test(detailOf(res))) {
          throw new ServiceError(`schtasks /Create failed: ${detailOf(res)}`, { hint: "Run the install from an elevated prompt (Run as administrator) once, or ask an administrator to allow task creation." });
        }
        throw new ServiceError(`schtasks /Create failed: ${detailOf(res)}`);
      }
      await runTask(def, run);
    },
    async deactivate(def, run) {
      if (await isLoaded(def, run)) await end(def, run);
      const res = await schtasks(run, ["/Delete", "/F", "/TN", def.name]);
      if (res.code !== 0 && !/cannot find/i.test(detailOf(res))) throw new ServiceError(`schtasks /Delete failed: ${detailOf(res)}`);
    },
    async afterRemove(def) {
      removeFiles([paths(def).stopFile]);
    },
    async cleanupLegacy() {},
    async start(def, run) {
      if (!existsSync(scriptPath(def)) || !(await isLoaded(def, run))) return notLoaded(driver.notLoadedText);
      const { fields } = await queryStatus(def, run);
      if (fields.get("Status") === "Running" && !existsSync(paths(def).stopFile)) return startOutcome("started", `Already running: ${def.name}`);
      await runTask(def, run);
      return startOutcome("started", `Started ${def.name}`);
    },
    async stop(def, run) {
      if (!(await isLoaded(def, run))) return notLoaded(driver.notLoadedText);
      await end(def, run);
      return startOutcome("stopped", `Stopped ${def.name}`);
    },
    async restart(def, run) {
      if (!existsSync(scriptPath(def)) || !(await isLoaded(def, run))) return notLoaded(driver.notLoadedText);
      await end(def, run);
      await runTask(def, run);
      return startOutcome("restarted", `Restarted ${def.name}`);
    },
    async runtime(def, run) {
      const { res, fields } = await queryStatus(def, run);
      if (res.missing) return { loaded: false, runtime: { status: "unknown", detail: "schtasks not found" } };
      if (res.code !== 0) return { loaded: false, runtime: { status: "stopped", detail: "task not registered", missingUnit: true } };
      const state = fields.get("Status") ?? "";
      const runtime: ServiceRuntime = { status: state === "Running" ? "running" : state ? "stopped" : "unknown" };
      if (state) runtime.state = state;
      const last = Number(fields.get("Last Result"));
      if (Number.isInteger(last)) runtime.lastExitStatus = last;
      const lastRun = fields.get("Last Run Time");
      if (lastRun) runtime.lastRunTime = lastRun;
      const pid = gatewayPid(def);
      if (pid !== undefined) runtime.pid = pid;
      return { loaded: true, runtime };
    },
    async scan(def, run) {
      const res = await schtasks(run, ["/Query", "/FO", "CSV", "/NH"]);
      if (res.code !== 0) return [];
      const found: ExtraService[] = [];
      const seen = new Set<string>();
      for (const line of res.stdout.split(/\r?\n/)) {
        const m = /^"([^"]*)"/.exec(line.trim());
        if (!m) continue;
        const name = m[1].replace(/^\\/, "");
        if (name === def.name || seen.has(name) || !/openclaw|clawdbot|moltbot/i.test(name)) continue;
        if (/\bnode\b/i.test(name)) continue; // upstream's node host task, not a gateway
        seen.add(name);
        const ours = OUR_TASK.test(name);
        const profile = /\((.+)\)$/.exec(name)?.[1];
        found.push({ label: name, scope: "user", legacy: !ours, ours, ...(ours && profile ? { profile } : {}), detail: ours ? `OpenClaw gateway task for profile ${profile ?? "default"}` : "gateway-like scheduled task" });
      }
      return found;
    },
    installedMessages(def) {
      return [`Installed Scheduled Task: ${def.name}`, `Script: ${scriptPath(def)}`, `Logs: ${paths(def).stdout}`];
    },
  };
  return createService(driver, ctx);
}
