/**
 * Baileys `WAMessage` → {@link InboundMessage} (channels.md §2): status and broadcast chats ignored, DMs
 * keyed by E.164, groups by JID, media-only messages as `<media:kind>` placeholders, mentions of the
 * linked number detected from `contextInfo`.
 */
import { isJidGroup, jidDecode, type proto, type WAMessage } from "@whiskeysockets/baileys";
import type { InboundMedia, InboundMessage } from "../channel.ts";

/** The linked account, as far as mention and self-chat checks need it. */
export interface SelfIdentity {
  /** Phone-number JID user part (digits). */
  user?: string;
  /** LID user part, when known. */
  lid?: string;
}

/**
 * Normalizes one message.
 * @returns undefined for anything the agent never sees: status/broadcast/newsletter chats, protocol
 * messages (receipts, reactions, key distribution), our own outgoing messages outside self-chat.
 */
export function toInboundMessage(m: WAMessage, self: SelfIdentity, accountId: string): { inbound: InboundMessage; mediaKind?: InboundMedia["kind"] } | undefined {
  const remoteJid = m.key.remoteJid;
  if (!remoteJid || remoteJid === "status@broadcast" || remoteJid.endsWith("@broadcast") || remoteJid.endsWith("@newsletter")) return undefined;
  const content = unwrap(m.message);
  if (!content) return undefined;
  const isGroup = isJidGroup(remoteJid) === true;
  const senderJid = isGroup ? pnJid(m.key.participant, m.key.participantAlt) : pnJid(remoteJid, m.key.remoteJidAlt);
  const senderUser = userOf(senderJid);
  let fromSelf = false;
  if (m.key.fromMe) {
    // Only the self-chat ("Message yourself") reaches the agent; other outgoing messages are ours.
    if (isGroup || !senderUser || (senderUser !== self.user && senderUser !== self.lid)) return undefined;
    fromSelf = true;
  }
  if (!senderUser) return undefined;

  const media = mediaOf(content);
  const body = textOf(content);
  if (!body.trim() && !media) return undefined;
  const context = contextOf(content);
  const mentioned = (context?.mentionedJid ?? []).some((j) => isSelf(userOf(j), self));
  const repliedToUs = context?.participant ? isSelf(userOf(context.participant), self) : false;

  const inbound: InboundMessage = {
    channel: "whatsapp",
    accountId,
    chatType: isGroup ? "group" : "direct",
    chatId: remoteJid,
    senderId: /^\d+$/.test(senderUser) ? `+${senderUser}` : senderUser,
    senderName: m.pushName ?? undefined,
    messageId: m.key.id ?? "",
    text: body.trim() ? body : `<media:${media?.kind}>`,
    media: media ? [media] : undefined,
    wasMentioned: isGroup ? mentioned || repliedToUs : undefined,
    fromSelf: fromSelf || undefined,
    timestamp: toMillis(m.messageTimestamp),
  };
  return { inbound, mediaKind: media?.kind };
}

/** The digits (or LID) of a JID, without device suffix; undefined for an empty JID. */
export function userOf(jid: string | null | undefined): string | undefined {
  if (!jid) return undefined;
  return jidDecode(jid)?.user ?? jid.split("@")[0]?.split(":")[0];
}

/**
 * The JID to send to for an E.164 number or a JID.
 * @example toJid("+1 555 123 4567") // "15551234567@s.whatsapp.net"
 */
export function toJid(target: string): string | undefined {
  const t = target.trim().replace(/^(whatsapp|wa):/i, "");
  if (/@(s\.whatsapp\.net|g\.us|lid)$/.test(t)) return t;
  const digits = t.replace(/[\s().-]/g, "");
  if (/^\+?\d{6,16}$/.test(digits)) return `${digits.replace(/^\+/, "")}@s.whatsapp.net`;
  return undefined;
}

// --- internal ---

function isSelf(user: string | undefined, self: SelfIdentity): boolean {
  return user !== undefined && (user === self.user || user === self.lid);
}

/** Prefer the phone-number form when WhatsApp addressed the chat by LID. */
function pnJid(primary: string | null | undefined, alt: string | null | undefined): string | undefined {
  if (primary?.endsWith("@lid") && alt) return alt;
  return primary ?? alt ?? undefined;
}

/** Strips the wrappers WhatsApp puts around real content (disappearing, view-once, captioned documents). */
function unwrap(message: proto.IMessage | null | undefined): proto.IMessage | undefined {
  let m = message ?? undefined;
  for (let i = 0; i < 5 && m; i++) {
    const inner = m.ephemeralMessage?.message ?? m.viewOnceMessage?.message ?? m.viewOnceMessageV2?.message ?? m.documentWithCaptionMessage?.message;
    if (!inner) break;
    m = inner;
  }
  return m;
}

function textOf(m: proto.IMessage): string {
  return m.conversation ?? m.extendedTextMessage?.text ?? m.imageMessage?.caption ?? m.videoMessage?.caption ?? m.documentMessage?.caption ?? "";
}

function mediaOf(m: proto.IMessage): InboundMedia | undefined {
  const size = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  if (m.imageMessage) return { kind: "image", mimeType: m.imageMessage.mimetype ?? undefined, sizeBytes: size(m.imageMessage.fileLength) };
  if (m.videoMessage) return { kind: "video", mimeType: m.videoMessage.mimetype ?? undefined, sizeBytes: size(m.videoMessage.fileLength) };
  if (m.audioMessage) return { kind: "audio", mimeType: m.audioMessage.mimetype ?? undefined, sizeBytes: size(m.audioMessage.fileLength) };
  if (m.documentMessage)
    return { kind: "document", mimeType: m.documentMessage.mimetype ?? undefined, fileName: m.documentMessage.fileName ?? undefined, sizeBytes: size(m.documentMessage.fileLength) };
  if (m.stickerMessage) return { kind: "sticker", mimeType: m.stickerMessage.mimetype ?? undefined };
  return undefined;
}

function contextOf(m: proto.IMessage): proto.IContextInfo | undefined {
  return (
    m.extendedTextMessage?.contextInfo ??
    m.imageMessage?.contextInfo ??
    m.videoMessage?.contextInfo ??
    m.documentMessage?.contextInfo ??
    m.audioMessage?.contextInfo ??
    undefined
  );
}

function toMillis(ts: WAMessage["messageTimestamp"]): number {
  if (ts === null || ts === undefined) return Date.now();
  const n = typeof ts === "number" ? ts : Number(ts.toString());
  return Number.isFinite(n) && n > 0 ? n * 1000 : Date.now();
}
