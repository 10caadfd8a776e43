/**
 * `browser`: drives the gateway's managed browser through the browser control service (same profiles,
 * same network rule: the agent is never operator.admin, so its pages reach only public addresses unless
 * `browser.allowPrivate` is set in the config file). `snapshot` returns the accessibility tree with element
 * refs (`e1`, `e2`, …); `act` clicks, types, presses, hovers, selects or waits by ref; `screenshot` returns
 * the image to the model. Parameter names follow upstream (`targetUrl`, `request: {kind, ref, …}`); the
 * act fields may also be given at the top level, and `url` is taken for `targetUrl`.
 */
import { Type as T } from "@sinclair/typebox";
import type { BrowserAction } from "../../browser/types.ts";
import { unreachable } from "../../errors.ts";
import { defineTool } from "./define.ts";
import type { ToolBrowser } from "./types.ts";

/** The tool's actions. */
export const BROWSER_TOOL_ACTIONS = ["status", "start", "stop", "tabs", "open", "focus", "close", "navigate", "snapshot", "screenshot", "act"] as const;
type BrowserToolAction = (typeof BROWSER_TOOL_ACTIONS)[number];

/** `act` kinds the control service performs. */
export const BROWSER_ACT_KINDS = ["click", "type", "press", "hover", "select", "wait"] as const;

/** Snapshot text returned by default (the model's context is the limit, not the page). */
export const BROWSER_SNAPSHOT_MAX_CHARS = 20_000;

const ACT_FIELDS = ["kind", "ref", "text", "key", "values", "submit", "slowly", "doubleClick", "button", "timeMs", "textGone", "timeoutMs"] as const;

const DESCRIPTION = [
  "Control the gateway's browser.",
  "Actions: status, start, stop, tabs, open (new tab at targetUrl), focus/close (targetId), navigate (targetUrl in the current or given tab),",
  "snapshot (accessibility tree; interactive elements carry [ref=eN]), act (kind click|type|press|hover|select|wait on a ref from the latest snapshot),",
  "screenshot (returns the image).",
  "Take a snapshot before act and after the page changes; refs are valid until the next snapshot.",
  "The browser may only reach public internet addresses unless the owner allowed private ones.",
].join(" ");

const ActFields = {
  kind: T.Optional(T.Unsafe<string>({ type: "string", enum: [...BROWSER_ACT_KINDS], description: "act: what to do." })),
  ref: T.Optional(T.String({ description: "act: element ref from the snapshot (e.g. e3); screenshot: element to capture." })),
  text: T.Optional(T.String({ description: "act type: text to type; act wait: text to wait for." })),
  key: T.Optional(T.String({ description: "act press: key name, e.g. Enter." })),
  values: T.Optional(T.Array(T.String(), { description: "act select: option values or labels." })),
  submit: T.Optional(T.Boolean({ description: "act type: press Enter afterwards." })),
  slowly: T.Optional(T.Boolean({ description: "act type: type key by key." })),
  doubleClick: T.Optional(T.Boolean({ description: "act click: double-click." })),
  button: T.Optional(T.Unsafe<string>({ type: "string", enum: ["left", "right", "middle"], description: "act click: mouse button." })),
  timeMs: T.Optional(T.Integer({ minimum: 0, description: "act wait: milliseconds to wait." })),
  textGone: T.Optional(T.String({ description: "act wait: text to wait to disappear." })),
  timeoutMs: T.Optional(T.Integer({ minimum: 1, description: "act: how long the action may take." })),
};

/** `browser`, over the host's browser control service. */
export const browserTool = defineTool({
  name: "browser",
  description: DESCRIPTION,
  group: "ui",
  // It opens pages and clicks in them: never over POST /tools/invoke.
  http: false,
  needs: ["browser"],
  caps: { maxChars: BROWSER_SNAPSHOT_MAX_CHARS * 5 },
  parameters: T.Object(
    {
      action: T.Unsafe<BrowserToolAction>({ type: "string", enum: [...BROWSER_TOOL_ACTIONS], description: "What to do." }),
      profile: T.Optional(T.String({ description: "Browser profile (default: browser.defaultProfile)." })),
      targetUrl: T.Optional(T.String({ description: "open/navigate: http(s) URL." })),
      url: T.Optional(T.String({ description: "Same as targetUrl." })),
      targetId: T.Optional(T.String({ description: "Tab id (from tabs/open); default the current tab." })),
      maxChars: T.Optional(T.Integer({ minimum: 100, description: `snapshot: cut the tree at this many characters (default ${BROWSER_SNAPSHOT_MAX_CHARS}).` })),
      fullPage: T.Optional(T.Boolean({ description: "screenshot: the whole page, not only the viewport." })),
      type: T.Optional(T.Unsafe<"png" | "jpeg">({ type: "string", enum: ["png", "jpeg"], description: "screenshot: image type (default png)." })),
      request: T.Optional(T.Object(ActFields, { additionalProperties: false, description: "act: the action (upstream form); its fields may also be given at the top level." })),
      ...ActFields,
    },
    { additionalProperties: false },
  ),
  async execute(args, { ports }) {
    return runBrowserAction(ports.browser, args as BrowserToolArgs);
  },
});

