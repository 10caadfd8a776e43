/**
 * The upstream 2026.2.3 Control UI's Logs view against our compiled binary: rows show their level and
 * subsystem (not raw JSON), and the level chips filter them.
 */
import { expect } from "bun:test";
import { join } from "node:path";
import { connectParams, openSocket } from "../helpers/ws.ts";
import { ARTIFACTS, useUpstreamUiSuite, waitConnected } from "./_setup.ts";

const { describeUi, run, env: suiteEnv } = useUpstreamUiSuite("upstream Control UI logs e2e");

describeUi("upstream Control UI: Logs view", () => {
  run("rows carry level and subsystem; unticking a level hides its rows", async () => {
    const env = suiteEnv();
    // A refused connect writes a warn line next to the info lines of start-up.
    const bad = await openSocket(env.url);
    await bad.next();
    const refused = await bad.request("connect", connectParams({ auth: { token: "wrong-token" } }));
    expect(refused.ok).toBe(false);
    bad.close();

    const page = await env.page("/logs");
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await waitConnected(page);
    await page.waitForSelector(".log-row", { timeout: 20_000 });
    await page.waitForFunction(() => Array.from(document.querySelectorAll(".log-row .log-level")).some((el) => el.textContent?.trim() === "warn"), undefined, { timeout: 20_000 });

    const rows = await page.$$eval(".log-row", (els) =>
      els.map((el) => ({
        level: el.querySelector(".log-level")?.textContent?.trim() ?? "",
        subsystem: el.querySelector(".log-subsystem")?.textContent?.trim() ?? "",
        message: el.querySelector(".log-message")?.textContent?.trim() ?? "",
      })),
    );
    expect(rows.length).toBeGreaterThan(3);
    // every row parsed: a level, and a message that is not the raw JSON line
    expect(rows.filter((r) => !r.level || r.message.startsWith("{"))).toEqual([]);
    expect(rows.some((r) => r.level === "info" && r.subsystem.includes("gateway"))).toBe(true);
    const warn = rows.find((r) => r.level === "warn" && /auth/i.test(r.message));
    expect(warn).toBeDefined();
    expect(warn!.message).not.toContain("wrong-token");

    // Untick "info": only other levels remain, the warn line among them.
    await page.locator(".log-chip.info input").uncheck();
    await page.waitForFunction(() => !Array.from(document.querySelectorAll(".log-row .log-level")).some((el) => el.textContent?.trim() === "info"));
    const left = await page.$$eval(".log-row .log-level", (els) => els.map((el) => el.textContent?.trim()));
    expect(left.length).toBeGreaterThan(0);
    expect(left).toContain("warn");
    await page.screenshot({ path: join(ARTIFACTS, "upstream-control-ui-logs.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
