/**
 * A sandbox for the service backends: temp HOME and root, the fake supervisor tools of
 * test/fixtures/fake-bin on PATH, a context whose runner spawns them, and the calls they recorded.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildServiceDefinition, createCommandRunner, type ServiceContext, type ServiceDefinition, type ServiceScope, type SupervisorKind } from "../../src/services/index.ts";

/** The fake launchctl/systemctl/loginctl/sudo/schtasks/taskkill folder. */
export const FAKE_BIN = resolve(import.meta.dir, "../fixtures/fake-bin");

/** A sandbox; `cleanup()` removes everything it created. */
export interface ServiceSandbox {
  dir: string;
  home: string;
  root: string;
  state: string;
  env: Record<string, string>;
  ctx: ServiceContext;
  /** Calls recorded by the fakes since the last `resetCalls()`, as `[cmd, ...args]`. */
  calls(): string[][];
  resetCalls(): void;
  /** A definition like the CLI would build, in this sandbox. */
  def(opts?: { kind?: SupervisorKind; scope?: ServiceScope; profile?: string; port?: number; token?: string; program?: string[] }): ServiceDefinition;
  cleanup(): void;
}

/** Creates a sandbox. `extraEnv` reaches the fakes (FAKE_SYSTEMD_DOWN, FAKE_LINGER_DENY …). */
export function createServiceSandbox(opts: { uid?: number; user?: string; isWsl?: boolean; extraEnv?: Record<string, string> } = {}): ServiceSandbox {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-svc-"));
  const home = join(dir, "home");
  const root = join(dir, "root");
  const state = join(dir, "fake-state");
  for (const d of [home, root, state]) mkdirSync(d, { recursive: true });
  const log = join(state, "calls.log");
  const env: Record<string, string> = {
    PATH: `${FAKE_BIN}:/usr/bin:/bin`,
    HOME: home,
    FAKE_STATE: state,
    FAKE_LOG: log,
    FAKE_ROOT: root,
    ...opts.extraEnv,
  };
  const ctx: ServiceContext = {
    env,
    run: createCommandRunner(env),
    uid: opts.uid ?? 501,
    user: opts.user ?? "alice",
    root,
    isWsl: opts.isWsl ?? false,
    sleep: async () => {},
  };
  const sandbox: ServiceSandbox = {
    dir,
    home,
    root,
    state,
    env,
    ctx,
    calls() {
      try {
        return readFileSync(log, "utf8").trimEnd().split("\n").filter(Boolean).map((l) => l.split("\t"));
      } catch {
        return [];
      }
    },
    resetCalls() {
      writeFileSync(log, "");
    },
    def(o = {}) {
      const profile = o.profile;
      const stateDir = join(home, profile ? `.openclaw-${profile}` : ".openclaw");
      const callerEnv: Record<string, string> = profile ? { OPENCLAW_PROFILE: profile, OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(stateDir, "openclaw.json") } : {};
      return buildServiceDefinition({
        kind: o.kind ?? "systemd",
        scope: o.scope ?? "user",
        env: callerEnv,
        home,
        stateDir,
        port: o.port ?? 18789,
        token: "token" in o ? o.token : "tok-secret-0123456789",
        program: o.program ?? ["/opt/openclaw/bin/openclaw"],
        user: ctx.user,
        version: "1.2.3",
      });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}
