/**
 * Image attachments of `agent` / `chat.send`: checks each one (base64, size), finds its real type from its
 * bytes, and keeps the images; nothing else reaches a model.
 *
 * An attachment is `{type?, mimeType?, fileName?, content}` with `content` plain base64 or a
 * `data:<mime>;base64,<data>` URL. Each must decode to 1…5,000,000 bytes; at most 10 per message. The type
 * sniffed from the bytes (PNG, JPEG, GIF, WebP) wins over the declared one; a sniffed non-image is
 * dropped; bytes we cannot place fall back to a declared `image/*` type, else they are dropped.
 *
 * Replay policy: images stay in the transcript with their user message (state.db, `message_images`), and
 * `chat.history` returns them. Later turns send earlier images again, as upstream does, but only those of
 * the newest {@link IMAGE_REPLAY_MESSAGES} messages that carry images (the current one among them), and of
 * those only {@link IMAGE_REPLAY_MAX_BYTES} decoded bytes besides the current message's: resending every
 * image of a long session would cost tokens on every call and soon exceed the providers' request size
 * limits. Images left out become a short text note so the model still knows one was there. The current
 * message's images are always sent.
 */
import { GatewayError } from "../errors.ts";
import type { ImageContent, TranscriptMessage } from "../store/index.ts";

/** Largest decoded attachment, in bytes (fixed upstream). */
export const MAX_ATTACHMENT_BYTES = 5_000_000;
/** Most attachments one message may carry. */
export const MAX_ATTACHMENTS = 10;
/** Messages with images, newest first and the current one included, whose images a model call carries. */
export const IMAGE_REPLAY_MESSAGES = 4;
/** Decoded bytes of earlier images sent again per call, at most (the current message's do not count). */
export const IMAGE_REPLAY_MAX_BYTES = 20_000_000;

/** Where parsing reports what it dropped or corrected. */
export interface AttachmentWarn {
  (message: string, fields: Record<string, unknown>): void;
}

/**
 * Checks `attachments` and returns the images among them, in order, with their sniffed type.
 * @returns [] when there are none, or none is an image (each dropped one is reported through `warn`).
 * @throws GatewayError INVALID_REQUEST `attachment <label>: …` for content that is not a string, not
 *   base64, empty or over {@link MAX_ATTACHMENT_BYTES}; and for more than {@link MAX_ATTACHMENTS}.
 *   Pure apart from `warn`; safe to call concurrently.
 * @example parseAttachments([{ mimeType: "image/png", content: "iVBORw0KGgo…" }]) // [{type:"image", data, mimeType:"image/png"}]
 */
export function parseAttachments(attachments: readonly unknown[] | undefined, warn: AttachmentWarn = () => {}): ImageContent[] {
  if (!attachments?.length) return [];
  if (attachments.length > MAX_ATTACHMENTS) {
    throw new GatewayError("INVALID_REQUEST", `too many attachments (${attachments.length} > ${MAX_ATTACHMENTS})`);
  }
  const images: ImageContent[] = [];
  attachments.forEach((raw, i) => {
    const a = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    const label = nonEmpty(a.fileName) ?? nonEmpty(a.type) ?? `attachment-${i + 1}`;
    if (typeof a.content !== "string") throw new GatewayError("INVALID_REQUEST", `attachment ${label}: content must be base64 string`);
    const { data, mime: urlMime } = splitDataUrl(a.content);
    if (!isBase64(data)) throw new GatewayError("INVALID_REQUEST", `attachment ${label}: invalid base64 content`);
    const size = decodedSize(data);
    if (size <= 0 || size > MAX_ATTACHMENT_BYTES) {
      throw new GatewayError("INVALID_REQUEST", `attachment ${label}: exceeds size limit (${size} > ${MAX_ATTACHMENT_BYTES} bytes)`);
    }
    const declared = (nonEmpty(a.mimeType) ?? urlMime)?.toLowerCase();
    const sniffed = sniffMimeType(Buffer.from(data.slice(0, SNIFF_CHARS), "base64"));
    if (sniffed && !sniffed.startsWith("image/")) {
      warn("attachment dropped: not an image", { attachment: label, sniffed, declared });
      return;
    }
    if (!sniffed && !declared?.startsWith("image/")) {
      warn("attachment dropped: not an image", { attachment: label, declared: declared ?? null });
      return;
    }
    if (sniffed && declared && sniffed !== declared) warn("attachment type differs from its content; using the content's", { attachment: label, sniffed, declared });
    images.push({ type: "image", data, mimeType: sniffed ?? (declared as string) });
  });
  return images;
}

