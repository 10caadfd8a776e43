/**
 * The control UI: connects to this gateway over the same WebSocket protocol as any client, shows health,
 * presence, channels and sessions, pending exec approvals (to connections allowed to answer them), and a WebChat panel. The token is kept in localStorage and sent only to
 * the origin this page came from; it is never read from the URL.
 */

import { type ApprovalRequest, ApprovalsView } from "./approvals.ts";
import { ChatView } from "./chat-view.ts";
import { type PickedImage, readImageFile, thumbnail, toAttachments } from "./images.ts";
import { renderPresence, uiInstanceId } from "./presence.ts";

type Frame = { type: string; id?: string; ok?: boolean; payload?: any; error?: { code: string; message: string }; event?: string };

const TOKEN_KEY = "openclaw.gateway.token";
/** What this page asks for at connect; the gateway may grant less (a paired device's token says what). */
const REQUESTED_SCOPES = ["operator.admin"];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let ws: WebSocket | undefined;
let nextId = 1;
const pending = new Map<string, (f: Frame) => void>();
let sessionKey = "main";
let activeRunId: string | undefined;
const chat = new ChatView($("messages"));
const approvals = new ApprovalsView($("approvals-card"), $("approvals"), (id, decision) => request("exec.approval.resolve", { id, decision }));
const instanceId = uiInstanceId();
let retryMs = 1000;
/** The gateway's largest accepted frame (hello policy); a message with images must fit in one. */
let maxPayload = 512 * 1024;
let picked: PickedImage[] = [];

function request(method: string, params: unknown = {}): Promise<any> {
  const id = `ui${nextId++}`;
  return new Promise((resolve, reject) => {
    pending.set(id, (f) => (f.ok ? resolve(f.payload) : reject(new Error(f.error?.message ?? "request failed"))));
    ws?.send(JSON.stringify({ type: "req", id, method, params }));
  });
}

function setConn(text: string, cls: "" | "ok" | "bad"): void {
  const el = $("conn");
  el.textContent = text;
  el.className = `pill ${cls}`;
}

/** What to do after the gateway refused the connect (its message is for any client; this one is for this page). */
function loginErrorText(error: { code?: string; message?: string } | undefined): string {
  const message = error?.message ?? "connect failed";
  const where = "paste the token printed by openclaw setup (gateway.auth.token in the gateway's config, ~/.openclaw/openclaw.json by default) into the field above and press Connect";
  if (/gateway token (mismatch|missing)/.test(message)) return `Wrong token: the gateway did not accept it. ${where[0].toUpperCase()}${where.slice(1)}.`;
  if (/too many failed auth attempts/.test(message)) return `Too many wrong tokens from this address: wait a minute, then ${where}.`;
  if (/token not configured/.test(message)) return "The gateway has no token configured: run openclaw setup (or set gateway.auth.token in its config), restart the gateway, then paste the token here.";
  if (/gateway password/.test(message)) return "This gateway uses password auth (gateway.auth.mode \"password\"); this page signs in with a token only: set gateway.auth.token and paste it here.";
  return message;
}

function showLogin(error = ""): void {
  $("login").hidden = false;
  $("app").hidden = true;
  $("forget").hidden = true;
  $("login-error").textContent = error;
}

