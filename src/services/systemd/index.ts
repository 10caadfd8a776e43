/**
 * Linux systemd: a user unit under `~/.config/systemd/user` (with lingering, so it runs without a login),
 * or with `--system` a unit under `/etc/systemd/system` running as `User=`. WSL2 is Linux with a caveat.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createService, type Driver, notLoaded } from "../_engine.ts";
import { detailOf } from "../_runner.ts";
import { SERVICE_MARKER } from "../definition.ts";
import type { CommandRunner, ExtraService, RenderedFile, Service, ServiceContext, ServiceDefinition, ServiceRuntime } from "../service.ts";
import { ServiceError } from "../service.ts";
import { enableLinger, lingerCommand, readLinger } from "./linger.ts";
import { parseEnvFile, parseUnit, renderEnvFile, renderUnit } from "./unit.ts";

export { enableLinger, lingerCommand, readLinger } from "./linger.ts";
export { parseEnvFile, parseUnit, quoteExecArg, renderEnvFile, renderUnit } from "./unit.ts";

/** What to tell WSL2 users: the distro (and systemd with it) stops when no Windows process uses it. */
export const WSL_NOTE =
  "WSL2: systemd must be enabled ([boot] systemd=true in /etc/wsl.conf), and WSL stops the distro when no Windows process uses it. " +
  "Keep it alive, e.g. a Windows logon task running `wsl.exe -d <distro> --exec /bin/sleep infinity`, or set vmIdleTimeout=-1 in %UserProfile%\\.wslconfig.";

const OUR_UNIT = /^openclaw-gateway(-[A-Za-z0-9_-]+)?\.service$/;
const ACTIVE = new Set(["active", "activating", "deactivating", "reloading"]);
const ENABLED = new Set(["enabled", "enabled-runtime", "linked", "linked-runtime", "alias"]);

