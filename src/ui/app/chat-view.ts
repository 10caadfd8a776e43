/**
 * The WebChat conversation: user bubbles, assistant bubbles rendered as Markdown while they stream, compact
 * rows for tool calls (from `agent` tool events live, from `toolCall`/`toolResult` messages in history),
 * failed runs as error bubbles, and scrolling that follows the newest message unless the user scrolled up.
 */
import { imagesOf, thumbnail } from "./images.ts";
import { renderMarkdown } from "./markdown-dom.ts";

/** Distance from the bottom (px) that still counts as "at the newest message". */
const FOLLOW_SLACK_PX = 48;
const PREVIEW_CHARS = 80;
const TITLE_CHARS = 500;

/** One run being shown: its text so far, where tool calls cut the text into bubbles, its tool rows. */
interface LiveRun {
  text: string;
  /** Offsets in `text` where tool calls happened; text between two cuts is one bubble. */
  cuts: number[];
  bubbles: (HTMLElement | undefined)[];
  /** The first tool row at each cut: the bubble before that cut goes above it. */
  anchors: (HTMLElement | undefined)[];
  tools: Map<string, HTMLElement>;
  frame?: number;
}

/** The conversation panel. One per page; not shared between sessions (call `clear` on a switch). */
export class ChatView {
  private follow = true;
  private readonly runs = new Map<string, LiveRun>();
  /** Tool rows from history, by toolCallId, waiting for their toolResult message. */
  private readonly historyTools = new Map<string, HTMLElement>();

  constructor(private readonly box: HTMLElement) {
    box.addEventListener("scroll", () => {
      this.follow = box.scrollHeight - box.scrollTop - box.clientHeight <= FOLLOW_SLACK_PX;
    });
  }

  /** Empties the conversation and forgets live runs. */
  clear(): void {
    for (const run of this.runs.values()) if (run.frame !== undefined) cancelAnimationFrame(run.frame);
    this.runs.clear();
    this.historyTools.clear();
    this.box.replaceChildren();
    this.follow = true;
  }

  /** Scrolls to the newest message and keeps following it (the user just sent something). */
  followNewest(): void {
    this.follow = true;
    this.scrollToEnd();
  }

  /** Adds the user's own message (plain text, not Markdown) with image thumbnails. */
  addUser(text: string, images: { mimeType: string; data: string }[] = []): void {
    const el = bubble("user");
    el.textContent = text;
    if (images.length > 0) {
      const row = thumbRow(images);
      // a thumbnail gets its height once decoded; stay at the bottom when it does
      for (const img of Array.from(row.querySelectorAll("img"))) img.addEventListener("load", () => this.scrollToEnd(), { once: true });
      el.append(row);
    }
    this.append(el);
  }

  /** Shows a transcript (`chat.history` messages, oldest first). */
  showHistory(messages: any[]): void {
    this.clear();
    for (const m of messages) {
      if (m?.role === "user") this.addUser(textOf(m), imagesOf(m));
      else if (m?.role === "assistant") this.addHistoryAssistant(m);
      else if (m?.role === "toolResult") this.addHistoryToolResult(m);
    }
    this.followNewest();
  }

  /**
   * Applies a `chat` event of this session's run. @returns "end" when the run finished (final, error or
   * aborted), else undefined.
   */
  onChat(p: any): "end" | undefined {
    const run = this.runOf(String(p.runId ?? ""));
    const text = textOf(p.message);
    if (p.state === "delta") {
      this.setText(run, text, false);
      return undefined;
    }
    if (p.state !== "final" && p.state !== "aborted" && p.state !== "error") return undefined;
    this.setText(run, text, true);
    for (const b of run.bubbles) b?.classList.remove("streaming");
    if (p.state === "aborted") {
      this.settleTools(run, "stopped");
      this.append(note(p.stopReason === "timeout" ? `(timed out${p.errorMessage ? `: ${p.errorMessage}` : ""})` : "(aborted)"));
    } else if (p.state === "error") {
      this.settleTools(run, "stopped");
      this.append(errorBubble(p.errorMessage));
    }
    this.runs.delete(String(p.runId ?? ""));
    return "end";
  }

  /** Applies an `agent` event (assistant text and tool streams) of this session's run. */
  onAgent(p: any): void {
    const data = p.data ?? {};
    if (p.stream === "assistant" && typeof data.text === "string") {
      this.setText(this.runOf(String(p.runId ?? "")), data.text, false);
    } else if (p.stream === "tool" && typeof data.toolCallId === "string") {
      const run = this.runOf(String(p.runId ?? ""));
      let row = run.tools.get(data.toolCallId);
      if (!row) {
        if (run.cuts[run.cuts.length - 1] !== run.text.length) run.cuts.push(run.text.length);
        row = toolRow(String(data.name ?? "tool"));
        run.tools.set(data.toolCallId, row);
        run.anchors[run.cuts.length - 1] ??= row;
        this.append(row);
      }
      if (data.phase === "start" || data.phase === "update") setToolState(row, "running", previewOf(data.args));
      else if (data.phase === "result") setToolState(row, data.isError ? "error" : "ok", previewOf(data.result));
      this.scrollToEnd();
    }
  }

  // --- internal ---

  private runOf(runId: string): LiveRun {
    let run = this.runs.get(runId);
    if (!run) {
      run = { text: "", cuts: [], bubbles: [], anchors: [], tools: new Map() };
      this.runs.set(runId, run);
    }
    return run;
  }

