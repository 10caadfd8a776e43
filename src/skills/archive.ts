/**
 * Reading skill archives (`.tar`, `.tar.gz`/`.tgz`, `.zip`) in process, without a `tar` or `unzip` tool,
 * so every entry can be checked before anything is written: names must stay inside the archive's folder
 * (no absolute paths, no `..`), only files, folders and symlinks are accepted, and sizes are bounded.
 * Symlinks are returned with their targets; the installer decides whether they stay inside.
 */
import { gunzipSync, inflateRawSync } from "node:zlib";

/** One entry of an archive, its name normalized (`a/b/c`, no leading `./`, no trailing `/`). */
export type ArchiveEntry = { kind: "file"; name: string; data: Uint8Array; mode: number } | { kind: "dir"; name: string } | { kind: "symlink"; name: string; target: string };

/** Limits of {@link readArchive}. */
export const ARCHIVE_LIMITS = { maxEntries: 2000, maxTotalBytes: 64 * 1024 * 1024 } as const;

/** An archive that is malformed or refused; the message names the entry and the rule. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

/**
 * Reads every entry of an archive by its file name's extension.
 * @throws ArchiveError for an unknown extension, a malformed archive, an entry escaping its folder
 *   (absolute, `..`), a hard link or device entry, or an archive over {@link ARCHIVE_LIMITS}.
 */
export function readArchive(fileName: string, bytes: Uint8Array): ArchiveEntry[] {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".zip")) return readZip(bytes);
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return readTar(gunzip(bytes));
  if (lower.endsWith(".tar")) return readTar(bytes);
  throw new ArchiveError(`${fileName}: expected a .tar.gz, .tgz, .tar or .zip archive`);
}

/**
 * Checks and normalizes an entry name.
 * @throws ArchiveError when it is absolute, has a drive letter, a backslash, a NUL, or a `..` component.
 */
export function checkEntryName(raw: string): string {
  if (raw.includes("\0")) throw new ArchiveError(`entry ${JSON.stringify(raw)}: NUL in the name`);
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw new ArchiveError(`entry ${JSON.stringify(raw)}: absolute path (entries must stay inside the archive's folder)`);
  if (raw.includes("\\")) throw new ArchiveError(`entry ${JSON.stringify(raw)}: backslash in the name`);
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new ArchiveError(`entry ${JSON.stringify(raw)}: ".." leads out of the archive's folder`);
  return parts.join("/");
}

// --- internal ---

function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: ARCHIVE_LIMITS.maxTotalBytes + 1024 * 1024 });
  } catch (err) {
    throw new ArchiveError(`not a valid gzip file (${(err as Error).message})`);
  }
}

function bounded(entries: ArchiveEntry[], total: number): void {
  if (entries.length > ARCHIVE_LIMITS.maxEntries) throw new ArchiveError(`more than ${ARCHIVE_LIMITS.maxEntries} entries`);
  if (total > ARCHIVE_LIMITS.maxTotalBytes) throw new ArchiveError(`more than ${ARCHIVE_LIMITS.maxTotalBytes} bytes unpacked`);
}

const text = new TextDecoder();

function cstr(b: Uint8Array, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const end = s.indexOf(0);
  return text.decode(end >= 0 ? s.subarray(0, end) : s);
}

function octal(b: Uint8Array, start: number, len: number, what: string): number {
  const s = cstr(b, start, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new ArchiveError(`tar header: bad ${what} field`);
  return Number.parseInt(s, 8);
}

/** ustar with the GNU long-name (`L`/`K`) and pax (`x`, `path`/`linkpath`) extensions. */
function readTar(b: Uint8Array): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  let off = 0;
  let total = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  while (off + 512 <= b.length) {
    const h = b.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const sum = h.reduce((a, x, i) => a + (i >= 148 && i < 156 ? 32 : x), 0);
    if (sum !== octal(h, 148, 8, "checksum")) throw new ArchiveError(`tar header at byte ${off}: checksum mismatch (not a tar archive?)`);
    const size = octal(h, 124, 12, "size");
    const type = String.fromCharCode(h[156] ?? 0);
    const dataStart = off + 512;
    if (dataStart + size > b.length) throw new ArchiveError("tar archive is truncated");
    const data = b.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    total += size;
    bounded(out, total);
    if (type === "L" || type === "K") {
      const v = cstr(data, 0, data.length);
      if (type === "L") longName = v;
      else longLink = v;
      continue;
    }
    if (type === "x" || type === "g") {
      if (type === "x") {
        const pax = parsePax(data);
        longName = pax.path ?? longName;
        longLink = pax.linkpath ?? longLink;
      }
      continue;
    }
    const prefix = cstr(h, 345, 155);
    const rawName = longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
    const link = longLink ?? cstr(h, 157, 100);
    longName = undefined;
    longLink = undefined;
    const name = checkEntryName(rawName);
    if (type === "0" || type === "\0" || type === "7") {
      if (name === "") throw new ArchiveError(`entry ${JSON.stringify(rawName)}: a file without a name`);
      out.push({ kind: "file", name, data: data.slice(), mode: octal(h, 100, 8, "mode") & 0o777 });
    } else if (type === "5") {
      if (name !== "") out.push({ kind: "dir", name });
    } else if (type === "2") {
      out.push({ kind: "symlink", name, target: link });
    } else if (type === "1") {
      throw new ArchiveError(`entry ${JSON.stringify(rawName)}: hard links are not accepted`);
    } else {
      throw new ArchiveError(`entry ${JSON.stringify(rawName)}: unsupported entry type ${JSON.stringify(type)} (only files, folders and symlinks)`);
    }
  }
  return out;
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number.parseInt(text.decode(data.subarray(off, sp)), 10);
    if (!Number.isInteger(len) || len <= 0) throw new ArchiveError("tar pax header: bad record length");
    const rec = text.decode(data.subarray(sp + 1, off + len - 1));
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;
}