/**
 * The type of a file from its first bytes: PNG, JPEG, GIF and WebP images, and a few common non-images
 * (PDF, ZIP, gzip, MP3, Ogg, WAV, MP4) so those are recognised as not images.
 * @returns the MIME type, or undefined when the bytes match nothing known.
 */
export function sniffMimeType(bytes: Uint8Array): string | undefined {
  const at = (offset: number, sig: number[] | string) => {
    const want = typeof sig === "string" ? [...sig].map((c) => c.charCodeAt(0)) : sig;
    return bytes.length >= offset + want.length && want.every((b, k) => bytes[offset + k] === b);
  };
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (at(0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (at(0, "GIF87a") || at(0, "GIF89a")) return "image/gif";
  if (at(0, "RIFF") && at(8, "WEBP")) return "image/webp";
  if (at(0, "RIFF") && at(8, "WAVE")) return "audio/wav";
  if (at(0, "%PDF-")) return "application/pdf";
  if (at(0, [0x50, 0x4b, 0x03, 0x04])) return "application/zip";
  if (at(0, [0x1f, 0x8b])) return "application/gzip";
  if (at(0, "ID3")) return "audio/mpeg";
  if (at(0, "OggS")) return "audio/ogg";
  if (at(4, "ftyp")) return "video/mp4";
  return undefined;
}

/**
 * Loads saved files (a channel's downloaded inbound media) as images: files over
 * {@link MAX_ATTACHMENT_BYTES}, unreadable ones and those whose bytes are not a known image are skipped
 * (reported through `warn`); at most {@link MAX_ATTACHMENTS} are kept.
 * @returns the images in order; [] when none. Never throws. Safe to call concurrently.
 */
export async function loadImageFiles(paths: readonly string[], warn: AttachmentWarn = () => {}): Promise<ImageContent[]> {
  const images: ImageContent[] = [];
  for (const path of paths) {
    if (images.length >= MAX_ATTACHMENTS) {
      warn("inbound image skipped: too many in one message", { path });
      continue;
    }
    try {
      const file = Bun.file(path);
      if (file.size > MAX_ATTACHMENT_BYTES) {
        warn("inbound image skipped: too large", { path, bytes: file.size });
        continue;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      const mimeType = sniffMimeType(bytes);
      // Channels save voice notes, videos and documents too: those stay files the prompt names.
      if (!mimeType?.startsWith("image/") || bytes.byteLength === 0) continue;
      images.push({ type: "image", data: Buffer.from(bytes).toString("base64"), mimeType });
    } catch (err) {
      warn("inbound image skipped: unreadable", { path, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return images;
}

/**
 * The user turn as stored: the text (left out when empty and there are images) followed by the images.
 * @returns content blocks for a `user` transcript message.
 */
export function toUserContent(text: string, images: readonly ImageContent[] = []): TranscriptMessage["content"] {
  if (images.length === 0) return [{ type: "text", text }];
  return [...(text ? [{ type: "text" as const, text }] : []), ...images];
}

/**
 * Applies the replay byte budget to a history read for a model call: walking back from the newest message,
 * earlier images beyond {@link IMAGE_REPLAY_MAX_BYTES} lose their data (the last message keeps all of its).
 * @returns a new array; `history` is not changed.
 */
export function limitReplayImages(history: readonly TranscriptMessage[], maxBytes = IMAGE_REPLAY_MAX_BYTES): TranscriptMessage[] {
  let budget = maxBytes;
  const out = [...history];
  for (let i = out.length - 2; i >= 0; i--) {
    const m = out[i];
    if (m.role !== "user" || !m.content.some((b) => b.type === "image" && b.data)) continue;
    const content = m.content.map((b) => {
      if (b.type !== "image" || !b.data) return b;
      const size = decodedSize(b.data);
      if (size <= budget) {
        budget -= size;
        return b;
      }
      budget = 0;
      return { type: "image" as const, mimeType: b.mimeType };
    });
    out[i] = { ...m, content };
  }
  return out;
}

// --- internal ---

/** Base64 chars sniffed: 64 of them decode to 48 bytes, enough for every signature above. */
const SNIFF_CHARS = 64;

function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

/** `data:<mime>;base64,<data>` → its data and mime; anything else is data as is. */
function splitDataUrl(content: string): { data: string; mime?: string } {
  if (!content.startsWith("data:")) return { data: content };
  const comma = content.indexOf(",");
  if (comma < 0) return { data: content };
  const mime = content.slice(5, comma).split(";")[0]?.trim();
  return { data: content.slice(comma + 1), ...(mime && { mime }) };
}

// Padding only at the end: an inner "=" would pass a bare alphabet check and decode to other bytes than were sized and sniffed.
function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/** Bytes `s` decodes to, computed from its length and padding without decoding. */
function decodedSize(s: string): number {
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor(s.length / 4) * 3 - pad);
}
