/**
 * skills.status is not served yet (issue 24 item 5): it must not be advertised in hello-ok, and a client that
 * calls it anyway (the upstream Control UI's Skills tab) gets an error frame, not a dropped connection.
 */
import { expect, test } from "bun:test";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient } from "../helpers/ws.ts";

const env = useCleanup();

test("skills.status: not advertised; a call is refused with an error and the socket stays usable", async () => {
  const gw = await env.gateway();
  const { sock, hello } = await connectClient(gw.url, gw.token, { scopes: ["operator.admin"] });
  env.defer(() => sock.close());
  expect(hello.features.methods).not.toContain("skills.status");
  const res = await sock.request("skills.status", {});
  expect(res.ok).toBe(false);
  expect(typeof res.error.code).toBe("string");
  expect((await sock.request("health", {})).ok).toBe(true);
});
