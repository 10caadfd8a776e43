/**
 * Address checks for outbound fetches (the agent's web_fetch, channel media): which IPs are private,
 * loopback, link-local or otherwise not on the public internet, resolving a host to all of its addresses,
 * and the URL check both fetchers apply to every hop.
 *
 * A name is resolved once: the request is sent to the address that was checked ({@link fetchChecked}), so a
 * DNS answer that changes between the check and the connection (rebinding) cannot move it elsewhere.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** True for addresses a fetch tool must not reach by default (RFC 1918/4193/6598, loopback, link-local, …). */
export function isNonPublicAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return isNonPublicV4(ip);
  if (v !== 6) return true;
  const lower = ip.toLowerCase().replace(/^\[|\]$/g, "");
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return isNonPublicV4(mapped[1]);
  const words = expandV6(lower);
  if (!words) return true;
  if (words.every((w) => w === 0)) return true; // ::
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return true; // ::1
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return true; // mapped, odd spelling
  const first = words[0];
  // Only global unicast (2000::/3) can be public. Everything else is special: IPv4-compatible ::/96 and
  // translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48 (they reach IPv4 behind a
  // translator), discard 100::/64, ULA, link-local, site-local, multicast.
  if ((first & 0xe000) !== 0x2000) return true;
  // Inside it: 2001::/23 (Teredo, benchmarking, ORCHID, …), documentation 2001:db8::/32 and 3fff::/20,
  // and 6to4 2002::/16, which embeds an IPv4 address that may be private.
  return (first === 0x2001 && (words[1] < 0x0200 || words[1] === 0x0db8)) || first === 0x2002 || (first === 0x3fff && words[1] < 0x1000);
}

/**
 * All addresses of `host` (an IP literal resolves to itself).
 * @throws Error when the name does not resolve.
 */
export async function resolveAll(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return [bare];
  const found = await lookup(bare, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * Checks that `raw` is an http(s) URL without credentials whose host resolves only to public addresses
 * (any address when `allowPrivate`).
 * @throws Error naming the reason (scheme, credentials, non-public address, unresolvable host).
 */
export async function checkPublicUrl(raw: string, allowPrivate = false): Promise<URL> {
  return (await checkPublicTarget(raw, allowPrivate)).url;
}

/** A URL that passed {@link checkPublicTarget}, with the checked address its connection must use. */
export interface CheckedTarget {
  url: URL;
  /** The public address the name resolved to (absent for IP literals and when private targets are allowed). */
  address?: string;
}

/**
 * {@link checkPublicUrl}, keeping the address that was checked so {@link fetchChecked} connects there and
 * nowhere else.
 * @throws Error naming the reason (scheme, credentials, non-public address, unresolvable host).
 */
export async function checkPublicTarget(raw: string, allowPrivate = false): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`invalid URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`only http and https URLs can be fetched (got ${url.protocol})`);
  if (url.username || url.password) throw new Error("URLs with credentials are not fetched");
  if (allowPrivate) return { url };
  let addresses: string[];
  try {
    addresses = await resolveAll(url.hostname);
  } catch {
    throw new Error(`cannot resolve ${url.hostname}`);
  }
  const blocked = addresses.find(isNonPublicAddress);
  if (blocked !== undefined) throw new Error(`refused: ${url.hostname} resolves to a private, loopback or link-local address (${blocked})`);
  const bare = url.hostname.replace(/^\[|\]$/g, "");
  return isIP(bare) ? { url } : { url, address: addresses[0] };
}

/**
 * `fetch` of a checked target over a connection to its checked address: the URL names the address, the
 * `Host` header and the TLS server name (SNI and certificate check) keep the original name. No second
 * DNS lookup happens, so the name cannot be re-pointed at a private address in between.
 */
export function fetchChecked(target: CheckedTarget, init: RequestInit & { tls?: Record<string, unknown> } = {}): Promise<Response> {
  const { url, address } = target;
  if (address === undefined) return fetch(url, init);
  const direct = new URL(url);
  direct.hostname = address.includes(":") ? `[${address}]` : address;
  const headers = new Headers(init.headers);
  headers.set("host", url.host);
  const tls = url.protocol === "https:" ? { ...init.tls, serverName: url.hostname } : init.tls;
  return fetch(direct, { ...init, headers, ...(tls && { tls }) } as RequestInit);
}

// --- internal ---

function isNonPublicV4(ip: string): boolean {
  const [a, b, c] = ip.split(".").map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && c === 0) ||
    (a === 192 && b === 0 && c === 2) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224
  );
}

function expandV6(ip: string): number[] | undefined {
  const [head, tail, extra] = ip.split("::");
  if (extra !== undefined) return undefined;
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0) return undefined;
  const words = [...h, ...Array(fill).fill("0"), ...t].map((w) => Number.parseInt(w, 16));
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
