/**
 * The upstream 2026.2.3 Control UI's Devices panel (Nodes tab) against our compiled binary: a node host
 * connecting from a non-loopback Host is listed as a pending device request (clientId node-host, role node),
 * Approve pairs it, and the paired device shows its role token with Rotate and Revoke.
 */
import { expect } from "bun:test";
import { join } from "node:path";
import { clientInfo, deviceConnect, newIdentity } from "../helpers/protocol.ts";
import { ARTIFACTS, useUpstreamUiSuite, waitConnected } from "./_setup.ts";

const { describeUi, run, env: suiteEnv } = useUpstreamUiSuite("upstream Control UI devices e2e");

describeUi("upstream Control UI: Devices panel", () => {
  run("a remote node host's request is listed, approved from the UI, and its token shows Rotate/Revoke", async () => {
    const env = suiteEnv();
    const node = newIdentity();
    // A Host that is not loopback makes the gateway treat the socket as remote: no silent pairing.
    const first = await deviceConnect(env.url, node, { client: clientInfo("node-host", "node"), role: "node", token: env.token, headers: { host: "gateway.example:18789" } });
    expect(first.res.ok).toBe(false);
    expect(first.res.error.code).toBe("NOT_PAIRED");
    first.sock.close();

    const page = await env.page("/nodes");
    page.on("dialog", (d) => d.accept());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await waitConnected(page);
    const pending = page.locator(".list-item", { hasText: node.deviceId }).first();
    await pending.waitFor({ timeout: 20_000 });
    expect(await pending.innerText()).toContain("role: node");
    await pending.locator("button", { hasText: "Approve" }).click();

    // Paired: the device's node token is listed with its actions.
    await page.waitForFunction(
      (id) => Array.from(document.querySelectorAll(".list-item")).some((el) => el.textContent?.includes(id) && el.textContent?.includes("Revoke")),
      node.deviceId,
      { timeout: 20_000 },
    );
    const paired = page.locator(".list-item", { hasText: node.deviceId }).first();
    const text = await paired.innerText();
    expect(text).not.toContain("Tokens: none");
    expect(text).toMatch(/node · active/);
    expect(await paired.locator("button", { hasText: "Rotate" }).count()).toBeGreaterThan(0);

    // The node host can now connect with the same identity.
    const again = await deviceConnect(env.url, node, { client: clientInfo("node-host", "node"), role: "node", token: env.token, headers: { host: "gateway.example:18789" } });
    expect(again.res.ok).toBe(true);
    again.sock.close();
    await page.screenshot({ path: join(ARTIFACTS, "upstream-control-ui-devices.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