/** The systemd {@link Service}. */
export function createSystemdService(ctx: ServiceContext): Service {
  const userUnitDir = (def: ServiceDefinition) => join(ctx.env.XDG_CONFIG_HOME || join(def.home, ".config"), "systemd", "user");
  const systemUnitDir = join(ctx.root, "etc", "systemd", "system");
  const unitPath = (def: ServiceDefinition) => join(def.scope === "system" ? systemUnitDir : userUnitDir(def), def.name);
  // Secrets go to an EnvironmentFile in the state dir (0600); systemd reads it as root before dropping to User=.
  const envFilePath = (def: ServiceDefinition) => (def.secretKeys.length > 0 ? join(def.stateDir, "gateway.env") : undefined);
  const scopeArgs = (def: ServiceDefinition) => (def.scope === "system" ? [] : ["--user"]);
  const label = (def: ServiceDefinition) => (def.scope === "system" ? "systemctl" : "systemctl --user");

  const systemctl = async (def: ServiceDefinition, run: CommandRunner, ...args: string[]) => {
    const res = await run("systemctl", [...scopeArgs(def), ...args]);
    if (res.code !== 0) throw new ServiceError(`${label(def)} ${args[0]} failed: ${detailOf(res)}`);
    return res;
  };

  const show = async (def: ServiceDefinition, run: CommandRunner) => {
    const res = await run("systemctl", [...scopeArgs(def), "show", def.name, "--no-pager", "--property=LoadState,UnitFileState,ActiveState,SubState,MainPID,ExecMainStatus,ExecMainCode,NRestarts,Result"]);
    const props = new Map<string, string>();
    for (const line of res.stdout.split("\n")) {
      const i = line.indexOf("=");
      if (i > 0) props.set(line.slice(0, i), line.slice(i + 1).trim());
    }
    return { res, props };
  };

  const isLoaded = async (def: ServiceDefinition, run: CommandRunner) => {
    const { res, props } = await show(def, run);
    if (res.code !== 0) return false;
    return ENABLED.has(props.get("UnitFileState") ?? "") || ACTIVE.has(props.get("ActiveState") ?? "");
  };

  const driver: Driver = {
    kind: "systemd",
    loadedText: "enabled",
    notLoadedText: "disabled",
    render(def): RenderedFile[] {
      const envFile = envFilePath(def);
      const files: RenderedFile[] = [{ path: unitPath(def), content: renderUnit(def, envFile), mode: 0o644, secret: false }];
      if (envFile) files.push({ path: envFile, content: renderEnvFile(def), mode: 0o600, secret: true });
      return files;
    },
    definitionPath: unitPath,
    readInstalled(def) {
      const path = unitPath(def);
      let parsed: ReturnType<typeof parseUnit>;
      try {
        parsed = parseUnit(readFileSync(path, "utf8"), path);
      } catch {
        return null;
      }
      if (!parsed) return null;
      const { envFiles, user: _user, ...command } = parsed;
      // The token lives in the EnvironmentFile; merge it so drift covers it too.
      for (const file of envFiles) {
        try {
          Object.assign(command.environment ?? {}, parseEnvFile(readFileSync(file, "utf8")));
        } catch {
          // a missing env file shows up as token drift
        }
      }
      return command;
    },
    installedFiles(def) {
      try {
        const parsed = parseUnit(readFileSync(unitPath(def), "utf8"), unitPath(def));
        // Only our own env file: a hand-edited unit may point EnvironmentFile= at something shared.
        return (parsed?.envFiles ?? []).filter((f) => basename(f) === "gateway.env");
      } catch {
        return [];
      }
    },
    isLoaded,
    async preflight(def, run) {
      if (def.scope === "system" && ctx.uid !== 0) {
        throw new ServiceError("Installing a system unit needs root.", { hint: "Run: sudo openclaw gateway install --system" });
      }
      if (def.scope === "system" && !existsSync(def.stateDir)) {
        throw new ServiceError(`State dir ${def.stateDir} does not exist.`, { hint: `Create it as ${def.user} first (\`openclaw setup\`), so the service can write to it.` });
      }
      const res = await run("systemctl", [...scopeArgs(def), "status", "--no-pager"]);
      if (res.missing) {
        throw new ServiceError("systemctl not available; systemd user services are required on Linux.", { hint: ctx.isWsl ? WSL_NOTE : "Run the gateway under your own supervisor: openclaw gateway" });
      }
      if (res.code !== 0 && res.stdout.trim() === "") {
        throw new ServiceError(`${label(def)} unavailable: ${detailOf(res)}`, {
          hint: ctx.isWsl ? WSL_NOTE : def.scope === "user" ? "A user manager needs a login session (XDG_RUNTIME_DIR); over SSH log in as the user directly, or install a system unit: sudo openclaw gateway install --system" : undefined,
        });
      }
    },
    plan(def) {
      const s = ["systemctl", ...scopeArgs(def)];
      const steps = [
        [...s, "daemon-reload"],
        [...s, "enable", def.name],
        [...s, "restart", def.name],
      ];
      if (def.scope === "user") steps.push(["loginctl", "show-user", def.user, "-p", "Linger"]);
      return steps;
    },
    async activate(def, run, sink) {
      await systemctl(def, run, "daemon-reload");
      await systemctl(def, run, "enable", def.name);
      // restart, not start: a rewritten unit must replace the running process.
      await systemctl(def, run, "restart", def.name);
      if (def.scope === "user") {
        const linger = await readLinger(run, def.user);
        if (linger !== "yes") {
          const enabled = await enableLinger(run, def.user, ctx.uid);
          if (enabled.ok) sink.messages.push(`Enabled lingering for ${def.user}: the gateway starts at boot and keeps running after logout.`);
          else {
            sink.warnings.push(`Lingering is off for ${def.user} (${enabled.detail}): the gateway stops at logout and starts only at login. Run: ${lingerCommand(def.user)}`);
          }
        }
      }
      if (ctx.isWsl) sink.warnings.push(WSL_NOTE);
    },
    async deactivate(def, run) {
      const res = await run("systemctl", [...scopeArgs(def), "disable", "--now", def.name]);
      if (res.code !== 0 && !/does not exist|not loaded|not found|No such file/i.test(detailOf(res))) {
        throw new ServiceError(`${label(def)} disable failed: ${detailOf(res)}`);
      }
    },
    async afterRemove(def, run, sink) {
      const res = await run("systemctl", [...scopeArgs(def), "daemon-reload"]);
      if (res.code !== 0) sink.warnings.push(`${label(def)} daemon-reload failed: ${detailOf(res)}`);
    },
    async cleanupLegacy() {},
    async start(def, run) {
      if (!existsSync(unitPath(def))) return notLoaded(driver.notLoadedText);
      await systemctl(def, run, "start", def.name);
      return { result: "started", messages: [`Started ${def.name}`], warnings: [] };
    },
    async stop(def, run) {
      if (!existsSync(unitPath(def))) return notLoaded(driver.notLoadedText);
      await systemctl(def, run, "stop", def.name);
      return { result: "stopped", messages: [`Stopped ${def.name}`], warnings: [] };
    },
    async restart(def, run) {
      if (!existsSync(unitPath(def))) return notLoaded(driver.notLoadedText);
      await systemctl(def, run, "restart", def.name);
      return { result: "restarted", messages: [`Restarted ${def.name}`], warnings: [] };
    },
    async runtime(def, run) {
      const { res, props } = await show(def, run);
      if (res.missing) return { loaded: false, runtime: { status: "unknown", detail: "systemctl not found" } };
      if (res.code !== 0) return { loaded: false, runtime: { status: "unknown", detail: detailOf(res) } };
      const active = props.get("ActiveState") ?? "";
      const sub = props.get("SubState") ?? "";
      const pid = Number(props.get("MainPID"));
      const status = Number(props.get("ExecMainStatus"));
      const runtime: ServiceRuntime = { status: active === "active" ? "running" : ACTIVE.has(active) ? "unknown" : "stopped" };
      if (active) runtime.state = active;
      if (sub) runtime.subState = sub;
      if (Number.isInteger(pid) && pid > 0) runtime.pid = pid;
      if (props.has("ExecMainStatus") && Number.isInteger(status) && props.get("ExecMainCode") !== "0") runtime.lastExitStatus = status;
      const result = props.get("Result");
      if (result && result !== "success") runtime.lastExitReason = result;
      if (props.get("LoadState") === "not-found") runtime.missingUnit = true;
      const loaded = ENABLED.has(props.get("UnitFileState") ?? "") || ACTIVE.has(active);
      return { loaded, runtime };
    },
    async scan(def) {
      const own = unitPath(def);
      const dirs: [string, "user" | "system"][] = [
        [userUnitDir(def), "user"],
        [join(ctx.root, "etc", "systemd", "user"), "user"],
        [systemUnitDir, "system"],
        [join(ctx.root, "lib", "systemd", "system"), "system"],
        [join(ctx.root, "usr", "lib", "systemd", "system"), "system"],
      ];
      const found: ExtraService[] = [];
      const seen = new Set<string>();
      for (const [dir, scope] of dirs) {
        for (const file of listDir(dir)) {
          if (!file.endsWith(".service")) continue;
          const path = join(dir, file);
          if (path === own || seen.has(path)) continue;
          seen.add(path);
          let text = "";
          try {
            text = readFileSync(path, "utf8");
          } catch {
            continue;
          }
          const marked = text.includes(`OPENCLAW_SERVICE_MARKER=${SERVICE_MARKER}`);
          if (!marked && !/openclaw|clawdbot|moltbot/i.test(file)) continue;
          if (/OPENCLAW_SERVICE_KIND=(?!gateway)\w+/.test(text)) continue; // upstream's node host service
          const parsed = parseUnit(text, path);
          const ours = OUR_UNIT.test(file) && marked;
          const profile = parsed?.environment?.OPENCLAW_PROFILE;
          found.push({
            label: file,
            scope,
            path,
            legacy: !marked,
            ours,
            ...(profile ? { profile } : {}),
            detail: ours ? `OpenClaw gateway for profile ${profile ?? "default"} (${scope} unit)` : marked ? `gateway ${scope} unit` : `legacy or foreign gateway-like ${scope} unit`,
          });
        }
      }
      return found;
    },
    installedMessages(def) {
      return [`Installed systemd service: ${unitPath(def)}`, `Logs: journalctl ${def.scope === "system" ? "" : "--user "}-u ${def.name} -f`];
    },
  };
  return createService(driver, ctx);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
