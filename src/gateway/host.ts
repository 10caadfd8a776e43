/**
 * The narrow host a feature sees. The server holds every service in one `GatewayContext`; a feature declares
 * the services it needs (`needs` in its `defineFeature`) and its handlers get a view holding only those, typed
 * as `HostView<…>` so a handler that reaches for an undeclared service does not compile, and the view carries
 * no other property at run time either. Transport internals (metrics, the cached health state, state
 * versions) are never lendable.
 */
import type { Connections } from "./connections.ts";
import type { GatewayContext } from "./context.ts";

/** Host members that stay with the transport (frames, handshake): no feature can declare them. */
type HostInternal = "metrics" | "health" | "stateVersion";

/**
 * What a feature may do with the open connections: address events and frames, find or close a connection.
 * Registration, presence keys and counters stay with the transport.
 */
export type ConnectionsPort = Pick<Connections, "broadcast" | "byId" | "closeWhere" | "sendText">;

/** Everything a feature may ask the host for. */
export type HostServices = Omit<GatewayContext, HostInternal | "connections"> & { readonly connections: ConnectionsPort };

/** A service name a feature can list in `needs`. */
export type HostKey = keyof HostServices;

/** The host as seen by a feature that declared `K`. */
export type HostView<K extends HostKey> = Pick<HostServices, K>;

/**
 * Builds the view of `gw` lent to a feature that declared `needs`: one live accessor per declared service (the
 * running config and swapped services are read at use, never copied; an assignment such as `loaded` goes to
 * the host), nothing else, frozen.
 * @throws Error when `needs` names something that is not a host service.
 */
export function lendHost<K extends HostKey>(gw: HostServices, needs: readonly K[]): HostView<K> {
  const view = {} as HostView<K>;
  for (const key of needs) {
    if (INTERNAL.has(key)) throw new Error(`host member ${key} is internal to the transport`);
    Object.defineProperty(view, key, {
      enumerable: true,
      get: () => gw[key],
      set: (value: HostServices[K]) => {
        gw[key] = value;
      },
    });
  }
  return Object.freeze(view);
}

const INTERNAL: ReadonlySet<string> = new Set<HostInternal>(["metrics", "health", "stateVersion"]);