function connect(token: string): void {
  ws?.close();
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/`);
  ws = socket;
  setConn("connecting", "");
  socket.onmessage = (ev) => {
    const f = JSON.parse(String(ev.data)) as Frame;
    if (f.type === "event" && f.event === "connect.challenge") {
      socket.send(JSON.stringify({
        type: "req",
        id: "connect",
        method: "connect",
        params: {
          minProtocol: 3,
          maxProtocol: 3,
          client: { id: "openclaw-control-ui", version: "ui", platform: navigator.platform || "web", mode: "ui", instanceId },
          role: "operator",
          scopes: REQUESTED_SCOPES,
          auth: { token },
          userAgent: navigator.userAgent,
        },
      }));
      return;
    }
    if (f.type === "res" && f.id === "connect") {
      if (!f.ok) {
        localStorage.removeItem(TOKEN_KEY);
        showLogin(loginErrorText(f.error));
        return;
      }
      retryMs = 1000;
      onHello(f.payload);
      return;
    }
    if (f.type === "res" && f.id) {
      pending.get(f.id)?.(f);
      pending.delete(f.id);
      return;
    }
    if (f.type === "event") onEvent(f.event as string, f.payload);
  };
  socket.onclose = () => {
    if (ws !== socket) return;
    setConn("disconnected", "bad");
    for (const done of pending.values()) done({ type: "res", ok: false, error: { code: "UNAVAILABLE", message: "disconnected" } });
    pending.clear();
    if (localStorage.getItem(TOKEN_KEY)) setTimeout(() => connect(localStorage.getItem(TOKEN_KEY) ?? ""), (retryMs = Math.min(retryMs * 2, 30_000)));
  };
}

function onHello(hello: any): void {
  setConn(`connected · ${hello.server?.version ?? ""}`, "ok");
  $("login").hidden = true;
  $("app").hidden = false;
  $("forget").hidden = false;
  sessionKey = hello.snapshot?.sessionDefaults?.mainSessionKey ?? "main";
  maxPayload = hello.policy?.maxPayload ?? maxPayload;
  $("chat-session").textContent = sessionKey;
  renderHealth(hello.snapshot?.health);
  renderPresence($("presence"), hello.snapshot?.presence ?? [], instanceId);
  const scopes: string[] = hello.auth?.scopes ?? REQUESTED_SCOPES;
  approvals.setEnabled(scopes.includes("operator.approvals") || scopes.includes("operator.admin"));
  // a run that was going when the socket dropped may have ended unseen (Send would stay disabled); its
  // reply is in the history loaded below
  if (activeRunId) endRun();
  void refresh();
}

/** Requests that were waiting before this connection (gateways without `exec.approval.list` answer an error: none known). */
async function loadApprovals(): Promise<void> {
  const list = await request("exec.approval.list").catch(() => undefined);
  if (Array.isArray(list)) approvals.load(list as ApprovalRequest[]);
}

async function refresh(): Promise<void> {
  void loadApprovals();
  const [channels, sessions] = await Promise.all([request("channels.status").catch(() => undefined), request("sessions.list", { limit: 50 }).catch(() => undefined)]);
  renderChannels(channels);
  renderSessions(sessions);
  await loadHistory();
}

async function loadHistory(): Promise<void> {
  chat.clear();
  $("messages").setAttribute("aria-busy", "true");
  try {
    const history = await request("chat.history", { sessionKey, limit: 100 });
    chat.showHistory(history.messages ?? []);
  } catch (err) {
    $("chat-error").textContent = (err as Error).message;
  } finally {
    $("messages").removeAttribute("aria-busy");
  }
}

function onEvent(event: string, payload: any): void {
  if (event === "health") renderHealth(payload);
  else if (event === "presence") renderPresence($("presence"), payload?.presence ?? [], instanceId);
  else if (event === "exec.approval.requested") approvals.add(payload);
  else if (event === "exec.approval.resolved") approvals.remove(payload?.id);
  else if (event === "chat" && ofThisChat(payload)) {
    if (chat.onChat(payload) === "end" && (!activeRunId || payload.runId === activeRunId)) endRun();
  } else if (event === "agent" && ofThisChat(payload)) chat.onAgent(payload);
}

/** An event of this page's run, or of another run on the session shown (chat events carry the key as sent). */
function ofThisChat(p: any): boolean {
  return !!p && ((!!p.runId && p.runId === activeRunId) || p.sessionKey === sessionKey);
}

function endRun(): void {
  void request("sessions.list", { limit: 50 }).then(renderSessions, () => undefined);
  activeRunId = undefined;
  ($("abort") as HTMLButtonElement).disabled = true;
  ($("send") as HTMLButtonElement).disabled = false;
}

function renderHealth(h: any): void {
  if (!h || h.ok === undefined) return;
  $("health").textContent = `${h.ok ? "OK" : "NOT OK"} · default agent ${h.defaultAgentId ?? "main"} · ${h.sessions?.count ?? 0} sessions`;
}

function renderChannels(c: any): void {
  const order: string[] = c?.channelOrder ?? [];
  $("channels").textContent = order.length === 0 ? "No channels configured" : order.map((id) => `${c.channelLabels?.[id] ?? id}: ${JSON.stringify(c.channels?.[id]?.connected ?? c.channels?.[id]?.state ?? "?")}`).join(" · ");
}

function renderSessions(s: any): void {
  const rows: any[] = s?.sessions ?? [];
  $("sessions").replaceChildren(...(rows.length ? rows.map((r) => li(`${r.key}${r.model ? ` · ${r.model}` : ""}`)) : [li("No sessions yet")]));
}

function li(text: string): HTMLLIElement {
  const el = document.createElement("li");
  el.textContent = text;
  return el;
}

$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const token = ($("token") as HTMLInputElement).value.trim();
  if (!token) return;
  localStorage.setItem(TOKEN_KEY, token);
  ($("token") as HTMLInputElement).value = "";
  connect(token);
});

$("forget").addEventListener("click", () => {
  localStorage.removeItem(TOKEN_KEY);
  ws?.close();
  showLogin();
});

$("chat-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("chat-input") as HTMLTextAreaElement;
  const message = input.value.trim();
  if ((!message && picked.length === 0) || activeRunId) return;
  const images = picked;
  // base64 goes into the request frame as is; the gateway closes a socket that sends a larger frame
  const frameBytes = message.length + images.reduce((n, i) => n + i.data.length + i.fileName.length + 64, 0) + 512;
  if (frameBytes > maxPayload) {
    $("chat-error").textContent = `images too large for one message (the gateway takes ${Math.floor(maxPayload / 1024)} KB per message)`;
    return;
  }
  input.value = "";
  setPicked([]);
  $("chat-error").textContent = "";
  chat.addUser(message, images);
  chat.followNewest();
  const idempotencyKey = crypto.randomUUID();
  activeRunId = idempotencyKey;
  ($("send") as HTMLButtonElement).disabled = true;
  ($("abort") as HTMLButtonElement).disabled = false;
  try {
    const ack = await request("chat.send", { sessionKey, message, idempotencyKey, ...(images.length > 0 && { attachments: toAttachments(images) }) });
    activeRunId = ack.runId ?? idempotencyKey;
  } catch (err) {
    $("chat-error").textContent = (err as Error).message;
    endRun();
  }
});

// Enter sends, Shift+Enter is a new line; Enter that ends an IME composition (isComposing, or keyCode 229
// in browsers that report the composition's last key late) only commits the composed text.
$("chat-input").addEventListener("keydown", (ev) => {
  if (ev.key !== "Enter" || ev.shiftKey || ev.altKey || ev.isComposing || ev.keyCode === 229) return;
  ev.preventDefault();
  ($("chat-form") as HTMLFormElement).requestSubmit();
});

function setPicked(list: PickedImage[]): void {
  picked = list;
  $("picked").replaceChildren(
    ...list.map((img, i) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.title = `Remove ${img.fileName}`;
      chip.append(thumbnail(img, img.fileName), "×");
      chip.addEventListener("click", () => setPicked(picked.filter((_, k) => k !== i)));
      return chip;
    }),
  );
}

$("attach").addEventListener("click", () => $("attach-file").click());

$("attach-file").addEventListener("change", async () => {
  const input = $("attach-file") as HTMLInputElement;
  const files = Array.from(input.files ?? []);
  input.value = "";
  $("chat-error").textContent = "";
  const next = [...picked];
  for (const file of files) {
    const r = await readImageFile(file);
    if ("error" in r) $("chat-error").textContent = r.error;
    else if (next.length >= 10) $("chat-error").textContent = "at most 10 images per message";
    else next.push(r);
  }
  setPicked(next);
});

$("abort").addEventListener("click", () => {
  void request("chat.abort", { sessionKey, ...(activeRunId && { runId: activeRunId }) }).catch((err) => ($("chat-error").textContent = err.message));
});

const saved = localStorage.getItem(TOKEN_KEY);
if (saved) connect(saved);
else showLogin();
