/**
 * The one answer to "is this request local?": the peer is loopback, no proxy header says it came from
 * elsewhere, and the Host names loopback. A loopback peer asking for another Host (DNS rebinding, a tunnel)
 * counts as remote. Used for WebSocket connections (`isLocal`) and the loopback-only probes.
 */

const PROXY_HEADERS = ["x-forwarded-for", "x-real-ip", "forwarded"] as const;

/**
 * True when the request came straight from this machine.
 * @param remoteAddress the peer address (`server.requestIP(req)?.address`); missing counts as remote. Pure.
 */
export function isLocalRequest(req: Request, remoteAddress: string | undefined): boolean {
  if (!remoteAddress || !isLoopbackAddress(remoteAddress)) return false;
  if (PROXY_HEADERS.some((h) => req.headers.has(h))) return false;
  return isLoopbackHost(req.headers.get("host"));
}

/** True for a Host header naming loopback (`localhost`, `127.x.y.z`, `[::1]`, with any port), or none. */
export function isLoopbackHost(host: string | null): boolean {
  if (!host) return true;
  const name = host.toLowerCase().replace(/:\d+$/, "");
  return name === "localhost" || name === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  return a === "::1" || a.startsWith("127.") || a.startsWith("::ffff:127.");
}