/** The central directory decides what is in a zip; each entry's data is found through its local header. */
function readZip(b: Uint8Array): ArchiveEntry[] {
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65_535); i--) {
    if (u32(b, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveError("not a zip archive (no end of central directory)");
  const count = u16(b, eocd + 10);
  let off = u32(b, eocd + 16);
  if (count === 0xffff || off === 0xffffffff) throw new ArchiveError("zip64 archives are not supported");
  const out: ArchiveEntry[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (u32(b, off) !== 0x02014b50) throw new ArchiveError("zip central directory is corrupt");
    const flags = u16(b, off + 8);
    const crc = u32(b, off + 16);
    const method = u16(b, off + 10);
    const compSize = u32(b, off + 20);
    const size = u32(b, off + 24);
    const nameLen = u16(b, off + 28);
    const extraLen = u16(b, off + 30);
    const commentLen = u16(b, off + 32);
    const madeBy = u16(b, off + 4) >> 8;
    const external = u32(b, off + 38);
    const local = u32(b, off + 42);
    const rawName = text.decode(b.subarray(off + 46, off + 46 + nameLen));
    off += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) throw new ArchiveError(`entry ${JSON.stringify(rawName)}: encrypted entries are not supported`);
    total += size;
    bounded(out, total);
    const name = checkEntryName(rawName);
    // Unix mode in the high 16 bits when the archive was made on Unix (3) (or macOS, 19).
    const mode = madeBy === 3 || madeBy === 19 ? external >>> 16 : 0;
    const fileType = mode & 0o170000;
    const isDir = rawName.endsWith("/") || fileType === 0o040000;
    if (isDir) {
      if (name !== "") out.push({ kind: "dir", name });
      continue;
    }
    if (fileType !== 0 && fileType !== 0o100000 && fileType !== 0o120000) throw new ArchiveError(`entry ${JSON.stringify(rawName)}: unsupported entry type (only files, folders and symlinks)`);
    if (u32(b, local) !== 0x04034b50) throw new ArchiveError(`entry ${JSON.stringify(rawName)}: local header missing`);
    const dataStart = local + 30 + u16(b, local + 26) + u16(b, local + 28);
    if (dataStart + compSize > b.length) throw new ArchiveError("zip archive is truncated");
    const packed = b.subarray(dataStart, dataStart + compSize);
    let data: Uint8Array;
    if (method === 0) data = packed.slice();
    else if (method === 8) {
      try {
        data = inflateRawSync(packed, { maxOutputLength: size + 1 });
      } catch (err) {
        throw new ArchiveError(`entry ${JSON.stringify(rawName)}: cannot inflate (${(err as Error).message})`);
      }
    } else throw new ArchiveError(`entry ${JSON.stringify(rawName)}: compression method ${method} is not supported (stored or deflate only)`);
    if (data.length !== size) throw new ArchiveError(`entry ${JSON.stringify(rawName)}: size does not match the directory`);
    if (Bun.hash.crc32(data) !== crc) throw new ArchiveError(`entry ${JSON.stringify(rawName)}: CRC mismatch (damaged archive)`);
    if (name === "") throw new ArchiveError(`entry ${JSON.stringify(rawName)}: a file without a name`);
    if (fileType === 0o120000) out.push({ kind: "symlink", name, target: text.decode(data) });
    else out.push({ kind: "file", name, data, mode: mode & 0o777 });
  }
  return out;
}
