/**
 * Advisory classes: "canvas/A2UI trusted by client IP" and "path traversal out of the canvas root". Access
 * needs the secret or a capability from every address, and no spelling of a path (dot segments, encoded
 * slashes and backslashes, double encoding, overlong UTF-8, NUL, absolute paths) or symlink reads a byte
 * outside the root. Checked on the gateway port and on the canvas's own port.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/binary.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { openRawWs, rawHttp } from "./_helpers.ts";

const TOKEN = "canvas-token-0123456789abcdef0123456789";
const SECRET = "TOP-SECRET-OUTSIDE-THE-CANVAS-ROOT";
let gw: TestGateway;
let ports: { name: string; port: number }[];
let node: SimulatedNode;
let scope: string;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false }, canvasHost: { port: freePort() } },
    settings: { auth: { mode: "token", token: TOKEN } },
  });
  const root = gw.handle.ctx.canvas!.host.root;
  // Outside the root: a secret file and a folder; inside: links to both, and an ordinary file.
  writeFileSync(join(gw.stateDir, "secret.txt"), SECRET);
  mkdirSync(join(gw.stateDir, "outside"));
  writeFileSync(join(gw.stateDir, "outside", "secret.txt"), SECRET);
  writeFileSync(join(root, "ok.txt"), "inside");
  symlinkSync(join(gw.stateDir, "secret.txt"), join(root, "link.txt"));
  symlinkSync(join(gw.stateDir, "outside"), join(root, "linkdir"));
  symlinkSync(join(root, "ok.txt"), join(root, "inner-link.txt"));
  mkdirSync(join(root, "sub"));
  symlinkSync("../../secret.txt", join(root, "sub", "rel-link.txt"));
  node = await SimulatedNode.connect(gw.url, { token: TOKEN, identity: null, instanceId: "canvas-access-node" });
  scope = new URL(node.hello.canvasHostUrl).pathname;
  ports = [{ name: "gateway port", port: gw.handle.port }];
  if (gw.handle.ctx.canvas?.port) ports.push({ name: "canvas port", port: gw.handle.ctx.canvas.port });
});
afterAll(async () => {
  node.close();
  await gw.stop();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe("never by client IP", () => {
  test("no secret, no access: any loopback source address, proxy headers claiming loopback, any Host", async () => {
    expect(ports.length).toBe(2);
    for (const { name, port } of ports) {
      for (const localAddress of ["127.0.0.1", "127.0.0.2", "127.255.255.254"]) {
        for (const headers of [{}, { "x-forwarded-for": "127.0.0.1" }, { "x-real-ip": "127.0.0.1" }, { host: "localhost" }, { host: `127.0.0.1:${port}` }] as Record<string, string>[]) {
          for (const path of ["/__openclaw__/canvas/", "/__openclaw__/canvas/ok.txt", "/__openclaw__/a2ui/"]) {
            const res = await rawHttp({ port, localAddress, path, headers });
            expect({ name, localAddress, headers, path, status: res.status }).toEqual({ name, localAddress, headers, path, status: 401 });
          }
        }
      }
      // The live-reload socket: upgrade refused without the secret.
      await expect(openRawWs({ port, path: "/__openclaw__/ws" })).rejects.toThrow(/upgrade refused: HTTP\/1\.1 401/);
      const ws = await openRawWs({ port, path: "/__openclaw__/ws", headers: auth });
      ws.destroy();
    }
  });
});

describe("path traversal", () => {
  const VARIANTS = [
    "../secret.txt",
    "%2e%2e/secret.txt",
    "%2E%2E%2Fsecret.txt",
    "..%2fsecret.txt",
    "..%2Fsecret.txt",
    "..%5csecret.txt",
    "..%5Csecret.txt",
    "..\\secret.txt",
    ".%2e/secret.txt",
    "%2e./secret.txt",
    "%252e%252e%252fsecret.txt",
    "....//secret.txt",
    "..;/secret.txt",
    "%c0%ae%c0%ae/secret.txt",
    "%c0%af..%c0%afsecret.txt",
    "ok.txt%00../../secret.txt",
    "%00/../secret.txt",
    "sub/../../secret.txt",
    "sub/%2e%2e/%2e%2e/secret.txt",
    "sub%2f..%2f..%2fsecret.txt",
    `${"%2e%2e%2f".repeat(12)}etc/passwd`,
    "%2fetc%2fpasswd",
    "/etc/passwd",
    "//etc/passwd",
    "\\\\etc\\passwd",
    "file:///etc/passwd",
    "link.txt",
    "linkdir/secret.txt",
    "linkdir/",
    "sub/rel-link.txt",
    "inner-link.txt",
    "./link.txt",
    "sub/../link.txt",
    "LINK.TXT",
    "__proto__",
    "constructor",
    "toString",
    "a2ui.bundle.js/../../../secret.txt",
  ];

  test("no spelling of a path reads outside the root; symlinks are refused, even ones pointing inside", async () => {
    for (const { name, port } of ports) {
      for (const v of VARIANTS) {
        for (const prefix of ["/__openclaw__/canvas/", "/__openclaw__/a2ui/", `${scope}/__openclaw__/canvas/`, `${scope}/__openclaw__/a2ui/`]) {
          const res = await rawHttp({ port, path: `${prefix}${v}`, headers: auth });
          expect({ name, path: `${prefix}${v}`, leaked: res.body.includes(SECRET) || res.body.includes("root:x:0:0") }).toEqual({ name, path: `${prefix}${v}`, leaked: false });
          const stillCanvas = res.headers["content-type"]?.startsWith("text/plain") || res.status === 401;
          if (stillCanvas) expect({ name, path: `${prefix}${v}`, ok: res.status < 300 }).toEqual({ name, path: `${prefix}${v}`, ok: false });
        }
      }
      // Control: the ordinary file is served.
      const ok = await rawHttp({ port, path: "/__openclaw__/canvas/ok.txt", headers: auth });
      expect(ok.status).toBe(200);
      expect(ok.body).toBe("inside");
    }
  });

  test("only GET and HEAD", async () => {
    for (const { port } of ports) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const res = await rawHttp({ port, method, path: "/__openclaw__/canvas/ok.txt", headers: { ...auth, "content-length": "0" } });
        expect({ method, status: res.status }).toEqual({ method, status: 405 });
      }
    }
  });
});
