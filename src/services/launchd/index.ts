/**
 * macOS launchd: a LaunchAgent in the user's GUI domain (`gui/<uid>`), or with `--system` a LaunchDaemon
 * in the `system` domain for headless Macs. Uses the modern bootstrap/bootout/kickstart verbs only.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createService, type Driver, notLoaded } from "../_engine.ts";
import { detailOf } from "../_runner.ts";
import { isDefaultProfile, SERVICE_KIND, SERVICE_MARKER } from "../definition.ts";
import type { CommandRunner, ExtraService, RenderedFile, Service, ServiceContext, ServiceDefinition } from "../service.ts";
import { ServiceError } from "../service.ts";
import { isBootstrapBusy, isNoGuiSession, isNotLoaded, parsePrint } from "./launchctl.ts";
import { plistToCommand, renderPlist } from "./plist.ts";

export { parsePlist, plistToCommand, renderPlist } from "./plist.ts";
export { parsePrint } from "./launchctl.ts";

/** Labels older releases used for the same profile: removed on install/uninstall. */
export function legacyLaunchdLabels(profile: string | undefined): string[] {
  return isDefaultProfile(profile) ? ["com.openclaw.gateway", "ai.openclaw.gateway"] : [`com.openclaw.${profile}`, `ai.openclaw.${profile}`];
}

const LABEL_FAMILIES = /^(bot\.molt|ai\.openclaw|com\.openclaw|com\.clawdbot|bot\.clawdbot|com\.moltbot)\./;
const BOOTSTRAP_RETRIES = 10;

