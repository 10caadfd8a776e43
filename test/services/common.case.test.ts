/**
 * One case table for the three backends: the same lifecycle, driven against the fake supervisor tools,
 * must be idempotent everywhere (install twice, stop twice, uninstall twice).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { createService, type SupervisorKind } from "../../src/services/index.ts";
import { createServiceSandbox, type ServiceSandbox } from "../helpers/services.ts";

const KINDS: SupervisorKind[] = ["launchd", "systemd", "schtasks"];
let box: ServiceSandbox | undefined;
afterEach(() => box?.cleanup());

describe.each(KINDS)("%s lifecycle", (kind) => {
  test("install → no-op → stop ×2 → start ×2 → restart → drift → force → uninstall ×2", async () => {
    box = createServiceSandbox({ extraEnv: { FAKE_LINGER_DENY: "", FAKE_SUDO_DENY: "" } });
    const svc = createService(kind, box.ctx);
    const def = box.def({ kind });

    const first = await svc.install(def);
    expect(first.result).toBe("installed");
    expect(first.loaded).toBe(true);
    for (const f of svc.render(def)) {
      expect(existsSync(f.path)).toBe(true);
      expect(statSync(f.path).mode & 0o777).toBe(f.mode);
      if (f.secret) expect(f.mode).toBe(0o600);
    }
    // The token never appears in what install reports.
    expect(JSON.stringify(first)).not.toContain("tok-secret-0123456789");
    expect((await svc.runtime(def)).runtime.status).toBe("running");

    const again = await svc.install(def);
    expect(again.result).toBe("already-installed");
    expect(again.drift).toEqual([]);

    const stop1 = await svc.stop(def);
    expect(stop1.result).toBe("stopped");
    expect((await svc.runtime(def)).runtime.status).not.toBe("running");
    const stop2 = await svc.stop(def);
    expect(["stopped", "not-loaded"]).toContain(stop2.result);

    expect((await svc.start(def)).result).toBe("started");
    expect((await svc.runtime(def)).runtime.status).toBe("running");
    expect((await svc.start(def)).result).toBe("started");
    expect((await svc.restart(def)).result).toBe("restarted");
    expect((await svc.runtime(def)).runtime.status).toBe("running");

    const moved = box.def({ kind, port: 19999 });
    const drifted = await svc.install(moved);
    expect(drifted.result).toBe("already-installed");
    expect(drifted.drift.map((d) => d.field)).toContain("port");
    expect(svc.readInstalled(moved)?.programArguments).toContain("18789");

    const forced = await svc.install(moved, { force: true });
    expect(forced.result).toBe("installed");
    expect(svc.readInstalled(moved)?.programArguments).toContain("19999");
    expect((await svc.runtime(moved)).runtime.status).toBe("running");

    const gone = await svc.uninstall(moved);
    expect(gone.result).toBe("uninstalled");
    for (const f of svc.render(moved)) expect(existsSync(f.path)).toBe(false);
    const state = await svc.runtime(moved);
    expect(state.loaded).toBe(false);
    expect(state.installed).toBe(false);
    expect((await svc.uninstall(moved)).result).toBe("not-installed");
    expect((await svc.start(moved)).result).toBe("not-loaded");
    expect((await svc.stop(moved)).result).toBe("not-loaded");
  });

  test("dry run writes nothing and runs nothing", async () => {
    box = createServiceSandbox();
    const svc = createService(kind, box.ctx);
    const def = box.def({ kind, profile: "work" });
    const out = await svc.install(def, { dryRun: true });
    expect(out.result).toBe("dry-run");
    expect(out.commands.length).toBeGreaterThan(0);
    expect(out.files.map((f) => f.path)).toEqual(svc.render(def).map((f) => f.path));
    for (const f of out.files) {
      expect(existsSync(f.path)).toBe(false);
      expect(f.content).not.toContain("tok-secret-0123456789");
    }
    expect(out.files.some((f) => f.content.includes("<redacted>"))).toBe(true);
    expect(box.calls()).toEqual([]);
  });
});
