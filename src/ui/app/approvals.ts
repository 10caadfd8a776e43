/**
 * Pending exec approvals: a command an agent (or any client) wants to run waits here for Allow once,
 * Always or Deny. Driven by `exec.approval.requested` / `exec.approval.resolved` events (which the gateway
 * sends only to connections holding operator.approvals) and answered with `exec.approval.resolve`. Every
 * value is set as text, never parsed as HTML: the command comes from a model.
 */

/** An answer the gateway accepts. */
export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

/** The payload of `exec.approval.requested` (and one entry of `exec.approval.list`). */
export interface ApprovalRequest {
  id: string;
  request: { command: string; cwd?: string | null; agentId?: string | null; resolvedPath?: string | null; host?: string | null; sessionKey?: string | null };
  createdAtMs: number;
  expiresAtMs: number;
}

interface Entry {
  req: ApprovalRequest;
  /** When it expires on this browser's clock (the gateway's clock may differ). */
  deadline: number;
  el: HTMLLIElement;
  countdown: HTMLElement;
  error: HTMLElement;
  buttons: HTMLButtonElement[];
}

const BUTTONS: [ApprovalDecision, string][] = [
  ["allow-once", "Allow once"],
  ["allow-always", "Always"],
  ["deny", "Deny"],
];

/** The approvals card: hidden unless enabled and something is waiting. */
export class ApprovalsView {
  private readonly entries = new Map<string, Entry>();
  private enabled = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param card the section shown while something waits
   * @param list the list the requests go into
   * @param resolve sends `exec.approval.resolve`; a rejection is shown on the entry
   */
  constructor(
    private readonly card: HTMLElement,
    private readonly list: HTMLElement,
    private readonly resolve: (id: string, decision: ApprovalDecision) => Promise<unknown>,
  ) {}

  /** Whether this connection may see and answer approvals (operator.approvals or admin). Off clears the list. */
  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) this.clear();
    this.render();
  }

  /** Replaces the list with what the gateway says is waiting (after a (re)connect). */
  load(requests: ApprovalRequest[]): void {
    this.clear();
    for (const r of requests) this.add(r, r.expiresAtMs);
  }

  /** An `exec.approval.requested` event. */
  add(req: ApprovalRequest, deadline = Date.now() + Math.max(0, req.expiresAtMs - req.createdAtMs)): void {
    if (!this.enabled || !req?.id || !req.request || this.entries.has(req.id)) return;
    const el = document.createElement("li");
    el.className = "approval";
    el.dataset.id = req.id;
    const command = document.createElement("code");
    command.className = "approval-command";
    command.textContent = req.request.command;
    const facts = document.createElement("dl");
    const fact = (label: string, value: string | null | undefined, cls: string) => {
      if (!value) return;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.className = cls;
      dd.textContent = value;
      facts.append(dt, dd);
    };
    fact("Agent", req.request.agentId, "approval-agent");
    fact("Directory", req.request.cwd, "approval-cwd");
    fact("Runs", req.request.resolvedPath, "approval-path");
    fact("Host", req.request.host, "approval-host");
    const countdown = document.createElement("span");
    countdown.className = "approval-expiry";
    const actions = document.createElement("div");
    actions.className = "approval-actions";
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    const entry: Entry = { req, deadline, el, countdown, error, buttons: [] };
    for (const [decision, label] of BUTTONS) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `approval-${decision}`;
      b.textContent = label;
      b.addEventListener("click", () => void this.answer(entry, decision));
      entry.buttons.push(b);
    }
    actions.append(...entry.buttons, countdown);
    el.append(command, facts, actions, error);
    this.entries.set(req.id, entry);
    this.list.append(el);
    this.tick();
    this.render();
  }

  /** An `exec.approval.resolved` event (answered here, elsewhere, or by the gateway). */
  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.el.remove();
    this.entries.delete(id);
    this.render();
  }

  /** Ids waiting, oldest first. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  // --- internal ---

  private async answer(entry: Entry, decision: ApprovalDecision): Promise<void> {
    for (const b of entry.buttons) b.disabled = true;
    entry.error.textContent = "";
    try {
      await this.resolve(entry.req.id, decision);
      this.remove(entry.req.id);
    } catch (err) {
      entry.error.textContent = (err as Error).message;
      // Still waiting (e.g. the socket dropped): let the person try again.
      if (this.entries.has(entry.req.id)) for (const b of entry.buttons) b.disabled = false;
    }
  }

  private clear(): void {
    for (const e of this.entries.values()) e.el.remove();
    this.entries.clear();
  }

  /** Updates the countdowns; an entry past its deadline is dropped (the gateway has answered it for us). */
  private tick(): void {
    const now = Date.now();
    for (const e of [...this.entries.values()]) {
      const left = Math.ceil((e.deadline - now) / 1000);
      if (left <= 0) this.remove(e.req.id);
      else e.countdown.textContent = `expires in ${left >= 60 ? `${Math.floor(left / 60)}m ${left % 60}s` : `${left}s`}`;
    }
  }

  private render(): void {
    const show = this.enabled && this.entries.size > 0;
    this.card.hidden = !show;
    if (show && !this.timer) this.timer = setInterval(() => this.tick(), 1000);
    if (!show && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