/** The launchd {@link Service}. */
export function createLaunchdService(ctx: ServiceContext): Service {
  const domainOf = (def: ServiceDefinition) => (def.scope === "system" ? "system" : `gui/${ctx.uid}`);
  const targetOf = (def: ServiceDefinition) => `${domainOf(def)}/${def.name}`;
  const agentsDir = (home: string) => join(home, "Library", "LaunchAgents");
  const plistPath = (def: ServiceDefinition) =>
    def.scope === "system" ? join(ctx.root, "Library", "LaunchDaemons", `${def.name}.plist`) : join(agentsDir(def.home), `${def.name}.plist`);
  const logPaths = (def: ServiceDefinition) => ({ stdout: join(def.logDir, "gateway.log"), stderr: join(def.logDir, "gateway.err.log") });

  const isLoaded = async (def: ServiceDefinition, run: CommandRunner) => (await run("launchctl", ["print", targetOf(def)])).code === 0;

  const bootstrap = async (def: ServiceDefinition, run: CommandRunner, afterBootout: boolean) => {
    // `disable` state survives bootout and rewrites; clear it or bootstrap silently does nothing.
    await run("launchctl", ["enable", targetOf(def)]);
    for (let attempt = 0; ; attempt++) {
      const res = await run("launchctl", ["bootstrap", domainOf(def), plistPath(def)]);
      if (res.code === 0) return;
      if (isNoGuiSession(res)) {
        throw new ServiceError(`launchctl bootstrap failed: ${detailOf(res)}\nA LaunchAgent needs a logged-in macOS GUI session for this user (${domainOf(def)}); SSH and headless sessions have none.`, {
          hint: "Sign in on the desktop as this user and rerun, or install a LaunchDaemon for headless Macs: sudo openclaw gateway install --system",
        });
      }
      if (afterBootout && isBootstrapBusy(res) && attempt < BOOTSTRAP_RETRIES) {
        await ctx.sleep(500);
        continue;
      }
      throw new ServiceError(`launchctl bootstrap failed: ${detailOf(res)}`);
    }
  };

  const bootout = async (target: string, run: CommandRunner) => {
    const res = await run("launchctl", ["bootout", target]);
    if (res.code !== 0 && !isNotLoaded(res)) throw new ServiceError(`launchctl bootout failed: ${detailOf(res)}`);
  };

  const driver: Driver = {
    kind: "launchd",
    loadedText: "loaded",
    notLoadedText: "not loaded",
    render(def): RenderedFile[] {
      const secret = def.secretKeys.length > 0;
      // The plist carries the token in EnvironmentVariables (launchd has no env-file); 0600 keeps it private.
      return [{ path: plistPath(def), content: renderPlist(def, logPaths(def)), mode: secret ? 0o600 : 0o644, secret }];
    },
    definitionPath: plistPath,
    readInstalled(def) {
      const path = plistPath(def);
      try {
        return plistToCommand(readFileSync(path, "utf8"), path);
      } catch {
        return null;
      }
    },
    installedFiles: () => [],
    isLoaded,
    async preflight(def) {
      if (def.scope === "system" && ctx.uid !== 0) {
        throw new ServiceError("Installing a LaunchDaemon needs root.", { hint: "Run: sudo openclaw gateway install --system" });
      }
      // Under sudo the GUI domain would be gui/0 (root's), not the user's session.
      if (def.scope === "user" && ctx.uid === 0) {
        throw new ServiceError("A LaunchAgent belongs to a user's GUI session; do not install it as root.", { hint: "Run without sudo, or install a LaunchDaemon: sudo openclaw gateway install --system" });
      }
      if (def.scope === "system" && !existsSync(def.stateDir)) {
        throw new ServiceError(`State dir ${def.stateDir} does not exist.`, { hint: `Create it as ${def.user} first (\`openclaw setup\`), so the daemon can write to it.` });
      }
    },
    plan(def) {
      return [
        ["launchctl", "bootout", targetOf(def)],
        ["launchctl", "enable", targetOf(def)],
        ["launchctl", "bootstrap", domainOf(def), plistPath(def)],
      ];
    },
    async activate(def, run, _sink, wasLoaded) {
      mkdirSync(def.logDir, { recursive: true, mode: 0o700 });
      // A loaded job keeps its old definition until booted out; bootstrap then loads the new file.
      if (wasLoaded) await bootout(targetOf(def), run);
      await bootstrap(def, run, wasLoaded);
    },
    async deactivate(def, run) {
      await bootout(targetOf(def), run);
    },
    async afterRemove() {},
    async cleanupLegacy(def, run, sink) {
      if (def.scope === "system") return;
      for (const label of legacyLaunchdLabels(def.profile)) {
        const path = join(agentsDir(def.home), `${label}.plist`);
        const cmd = existsSync(path) ? plistToCommand(readFileSync(path, "utf8"), path) : null;
        if (cmd?.environment?.OPENCLAW_SERVICE_KIND && cmd.environment.OPENCLAW_SERVICE_KIND !== SERVICE_KIND) continue;
        const target = `gui/${ctx.uid}/${label}`;
        const loaded = (await run("launchctl", ["print", target])).code === 0;
        if (!loaded && !existsSync(path)) continue;
        if (loaded) await bootout(target, run);
        rmSync(path, { force: true });
        sink.messages.push(`Removed legacy LaunchAgent ${label}`);
      }
    },
    async start(def, run) {
      if (!existsSync(plistPath(def))) return notLoaded(driver.notLoadedText);
      const res = await run("launchctl", ["print", targetOf(def)]);
      if (res.code !== 0) {
        // `stop` booted the job out; loading it again starts it (RunAtLoad).
        await bootstrap(def, run, false);
        return { result: "started", messages: [`Started ${targetOf(def)}`], warnings: [] };
      }
      if (parsePrint(res.stdout).status === "running") return { result: "started", messages: [`Already running: ${targetOf(def)}`], warnings: [] };
      const kick = await run("launchctl", ["kickstart", targetOf(def)]);
      if (kick.code !== 0) throw new ServiceError(`launchctl kickstart failed: ${detailOf(kick)}`);
      return { result: "started", messages: [`Started ${targetOf(def)}`], warnings: [] };
    },
    async stop(def, run) {
      if (!(await isLoaded(def, run))) return notLoaded(driver.notLoadedText);
      // bootout, not `kill`: with KeepAlive launchd would restart a killed job at once.
      await bootout(targetOf(def), run);
      return { result: "stopped", messages: [`Stopped ${targetOf(def)}`], warnings: [] };
    },
    async restart(def, run) {
      if (!existsSync(plistPath(def))) return notLoaded(driver.notLoadedText);
      if (!(await isLoaded(def, run))) {
        await bootstrap(def, run, false);
      } else {
        const kick = await run("launchctl", ["kickstart", "-k", targetOf(def)]);
        if (kick.code !== 0) throw new ServiceError(`launchctl kickstart failed: ${detailOf(kick)}`);
      }
      return { result: "restarted", messages: [`Restarted ${targetOf(def)}`], warnings: [] };
    },
    async runtime(def, run) {
      const res = await run("launchctl", ["print", targetOf(def)]);
      if (res.missing) return { loaded: false, runtime: { status: "unknown", detail: "launchctl not found" } };
      if (res.code !== 0) {
        const installed = existsSync(plistPath(def));
        return { loaded: false, runtime: { status: "stopped", detail: installed ? "not loaded (stopped with `openclaw gateway stop`?)" : "not installed", ...(installed ? {} : { missingUnit: true }) } };
      }
      return { loaded: true, runtime: parsePrint(res.stdout) };
    },
    async scan(def) {
      const dirs: [string, "user" | "system"][] = [
        [agentsDir(def.home), "user"],
        [join(ctx.root, "Library", "LaunchAgents"), "system"],
        [join(ctx.root, "Library", "LaunchDaemons"), "system"],
      ];
      const own = plistPath(def);
      const found: ExtraService[] = [];
      for (const [dir, scope] of dirs) {
        for (const file of listDir(dir)) {
          if (!file.endsWith(".plist")) continue;
          const path = join(dir, file);
          if (path === own) continue;
          const label = file.slice(0, -".plist".length);
          let text = "";
          try {
            text = readFileSync(path, "utf8");
          } catch {
            continue;
          }
          const marked = text.includes("OPENCLAW_SERVICE_MARKER");
          if (!LABEL_FAMILIES.test(label) && !marked && !/openclaw|clawdbot|moltbot/i.test(label)) continue;
          const cmd = plistToCommand(text, path);
          const kind = cmd?.environment?.OPENCLAW_SERVICE_KIND;
          if (kind && kind !== SERVICE_KIND) continue; // upstream's node host service, not a gateway
          const ours = label.startsWith("bot.molt.") && cmd?.environment?.OPENCLAW_SERVICE_MARKER === SERVICE_MARKER;
          const legacy = !label.startsWith("bot.molt.");
          const profile = cmd?.environment?.OPENCLAW_PROFILE;
          found.push({
            label,
            scope,
            path,
            legacy,
            ours,
            ...(profile ? { profile } : {}),
            detail: ours ? `OpenClaw gateway for profile ${profile ?? "default"}` : legacy ? "legacy gateway job from an older release" : "gateway-like launchd job",
          });
        }
      }
      return found;
    },
    installedMessages(def) {
      const logs = logPaths(def);
      return [`Installed ${def.scope === "system" ? "LaunchDaemon" : "LaunchAgent"}: ${plistPath(def)}`, `Logs: ${logs.stdout}`];
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
