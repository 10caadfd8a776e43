/**
 * Telegram `Message` → {@link InboundMessage}: chat type, sender, forum topic, text or media placeholder,
 * and whether the bot was addressed (@mention, text_mention, /command@bot, or a reply to the bot).
 */
import type { Message, MessageEntity, UserFromGetMe } from "grammy/types";
import type { InboundMedia, InboundMessage } from "../channel.ts";

/** A file the message carries, before download. */
export interface TelegramFileRef {
  fileId: string;
  media: InboundMedia;
}

/**
 * Normalizes one message.
 * @returns undefined for messages the agent never sees: channel posts, service messages, other bots.
 */
export function toInboundMessage(msg: Message, me: UserFromGetMe, accountId: string): { inbound: InboundMessage; files: TelegramFileRef[] } | undefined {
  const from = msg.from;
  if (!from || from.is_bot) return undefined;
  const chatType = msg.chat.type === "private" ? "direct" : msg.chat.type === "group" || msg.chat.type === "supergroup" ? "group" : undefined;
  if (!chatType) return undefined;
  const files = listFiles(msg);
  const body = msg.text ?? msg.caption ?? "";
  if (!body.trim() && files.length === 0) return undefined;
  const text = body.trim() ? body : files.map((f) => `<media:${f.media.kind}>`).join(" ");
  const inbound: InboundMessage = {
    channel: "telegram",
    accountId,
    chatType,
    chatId: String(msg.chat.id),
    senderId: String(from.id),
    senderName: [from.first_name, from.last_name].filter(Boolean).join(" ") || undefined,
    senderUsername: from.username,
    threadId: msg.is_topic_message && msg.message_thread_id !== undefined ? String(msg.message_thread_id) : undefined,
    messageId: String(msg.message_id),
    text,
    media: files.length ? files.map((f) => f.media) : undefined,
    wasMentioned: chatType === "group" ? isAddressed(msg, me) : undefined,
    groupName: "title" in msg.chat ? msg.chat.title : undefined,
    timestamp: msg.date * 1000,
  };
  return { inbound, files };
}

/** True when the message @mentions the bot, text-mentions it, sends it a /command@bot, or replies to it. */
export function isAddressed(msg: Message, me: UserFromGetMe): boolean {
  if (msg.reply_to_message?.from?.id === me.id) return true;
  const text = msg.text ?? msg.caption ?? "";
  const entities: MessageEntity[] = msg.entities ?? msg.caption_entities ?? [];
  const username = me.username.toLowerCase();
  return entities.some((e) => {
    const part = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "mention") return part === `@${username}`;
    if (e.type === "text_mention") return e.user.id === me.id;
    if (e.type === "bot_command") return part.endsWith(`@${username}`);
    return false;
  });
}

// --- internal ---

function listFiles(msg: Message): TelegramFileRef[] {
  const out: TelegramFileRef[] = [];
  if (msg.photo?.length) {
    // Sizes come smallest first; the last one is the original.
    const p = msg.photo[msg.photo.length - 1];
    out.push({ fileId: p.file_id, media: { kind: "image", mimeType: "image/jpeg", sizeBytes: p.file_size } });
  }
  if (msg.document) {
    const d = msg.document;
    const kind = d.mime_type?.startsWith("image/") ? "image" : "document";
    out.push({ fileId: d.file_id, media: { kind, mimeType: d.mime_type, fileName: d.file_name, sizeBytes: d.file_size } });
  }
  if (msg.video) out.push({ fileId: msg.video.file_id, media: { kind: "video", mimeType: msg.video.mime_type, sizeBytes: msg.video.file_size } });
  if (msg.audio) out.push({ fileId: msg.audio.file_id, media: { kind: "audio", mimeType: msg.audio.mime_type, fileName: msg.audio.file_name, sizeBytes: msg.audio.file_size } });
  if (msg.voice) out.push({ fileId: msg.voice.file_id, media: { kind: "audio", mimeType: msg.voice.mime_type, sizeBytes: msg.voice.file_size } });
  if (msg.sticker) out.push({ fileId: msg.sticker.file_id, media: { kind: "sticker", sizeBytes: msg.sticker.file_size } });
  return out;
}
