/**
 * The managed browser's egress proxy: a loopback HTTP proxy inside the gateway process through which the
 * browser it launches sends all of its traffic (`--proxy-server`, loopback not bypassed). For every CONNECT
 * (https, ws, wss) and every plain-HTTP request it resolves the host once, applies the public-address rule
 * of util/net.ts (`checkPublicTarget`) and connects to exactly the address it checked. This closes what the
 * DevTools Fetch guard cannot: a page's WebSocket handshakes (never paused by the Fetch domain) and DNS
 * rebinding (the browser no longer resolves names itself).
 *
 * Private, loopback and link-local targets pass only when `browser.allowPrivate` is set (then the proxy is
 * a pass-through that still connects to the address it resolved) or for a short while after a tab an
 * `operator.admin` caller navigated asked for that same host and port (see {@link EgressProxy.grant}).
 *
 * Nothing else on the machine can use it: every request must carry a random per-launch credential
 * (`Proxy-Authorization: Basic`, answered for the browser by the Fetch guard over the DevTools pipe; it is
 * never on a command line). Refusals are a 403 with a short reason; a missing or wrong credential a 407.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { connect, createServer, isIP, type Socket } from "node:net";
import { checkPublicTarget, resolveAll } from "../util/net.ts";

/** What the proxy needs. */
export interface EgressProxyOptions {
  /** `browser.allowPrivate`, read per request: every target passes (still resolved once). */
  allowPrivate(): boolean;
  /** Name resolution (default: the system resolver). Tests map names; the gateway never sets it. */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Where a checked address is reached (default: itself). Tests route a public test address to a loopback
   * server, standing for the network; the gateway never sets it.
   */
  dial?: (address: string, port: number) => { host: string; port: number };
  log?: { info(msg: string): void };
  /** Client connections open at once (tunnels and plain requests); more get 503. Default 256. */
  maxConnections?: number;
  /** A tunnel or request silent this long in both directions is closed (ms). Default 300 000. */
  idleTimeoutMs?: number;
  /** Time a client has to send its request head (ms). Default 10 000. */
  headerTimeoutMs?: number;
  /** Time to connect to the target (ms). Default 15 000. */
  connectTimeoutMs?: number;
  /** How long a {@link EgressProxy.grant} lasts after the last request that renewed it (ms). Default 10 000. */
  grantMs?: number;
}

/** A running proxy. */
export interface EgressProxy {
  port: number;
  /** `http://127.0.0.1:<port>`, for `--proxy-server` (no credential in it). */
  server: string;
  /** The per-launch credential the browser must present. */
  username: string;
  password: string;
  /**
   * Lets `url`'s host and port through to private addresses for `grantMs` (renewed on each call): the Fetch
   * guard calls it for each request of a tab an admin caller navigated, just before letting it go.
   */
  grant(url: string): void;
  /** Client connections open now. */
  connections(): number;
  /** Stops listening and closes every open tunnel. Safe to call twice. */
  close(): Promise<void>;
}