  /** Takes the longer of the known texts (agent events run ahead of throttled chat deltas). */
  private setText(run: LiveRun, text: string, final: boolean): void {
    if (text.length > run.text.length || (final && text)) run.text = text;
    if (final) {
      if (run.frame !== undefined) cancelAnimationFrame(run.frame);
      run.frame = undefined;
      this.renderRun(run, false);
    } else {
      // many deltas per frame collapse into one render
      run.frame ??= requestAnimationFrame(() => {
        run.frame = undefined;
        this.renderRun(run, true);
      });
    }
  }

  private renderRun(run: LiveRun, streaming: boolean): void {
    const bounds = [0, ...run.cuts, run.text.length];
    for (let k = 0; k + 1 < bounds.length; k++) {
      // text after a tool call starts with the paragraph break the run inserted
      const segment = run.text.slice(bounds[k], Math.max(bounds[k], bounds[k + 1])).replace(/^\s+/, "");
      if (!segment.trim()) continue;
      let el = run.bubbles[k];
      if (!el) {
        el = bubble("assistant");
        if (streaming) el.classList.add("streaming");
        run.bubbles[k] = el;
        const anchor = run.anchors[k];
        if (anchor?.parentNode === this.box) this.box.insertBefore(el, anchor);
        else this.box.append(el);
      }
      renderMarkdown(el, segment);
    }
    this.scrollToEnd();
  }

  private settleTools(run: LiveRun, state: string): void {
    for (const row of run.tools.values()) if (row.dataset.state === "running") setToolState(row, state);
  }

  private addHistoryAssistant(m: any): void {
    let text = "";
    const flush = () => {
      if (text.trim()) {
        const el = bubble("assistant");
        renderMarkdown(el, text);
        this.box.append(el);
      }
      text = "";
    };
    for (const b of Array.isArray(m.content) ? m.content : [{ type: "text", text: String(m.content ?? "") }]) {
      if (b?.type === "text") text += b.text ?? "";
      else if (b?.type === "toolCall") {
        flush();
        const row = toolRow(String(b.name ?? "tool"));
        setToolState(row, "running", previewOf(b.arguments));
        if (typeof b.id === "string") this.historyTools.set(b.id, row);
        this.box.append(row);
      }
    }
    flush();
    if (m.stopReason === "error") this.box.append(errorBubble(m.errorMessage));
    else if (m.stopReason === "aborted") this.box.append(note(m.errorMessage ? `(stopped: ${m.errorMessage})` : "(aborted)"));
  }

  private addHistoryToolResult(m: any): void {
    let row = this.historyTools.get(m.toolCallId);
    if (!row) {
      row = toolRow(String(m.toolName ?? "tool"));
      this.box.append(row);
    }
    this.historyTools.delete(m.toolCallId);
    setToolState(row, m.isError ? "error" : "ok", previewOf(textOf(m)));
  }

  private append(el: HTMLElement): void {
    this.box.append(el);
    this.scrollToEnd();
  }

  private scrollToEnd(): void {
    if (this.follow) this.box.scrollTop = this.box.scrollHeight;
  }
}

/** The text blocks of a message, joined. */
export function textOf(message: any): string {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  if (!Array.isArray(message.content)) return "";
  return message.content
    .filter((b: any) => b?.type === "text")
    .map((b: any) => b.text ?? "")
    .join("");
}

function bubble(role: "user" | "assistant"): HTMLElement {
  const el = document.createElement("div");
  el.className = `msg ${role}`;
  return el;
}

function errorBubble(message: unknown): HTMLElement {
  const el = bubble("assistant");
  el.classList.add("error");
  el.setAttribute("role", "alert");
  el.textContent = `Run failed: ${typeof message === "string" && message ? message : "unknown error"}`;
  return el;
}

function note(text: string): HTMLElement {
  const el = document.createElement("div");
  el.className = "note";
  el.textContent = text;
  return el;
}

function thumbRow(images: { mimeType: string; data: string }[]): HTMLElement {
  const row = document.createElement("div");
  row.className = "thumbs";
  row.append(...images.map((i) => thumbnail(i)));
  return row;
}

function toolRow(name: string): HTMLElement {
  const row = document.createElement("div");
  row.className = "tool";
  const n = document.createElement("code");
  n.className = "tool-name";
  n.textContent = name;
  const state = document.createElement("span");
  state.className = "tool-state";
  const preview = document.createElement("span");
  preview.className = "tool-preview";
  row.append(n, state, preview);
  return row;
}

const STATE_LABELS: Record<string, string> = { running: "running…", ok: "done", error: "failed", stopped: "stopped" };

function setToolState(row: HTMLElement, state: string, preview?: string): void {
  row.dataset.state = state;
  row.className = `tool ${state}`;
  (row.querySelector(".tool-state") as HTMLElement).textContent = STATE_LABELS[state] ?? state;
  if (preview !== undefined) {
    const el = row.querySelector(".tool-preview") as HTMLElement;
    el.textContent = preview.length > PREVIEW_CHARS ? `${preview.slice(0, PREVIEW_CHARS)}…` : preview;
    row.title = preview.slice(0, TITLE_CHARS);
  }
}

/** One line for tool arguments or a result: a lone string argument as is, anything else as compact JSON. */
function previewOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  let s: string;
  if (typeof value === "string") s = value;
  else {
    const entries = typeof value === "object" ? Object.entries(value as object) : [];
    s = entries.length === 1 && typeof entries[0][1] === "string" ? (entries[0][1] as string) : JSON.stringify(value);
  }
  return s.replace(/\s+/g, " ").trim();
}
