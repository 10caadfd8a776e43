import { describe, expect, test } from "bun:test";
import { defineFeature, defineMethod } from "../../src/gateway/feature.ts";
import { FEATURES } from "../../src/gateway/features.ts";
import type { GatewayContext, MethodContext, MethodHandler } from "../../src/gateway/context.ts";
import { type HostServices, type HostView, lendHost } from "../../src/gateway/host.ts";

// A stand-in host: only the members these tests touch, the rest never read.
function fakeHost(): HostServices {
  const state = { loaded: { path: "a" }, systemEvents: [] as string[], stateDir: "/tmp/x", version: "1", metrics: { secret: true } };
  return state as unknown as HostServices;
}

describe("lendHost", () => {
  test("the view has exactly the declared services, read live; assignments go to the host", () => {
    const gw = fakeHost();
    const view = lendHost(gw, ["loaded", "systemEvents"]);
    expect(Object.keys(view).sort()).toEqual(["loaded", "systemEvents"]);
    expect("stateDir" in view).toBe(false);
    const next = { path: "b" } as unknown as GatewayContext["loaded"];
    (gw as { loaded: unknown }).loaded = next;
    expect(view.loaded).toBe(next);
    const again = { path: "c" } as unknown as GatewayContext["loaded"];
    view.loaded = again;
    expect(gw.loaded).toBe(again);
    expect(Object.isFrozen(view)).toBe(true);
  });

  test("transport internals cannot be lent even when asked for", () => {
    expect(() => lendHost(fakeHost(), ["metrics" as never])).toThrow("host member metrics is internal to the transport");
    // Connections are lent as a port: features address and close connections, never register them.
    const touch = (view: HostView<"connections">) => {
      // @ts-expect-error registering a socket is the transport's
      view.connections.add;
      return view.connections.broadcast;
    };
    expect(touch).toBeInstanceOf(Function);
  });
});

describe("defineFeature", () => {
  test("a handler's ctx.host is the feature's view, not the whole host", () => {
    let seen: object | undefined;
    const feature = defineFeature({
      name: "probe",
      needs: ["version"],
      methods: [
        defineMethod("health", (ctx: MethodContext<HostView<"version">>) => {
          seen = ctx.host;
          return ctx.host.version;
        }),
      ],
    });
    const call = feature.methods[0]!.prepare({});
    if (!call.ok) throw new Error(call.message);
    const gw = fakeHost();
    const req = { client: {} as never, connId: "c", requestId: "r", respondLater() {} };
    expect(call.run(req, gw)).toBe("1");
    expect(seen).not.toBe(gw);
    expect(Object.keys(seen ?? {})).toEqual(["version"]);
    call.run(req, gw);
    expect(feature.needs).toEqual(["version"]);
  });

  test("a method needing a service its feature did not declare does not compile", () => {
    const needsStore: MethodHandler<"health", HostView<"store">> = (ctx) => ctx.host.store;
    const feature = defineFeature({
      name: "undeclared",
      needs: ["version"],
      // @ts-expect-error `store` is not in the feature's needs
      methods: [defineMethod("health", needsStore)],
    });
    expect(feature.needs).toEqual(["version"]);
  });

  test("a route gets the feature's view; features register the HTTP APIs before canvas (http.md §1)", async () => {
    const feature = defineFeature({
      name: "route-probe",
      needs: ["version"],
      methods: [],
      routes: [({ host, url }) => (url.pathname === "/probe" ? new Response(`${Object.keys(host).join(",")} ${host.version}`) : undefined)],
    });
    const call = { req: new Request("http://x/probe"), url: new URL("http://x/probe"), server: {} as never, remoteAddress: "127.0.0.1" };
    expect(await (await feature.routes[0]!(call, fakeHost()))!.text()).toBe("version 1");
    expect(await feature.routes[0]!({ ...call, url: new URL("http://x/other") }, fakeHost())).toBeUndefined();
    const withRoutes = FEATURES.filter((f) => f.routes.length > 0).map((f) => f.name);
    expect(withRoutes).toEqual(["http-api", "canvas"]);
  });

  test("every hosted feature declares only lendable, distinct services", () => {
    for (const f of FEATURES) {
      expect({ feature: f.name, dup: f.needs.length !== new Set(f.needs).size }).toEqual({ feature: f.name, dup: false });
      expect(() => lendHost(fakeHost(), f.needs)).not.toThrow();
    }
  });

  test("features own start and stop: started in registry order, stopped in reverse; heartbeat and cron after the runs", async () => {
    const calls: string[] = [];
    const service = (name: string) => ({
      start: () => void calls.push(`${name}.start`),
      stop: () => {
        calls.push(`${name}.stop`);
        return Promise.resolve();
      },
      close: () => void calls.push(`${name}.close`),
    });
    const memory = { watch: (dirs: string[]) => void calls.push(`memory.watch ${dirs.length}`), close: () => void calls.push("memory.close") };
    // The sessions feature listens to every run (v4 session subscriptions) from start to stop.
    const runListeners = {
      onEvery: () => {
        calls.push("runListeners.onEvery");
        return () => void calls.push("runListeners.off");
      },
    };
    const gw = { config: {}, channels: service("channels"), heartbeat: service("heartbeat"), cron: service("cron"), approvals: service("approvals"), memory, runListeners } as unknown as HostServices;
    for (const f of FEATURES) await f.start?.(gw);
    expect(calls.splice(0)).toEqual(["channels.start", "runListeners.onEvery", "heartbeat.start", "cron.start", "memory.watch 1"]);
    for (const f of [...FEATURES].reverse()) await f.stop?.(gw);
    expect(calls).toEqual(["memory.close", "cron.stop", "heartbeat.stop", "runListeners.off", "approvals.close", "channels.stop"]);
    expect(FEATURES.filter((f) => f.stopAfterRuns).map((f) => f.name)).toEqual(["heartbeat", "cron"]);
  });
});