const MAX_HEAD_BYTES = 16 * 1024;
const MAX_GRANTS = 1024;
const REALM = "openclaw-browser";
// host:port, the host a name or an IP literal (IPv6 in brackets).
const CONNECT_TARGET = /^(\[[0-9a-fA-F:.]+\]|[^\s/:@?#[\]]+):(\d{1,5})$/;

/**
 * Starts a proxy on 127.0.0.1, port 0, with a fresh credential.
 * @throws Error when it cannot listen.
 */
export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const username = "openclaw";
  const password = randomBytes(24).toString("base64url");
  const expected = digest(`Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
  const resolve = opts.resolve ?? resolveAll;
  const maxConnections = opts.maxConnections ?? 256;
  const idleMs = opts.idleTimeoutMs ?? 300_000;
  const headerMs = opts.headerTimeoutMs ?? 10_000;
  const connectMs = opts.connectTimeoutMs ?? 15_000;
  const grantMs = opts.grantMs ?? 10_000;
  const grants = new Map<string, number>();
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const log = (msg: string) => opts.log?.info(msg);
  let wrongLogged = false;

  const isGranted = (key: string) => {
    const until = grants.get(key);
    return until !== undefined && until > Date.now();
  };

  const decide = async (hostname: string, port: number): Promise<{ address: string } | { refused: string }> => {
    const privateOk = opts.allowPrivate() || isGranted(`${hostname}:${port}`);
    try {
      const checked = await checkPublicTarget(`http://${hostname}:${port}/`, privateOk, resolve);
      if (checked.address !== undefined) return { address: checked.address };
      const bare = hostname.replace(/^\[|\]$/g, "");
      if (isIP(bare)) return { address: bare };
      const found = await resolve(bare);
      return found[0] === undefined ? { refused: `cannot resolve ${bare}` } : { address: found[0] };
    } catch (err) {
      return { refused: String((err as Error)?.message ?? err).replace(/^refused: /, "") };
    }
  };

  const onClient = (client: Socket) => {
    if (clients.size >= maxConnections) {
      client.end(reply(503, "too many connections through the browser's egress proxy"));
      client.on("error", () => {});
      return;
    }
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => client.destroy());
    client.setTimeout(headerMs, () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) client.end(reply(431, "request head too large"));
        return;
      }
      client.off("data", onData);
      client.pause();
      client.setTimeout(idleMs);
      const rest = head.subarray(end + 4);
      void handle(client, head.subarray(0, end).toString("latin1"), rest).catch(() => client.destroy());
    };
    client.on("data", onData);
  };

  const handle = async (client: Socket, headText: string, rest: Buffer) => {
    const [requestLine = "", ...headerLines] = headText.split("\r\n");
    const [method = "", target = "", version = ""] = requestLine.split(" ");
    if (!/^HTTP\/1\.[01]$/.test(version)) return void client.end(reply(400, "not an HTTP/1.x proxy request"));
    const auth = headerLines.find((l) => /^proxy-authorization:/i.test(l))?.slice("proxy-authorization:".length).trim();
    if (auth === undefined || !timingSafeEqual(digest(auth), expected)) {
      // Logged once per launch: any local process can send wrong credentials, and must not flood the log.
      if (auth !== undefined && !wrongLogged) log("browser egress proxy refused a client with a wrong credential (further ones are not logged)");
      if (auth !== undefined) wrongLogged = true;
      return void client.end(reply(407, "proxy credential required", [`Proxy-Authenticate: Basic realm="${REALM}"`]));
    }
    const connectMethod = method === "CONNECT";
    const authority = connectMethod ? CONNECT_TARGET.exec(target) : null;
    if (connectMethod && (!authority || Number(authority[2]) < 1 || Number(authority[2]) > 65_535)) return void client.end(reply(400, "CONNECT needs host:port"));
    let url: URL;
    try {
      url = new URL(connectMethod ? `http://${target}/` : target);
    } catch {
      return void client.end(reply(400, "malformed request target"));
    }
    if (url.protocol !== "http:") return void client.end(reply(400, "only http:// requests are forwarded; https and ws go through CONNECT"));
    const port = authority ? Number(authority[2]) : Number(url.port || 80);
    const shown = connectMethod ? `CONNECT ${url.host}` : `${method} ${url.origin}${url.pathname.slice(0, 200)}`;
    const verdict = await decide(url.hostname, port);
    if ("refused" in verdict) {
      log(`browser egress proxy refused ${shown}: ${verdict.refused}`);
      return void client.end(reply(403, `refused by the browser's egress proxy: ${verdict.refused}`));
    }
    const to = opts.dial?.(verdict.address, port) ?? { host: verdict.address, port };
    const upstream = connect({ host: to.host, port: to.port });
    upstreams.add(upstream);
    upstream.once("close", () => upstreams.delete(upstream));
    client.once("close", () => upstream.destroy());
    const connected = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), connectMs);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        done(ok);
      };
      upstream.once("connect", () => settle(true));
      upstream.once("error", () => settle(false));
      upstream.once("close", () => settle(false));
    });
    upstream.on("error", () => upstream.destroy());
    if (!connected || client.destroyed) {
      upstream.destroy();
      return void client.end(reply(502, `cannot connect to ${url.host}`));
    }
    upstream.once("close", () => client.destroy());
    upstream.setTimeout(idleMs, () => upstream.destroy());
    if (connectMethod) {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    } else {
      // One request per client connection: the upstream is asked to close, and the browser is told the
      // same, so it never sends a request for another host down this (already checked) connection.
      const kept = headerLines.filter((l) => !/^(proxy-authorization|proxy-connection|connection|keep-alive):/i.test(l));
      upstream.write(`${method} ${url.pathname}${url.search} ${version}\r\n${[...kept, "Connection: close"].join("\r\n")}\r\n\r\n`, "latin1");
      pipeResponseClosing(upstream, client);
    }
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    if (connectMethod) upstream.pipe(client);
    client.resume();
  };

  const server = createServer(onClient);
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const port = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    server: `http://127.0.0.1:${port}`,
    username,
    password,
    grant(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return;
      }
      const secure = url.protocol === "https:" || url.protocol === "wss:";
      if (!secure && url.protocol !== "http:" && url.protocol !== "ws:") return;
      const now = Date.now();
      if (grants.size >= MAX_GRANTS) for (const [k, until] of grants) if (until <= now) grants.delete(k);
      if (grants.size >= MAX_GRANTS) grants.delete(grants.keys().next().value as string);
      const key = `${url.hostname}:${Number(url.port || (secure ? 443 : 80))}`;
      grants.delete(key);
      grants.set(key, now + grantMs);
    },
    connections: () => clients.size,
    close() {
      // The listener stops at once; the close callback is not awaited (it waits for sockets to finish
      // closing, which every open one is now told to do).
      closing ??= (async () => {
        server.close();
        for (const s of [...clients, ...upstreams]) s.destroy();
      })();
      return closing;
    },
  };
}

// --- internal ---

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function reply(status: number, text: string, extra: string[] = []): string {
  const reason = { 400: "Bad Request", 403: "Forbidden", 407: "Proxy Authentication Required", 431: "Request Header Fields Too Large", 502: "Bad Gateway", 503: "Service Unavailable" }[status] ?? "Error";
  const body = `${text}\n`;
  return [`HTTP/1.1 ${status} ${reason}`, "Content-Type: text/plain; charset=utf-8", `Content-Length: ${Buffer.byteLength(body)}`, "Connection: close", ...extra, "", body].join("\r\n");
}

/** Copies the upstream's response to the client with its head marked `Connection: close`. */
function pipeResponseClosing(upstream: Socket, client: Socket): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > 64 * 1024) upstream.destroy();
      return;
    }
    upstream.off("data", onData);
    const lines = head.subarray(0, end).toString("latin1").split("\r\n");
    const kept = lines.filter((l, i) => i === 0 || !/^(connection|keep-alive|proxy-connection):/i.test(l));
    client.write(`${[...kept, "Connection: close", "Proxy-Connection: close"].join("\r\n")}\r\n\r\n`, "latin1");
    client.write(head.subarray(end + 4));
    upstream.pipe(client);
  };
  upstream.on("data", onData);
}