/** The tool's arguments after schema validation. */
export type BrowserToolArgs = { action: BrowserToolAction; profile?: string; targetUrl?: string; url?: string; targetId?: string; maxChars?: number; fullPage?: boolean; type?: "png" | "jpeg"; request?: Record<string, unknown> } & Record<string, unknown>;

/**
 * Runs one action against the port.
 * @returns text for the model, or text plus the image for `screenshot`.
 * @throws Error naming a missing argument, or the control service's error (with its code).
 */
export async function runBrowserAction(browser: ToolBrowser, args: BrowserToolArgs): Promise<string | { text: string; images: { type: "image"; data: string; mimeType: string }[] }> {
  const profile = args.profile?.trim() || undefined;
  const targetId = args.targetId?.trim() || undefined;
  const url = () => {
    const u = (args.targetUrl ?? args.url)?.trim();
    if (!u) throw new Error(`${args.action} needs targetUrl (an http or https URL)`);
    return u;
  };
  try {
    switch (args.action) {
      case "status":
        return formatStatus(await browser.status(profile));
      case "start":
        return formatStatus(await browser.start(profile));
      case "stop": {
        const r = await browser.stop(profile);
        return r.stopped ? `stopped the browser of profile ${r.profile}` : `the browser of profile ${r.profile} was not running`;
      }
      case "tabs": {
        const t = await browser.tabs(profile);
        if (!t.running) return "the browser is not running (use action start or open)";
        return t.tabs.length === 0 ? "no tabs open" : t.tabs.map((tab) => `${tab.targetId}  ${tab.title || "(untitled)"}  ${tab.url}`).join("\n");
      }
      case "open": {
        const tab = await browser.openTab(url(), profile);
        return `opened tab ${tab.targetId}: ${tab.title || "(untitled)"} ${tab.url}`;
      }
      case "focus":
        if (!targetId) throw new Error("focus needs targetId (action tabs lists them)");
        await browser.focusTab(targetId, profile);
        return `focused tab ${targetId}`;
      case "close":
        if (!targetId) throw new Error("close needs targetId (action tabs lists them)");
        await browser.closeTab(targetId, profile);
        return `closed tab ${targetId}`;
      case "navigate": {
        const r = await browser.navigate(url(), { ...(targetId && { targetId }), ...(profile && { profile }) });
        return `tab ${r.targetId} now at ${r.url ?? url()}${r.title ? ` (${r.title})` : ""}`;
      }
      case "snapshot": {
        const s = await browser.snapshot({ ...(targetId && { targetId }), maxChars: args.maxChars ?? BROWSER_SNAPSHOT_MAX_CHARS, ...(profile && { profile }) });
        return `tab ${s.targetId}: ${s.title || "(untitled)"} ${s.url}\n\n${s.snapshot}${s.truncated ? "\n\n[snapshot cut; pass a larger maxChars to see more]" : ""}`;
      }
      case "screenshot": {
        const type = args.type ?? "png";
        const ref = typeof args.ref === "string" && args.ref ? args.ref : undefined;
        const bytes = await browser.screenshot({ ...(targetId && { targetId }), fullPage: args.fullPage === true, ...(ref && { ref }), type, ...(profile && { profile }) });
        return { text: `screenshot (${type}, ${bytes.byteLength} bytes)`, images: [{ type: "image", data: Buffer.from(bytes).toString("base64"), mimeType: `image/${type}` }] };
      }
      case "act": {
        const action = toAction(args, targetId);
        const r = await browser.act(action, profile);
        return `${action.kind} done on tab ${r.targetId}${r.url ? ` (${r.url})` : ""}; take a snapshot to see the result`;
      }
      default:
        return unreachable(args.action);
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new Error(`browser ${args.action}: ${(err as Error).message}${typeof code === "string" && code !== "INTERNAL" ? ` (${code})` : ""}`, { cause: err });
  }
}

// --- internal ---

// The service checks each kind's fields (BAD_REQUEST naming the field); here only the form is merged.
function toAction(args: BrowserToolArgs, targetId: string | undefined): BrowserAction {
  const merged: Record<string, unknown> = {};
  for (const k of ACT_FIELDS) if (args[k] !== undefined) merged[k] = args[k];
  Object.assign(merged, args.request ?? {});
  if (typeof merged.kind !== "string") throw new Error(`act needs kind (${BROWSER_ACT_KINDS.join(", ")}), at the top level or in request`);
  if (targetId) merged.targetId = targetId;
  return merged as unknown as BrowserAction;
}

function formatStatus(s: Awaited<ReturnType<ToolBrowser["status"]>>): string {
  const lines = [
    `profile: ${s.profile}${s.profiles.length > 1 ? ` (profiles: ${s.profiles.join(", ")})` : ""}`,
    `running: ${s.running ? `yes${s.pid ? ` (pid ${s.pid})` : ""}` : "no"}`,
    `browser: ${s.browser ?? "not found"}${s.headless ? ", headless" : ""}`,
  ];
  if (!s.enabled) lines.push("browser control is disabled (browser.enabled=false)");
  if (s.crashed) lines.push("the last browser process crashed; start launches a new one");
  return lines.join("\n");
}
