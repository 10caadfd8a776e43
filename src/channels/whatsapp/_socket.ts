/**
 * The socket seam: the adapter talks to a {@link WhatsAppSocket} made by a {@link WhatsAppSocketFactory}.
 * Production uses Baileys' `makeWASocket`; tests pass a fake that emits Baileys' event shapes, because the
 * real handshake verifies WhatsApp's certificate and cannot be faked on loopback.
 */
import makeWASocket, { Browsers, type AuthenticationState, type WASocket } from "@whiskeysockets/baileys";
import type { Logger } from "../../logging/logger.ts";

/** The part of Baileys' socket the adapter uses. */
export type WhatsAppSocket = Pick<WASocket, "ev" | "sendMessage" | "readMessages" | "sendPresenceUpdate" | "logout" | "end"> & {
  user?: WASocket["user"];
};

/** What a factory gets for one connection attempt. */
export interface WhatsAppSocketOptions {
  auth: AuthenticationState;
  logger: Logger;
  /** Override of `wss://web.whatsapp.com/ws/chat` (tests point the real socket at a local server). */
  wsUrl?: string;
}

/** Makes one socket per connection attempt (a closed Baileys socket is never reused). */
export type WhatsAppSocketFactory = (opts: WhatsAppSocketOptions) => WhatsAppSocket;

/** The production factory: Baileys with history sync, link previews and thumbnails off. */
export const createBaileysSocket: WhatsAppSocketFactory = (opts) =>
  makeWASocket({
    auth: opts.auth,
    logger: toBaileysLogger(opts.logger),
    browser: Browsers.macOS("OpenClaw"),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    // Link previews would fetch arbitrary URLs and thumbnail images with sharp (not loadable here).
    generateHighQualityLinkPreview: false,
    linkPreviewImageThumbnailWidth: 0,
    ...(opts.wsUrl && { waWebSocketUrl: opts.wsUrl }),
  });

type BaileysLogger = Parameters<typeof makeWASocket>[0]["logger"] & {};

/**
 * Baileys logs a lot at every level; all of it goes to our debug level (our adapter logs the state
 * changes that matter). Message bodies Baileys may include stay out of the info log that way.
 */
export function toBaileysLogger(log: Logger, bindings: Record<string, unknown> = {}): BaileysLogger {
  const emit = (obj: unknown, msg?: string) => {
    if (!log.verbose) return;
    const text = msg ?? (typeof obj === "string" ? obj : "");
    log.debug(`baileys: ${text}`, { ...bindings, ...(obj && typeof obj === "object" ? { detail: safeJson(obj) } : {}) });
  };
  return {
    level: log.verbose ? "debug" : "silent",
    child: (more: Record<string, unknown>) => toBaileysLogger(log, { ...bindings, ...more }),
    trace: () => {},
    debug: emit,
    info: emit,
    warn: emit,
    error: emit,
  } as BaileysLogger;
}

function safeJson(obj: object): string {
  try {
    return JSON.stringify(obj).slice(0, 500);
  } catch {
    return "[unserializable]";
  }
}
