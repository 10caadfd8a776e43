/**
 * A fake Baileys socket for WhatsApp adapter tests: emits Baileys' real event shapes
 * (`connection.update` with qr/open/close and Boom errors carrying DisconnectReason codes, `creds.update`,
 * `messages.upsert`) and records what the adapter sends. One fake per connection attempt, like Baileys.
 */
import { Boom } from "@hapi/boom";
import { EventEmitter } from "node:events";
import type { WhatsAppSocket, WhatsAppSocketFactory, WhatsAppSocketOptions } from "../../src/channels/whatsapp/index.ts";
import { waitFor } from "./wait.ts";

/** The linked test number. */
export const SELF_JID = "15550001111:7@s.whatsapp.net";
export const SELF_LID = "99887766554433:7@lid";

/** One fake connection. */
export class FakeWaSocket {
  readonly ev = new EventEmitter();
  readonly opts: WhatsAppSocketOptions;
  readonly sent: { jid: string; content: any; id: string }[] = [];
  readonly reads: any[] = [];
  readonly presence: { type: string; jid?: string }[] = [];
  user?: { id: string; lid?: string; name?: string };
  ended = false;
  loggedOut = false;
  private counter = 0;

  constructor(opts: WhatsAppSocketOptions) {
    this.opts = opts;
  }

  /** The Baileys-facing object handed to the adapter. */
  asSocket(): WhatsAppSocket {
    const self = this;
    return {
      ev: this.ev as unknown as WhatsAppSocket["ev"],
      get user() {
        return self.user as WhatsAppSocket["user"];
      },
      sendMessage: (async (jid: string, content: any) => {
        const id = `3EB0FAKE${++this.counter}`;
        this.sent.push({ jid, content, id });
        return { key: { remoteJid: jid, fromMe: true, id }, message: {}, messageTimestamp: Math.floor(Date.now() / 1000) };
      }) as unknown as WhatsAppSocket["sendMessage"],
      readMessages: (async (keys: any[]) => {
        this.reads.push(...keys);
      }) as WhatsAppSocket["readMessages"],
      sendPresenceUpdate: (async (type: string, jid?: string) => {
        this.presence.push({ type, jid });
      }) as WhatsAppSocket["sendPresenceUpdate"],
      logout: async () => {
        this.loggedOut = true;
        this.close(401, "Intentional Logout");
      },
      end: async () => {
        if (this.ended) return;
        this.close(428, "Connection Closed");
      },
    };
  }

  /** `connection.update {qr}`. */
  qr(code: string): void {
    this.ev.emit("connection.update", { qr: code });
  }

  /** Simulates a successful pairing: creds gain `me` (creds.update), as after a QR scan. */
  paired(me = { id: SELF_JID, lid: SELF_LID, name: "Tester" }): void {
    Object.assign(this.opts.auth.creds, { me, registered: true });
    this.ev.emit("creds.update", { me });
  }

  /** `connection.update {connection:"open"}` with `sock.user` set. */
  open(user = { id: SELF_JID, lid: SELF_LID, name: "Tester" }): void {
    this.user = user;
    this.ev.emit("connection.update", { connection: "open" });
  }

  /** `connection.update {connection:"close", lastDisconnect:{error: Boom(statusCode)}}`. */
  close(statusCode: number, message = "Connection Failure"): void {
    if (this.ended) return;
    this.ended = true;
    this.ev.emit("connection.update", { connection: "close", lastDisconnect: { error: new Boom(message, { statusCode }), date: new Date() } });
  }

  /** `messages.upsert {type:"notify"}` with one message. */
  inbound(message: Record<string, any>, type: "notify" | "append" = "notify"): void {
    this.ev.emit("messages.upsert", { messages: [message], type });
  }
}

/** Builds a DM text message as Baileys delivers it. */
export function waText(fromE164: string, text: string, extra: Record<string, any> = {}): Record<string, any> {
  const jid = `${fromE164.replace(/^\+/, "")}@s.whatsapp.net`;
  return {
    key: { remoteJid: jid, fromMe: false, id: `MSG${Math.random().toString(16).slice(2, 10).toUpperCase()}`, ...extra.key },
    message: extra.message ?? { conversation: text },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: extra.pushName ?? "Sender",
  };
}

/** A factory that records every fake it makes. */
export interface FakeSocketFactory {
  factory: WhatsAppSocketFactory;
  sockets: FakeWaSocket[];
  /** The latest fake; throws when none was made. */
  last(): FakeWaSocket;
  /** Resolves when `n` sockets were made. */
  waitForSockets(n: number, timeoutMs?: number): Promise<FakeWaSocket>;
  /** Creation times of the sockets (ms). */
  times: number[];
}

export function createFakeSocketFactory(): FakeSocketFactory {
  const sockets: FakeWaSocket[] = [];
  const times: number[] = [];
  return {
    sockets,
    times,
    factory: (opts) => {
      const s = new FakeWaSocket(opts);
      sockets.push(s);
      times.push(Date.now());
      return s.asSocket();
    },
    last() {
      const s = sockets[sockets.length - 1];
      if (!s) throw new Error("no socket yet");
      return s;
    },
    async waitForSockets(n, timeoutMs = 5000) {
      await waitFor(() => sockets.length >= n, () => `${n} sockets (got ${sockets.length})`, timeoutMs);
      return sockets[n - 1];
    },
  };
}
