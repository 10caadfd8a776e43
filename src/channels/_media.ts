/**
 * Media files in and out of channels: loading what `send --media` / an agent reply points at (http(s) URL
 * or local path) with a size cap, sniffing its type, and keeping inbound downloads under the state dir.
 */
import { mkdirSync, openSync, closeSync, readSync, fstatSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { toErrorMessage } from "../errors.ts";
import { type CheckedTarget, checkPublicTarget, fetchChecked } from "../util/net.ts";
import { ChannelInputError, ChannelTransportError, type ChannelId, type OutboundMedia } from "./channel.ts";

/** Outbound cap when `agents.defaults.mediaMaxMb` is unset (channels.md §2). */
export const DEFAULT_OUTBOUND_MEDIA_MAX_MB = 5;

const MIME_BY_EXT: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".mp4": "video/mp4",
  ".mov": "video/quicktime",
  ".webm": "video/webm",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".opus": "audio/ogg",
  ".m4a": "audio/mp4",
  ".wav": "audio/wav",
  ".pdf": "application/pdf",
  ".txt": "text/plain",
  ".json": "application/json",
  ".zip": "application/zip",
};

/** Redirects a public-only media download follows, each one checked. */
const MAX_MEDIA_REDIRECTS = 5;

/**
 * Loads `url` (http(s), file:// or an absolute path) into memory. With `publicOnly` (callers that may not
 * read the gateway's files or network) only http(s) URLs are taken, and the first URL and every redirect
 * must resolve to public addresses.
 * @throws ChannelInputError when it is larger than `maxBytes`, missing, not a supported scheme, or refused
 * by `publicOnly`; ChannelTransportError when a download fails.
 */
export async function loadOutboundMedia(channel: ChannelId, url: string, maxBytes: number, opts: { publicOnly?: boolean } = {}): Promise<OutboundMedia> {
  let data: Uint8Array;
  let mimeType: string | undefined;
  let fileName: string;
  if (opts.publicOnly && !/^https?:\/\//i.test(url)) throw new ChannelInputError(`media refused: only public http(s) URLs are allowed here (got ${url})`);
  if (/^https?:\/\//i.test(url)) {
    const res = await download(channel, url, opts.publicOnly === true);
    if (!res.ok) throw new ChannelInputError(`media download failed: HTTP ${res.status} for ${url}`);
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > maxBytes) throw new ChannelInputError(`media too large: ${declared} bytes (limit ${maxBytes})`);
    data = await readCapped(res, maxBytes);
    mimeType = res.headers.get("content-type")?.split(";")[0]?.trim() || undefined;
    fileName = basename(new URL(url).pathname) || "file";
  } else {
    const path = url.startsWith("file://") ? fileURLToPath(url) : url;
    if (!path.startsWith("/")) throw new ChannelInputError(`media must be an http(s) URL or an absolute path: ${url}`);
    data = readFileCapped(path, maxBytes);
    fileName = basename(path);
  }
  const sniffed = sniffMime(data);
  const type = sniffed ?? (mimeType && mimeType !== "application/octet-stream" ? mimeType : undefined) ?? MIME_BY_EXT[extname(fileName).toLowerCase()] ?? "application/octet-stream";
  return { data, mimeType: type, fileName, kind: toMediaKind(type) };
}

/** GET with redirects: followed freely, or one by one with each target checked when `publicOnly`. */
async function download(channel: ChannelId, url: string, publicOnly: boolean): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    let target: CheckedTarget | undefined;
    if (publicOnly) {
      try {
        target = await checkPublicTarget(current);
      } catch (err) {
        throw new ChannelInputError(`media refused: ${hop === 0 ? "" : `redirect ${hop} to ${current}: `}${toErrorMessage(err)}`);
      }
    }
    let res: Response;
    try {
      res = target ? await fetchChecked(target, { redirect: "manual" }) : await fetch(current, { redirect: "follow" });
    } catch (err) {
      throw new ChannelTransportError(channel, `media download failed (${url})`, { cause: err });
    }
    const location = res.headers.get("location");
    if (!publicOnly || res.status < 300 || res.status >= 400 || !location) return res;
    await res.body?.cancel().catch(() => {});
    if (hop >= MAX_MEDIA_REDIRECTS) throw new ChannelInputError(`media refused: more than ${MAX_MEDIA_REDIRECTS} redirects (${url})`);
    current = new URL(location, current).toString();
  }
}

/** Media kind from a MIME type (anything unknown is a document). */
export function toMediaKind(mimeType: string): OutboundMedia["kind"] {
  if (mimeType === "image/gif") return "video";
  if (mimeType.startsWith("image/")) return "image";
  if (mimeType.startsWith("video/")) return "video";
  if (mimeType.startsWith("audio/")) return "audio";
  return "document";
}

/** MIME type from magic bytes for the common formats; undefined when unknown. */
export function sniffMime(b: Uint8Array): string | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((x, k) => b[i + k] === x);
  if (at(0, 0xff, 0xd8, 0xff)) return "image/jpeg";
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return "image/webp";
  if (at(4, 0x66, 0x74, 0x79, 0x70)) return "video/mp4";
  if (at(0, 0x25, 0x50, 0x44, 0x46)) return "application/pdf";
  if (at(0, 0x4f, 0x67, 0x67, 0x53)) return "audio/ogg";
  return undefined;
}

/**
 * Writes an inbound download to `<stateDir>/media/inbound/<channel>-<id><ext>` (mode 0600).
 * @returns the path.
 */
export function saveInboundMedia(stateDir: string, channel: ChannelId, id: string, data: Uint8Array, ext: string): string {
  const dir = join(stateDir, "media", "inbound");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const safe = `${channel}-${id}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  const path = join(dir, `${safe}${ext}`);
  writeFileSync(path, data, { mode: 0o600 });
  return path;
}

/** Extension for a MIME type (with the dot), "" when unknown. */
export function extensionFor(mimeType: string | undefined): string {
  if (!mimeType) return "";
  const hit = Object.entries(MIME_BY_EXT).find(([, m]) => m === mimeType);
  return hit ? hit[0] : "";
}

/** Reads a response body, failing as soon as it passes `maxBytes`. */
export async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ChannelInputError(`media too large: more than ${maxBytes} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

// --- internal ---

function readFileCapped(path: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new ChannelInputError(`cannot read media file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw new ChannelInputError(`media too large: ${size} bytes (limit ${maxBytes})`);
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
