/**
 * Release archives. Every binary is also published compressed, as a tar holding the one executable
 * (`openclaw`, or `openclaw.exe`, mode 0755): `<name>.tar.gz` always, `<name>.tar.zst` and `<name>.tar.xz`
 * when the build host can make them, and `<name>.zip` for Windows (PowerShell's Expand-Archive).
 * build.ts writes them; install.sh / install.ps1 and `openclaw update` fetch them.
 *
 * Only what a one-file archive needs: no folders, links, pax headers or zip64.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { CliError } from "../errors.ts";

/** Archive kinds, best compression first. `openclaw update` reads the tar ones that Bun decompresses. */
export type ArchiveFormat = "tar.zst" | "tar.xz" | "tar.gz" | "zip";

/** The formats `openclaw update` can unpack in process (xz needs an external tool), best first. */
export const UPDATE_FORMATS: readonly ArchiveFormat[] = ["tar.zst", "tar.gz"];

/**
 * The archive file name of a release binary.
 * @example archiveName("openclaw-linux-x64", "tar.gz") // "openclaw-linux-x64.tar.gz"
 * @example archiveName("openclaw-windows-x64.exe", "zip") // "openclaw-windows-x64.zip"
 */
export function archiveName(asset: string, format: ArchiveFormat): string {
  return `${asset.replace(/\.exe$/, "")}.${format}`;
}

/** The file name inside the archive of a release binary: `openclaw` or `openclaw.exe`. */
export function memberName(asset: string): string {
  return asset.endsWith(".exe") ? "openclaw.exe" : "openclaw";
}

/**
 * A POSIX (ustar) tar holding one regular file.
 * @param mtime seconds since the epoch
 */
export function tarOneFile(name: string, data: Uint8Array, mode = 0o755, mtime = 0): Uint8Array<ArrayBuffer> {
  if (new TextEncoder().encode(name).length > 99) throw new Error(`tar member name too long: ${name}`);
  const header = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => header.set(new TextEncoder().encode(text), offset);
  put(0, name);
  put(100, octal(mode, 7));
  put(108, octal(0, 7));
  put(116, octal(0, 7));
  put(124, octal(data.length, 11));
  put(136, octal(mtime, 11));
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\u000000");
  put(265, "root");
  put(297, "root");
  put(148, `${octal(checksum(header), 6)}\u0000 `);
  const padded = Math.ceil(data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(BLOCK + padded + 2 * BLOCK);
  out.set(header, 0);
  out.set(data, BLOCK);
  return out;
}

/**
 * A zip holding one deflated file, as Windows' Expand-Archive reads it.
 * @param mtime milliseconds since the epoch (stored as a DOS date, UTC)
 */
export function zipOneFile(name: string, data: Uint8Array<ArrayBuffer>, mtime = Date.UTC(1980, 0, 1)): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const packed = Bun.deflateSync(data, { level: 9 });
  const crc = Bun.hash.crc32(data) >>> 0;
  const d = new Date(mtime);
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const dosDate = ((Math.max(d.getUTCFullYear(), 1980) - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  if (data.length >= 0xffffffff || packed.length >= 0xffffffff) throw new Error("zip member too large (zip64 is not written)");

  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 20, true); // version needed: 2.0 (deflate)
  local.setUint16(6, 0x0800, true); // UTF-8 name
  local.setUint16(8, 8, true); // deflate
  local.setUint16(10, dosTime, true);
  local.setUint16(12, dosDate, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, packed.length, true);
  local.setUint32(22, data.length, true);
  local.setUint16(26, nameBytes.length, true);

  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(4, (3 << 8) | 20, true); // made by Unix, so the 0755 mode below is read
  central.setUint16(6, 20, true);
  central.setUint16(8, 0x0800, true);
  central.setUint16(10, 8, true);
  central.setUint16(12, dosTime, true);
  central.setUint16(14, dosDate, true);
  central.setUint32(16, crc, true);
  central.setUint32(20, packed.length, true);
  central.setUint32(24, data.length, true);
  central.setUint16(28, nameBytes.length, true);
  central.setUint32(38, (0o100755 << 16) >>> 0, true); // external attributes: regular file, 0755
  central.setUint32(42, 0, true); // local header at offset 0

  const centralOffset = 30 + nameBytes.length + packed.length;
  const centralSize = 46 + nameBytes.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, centralOffset, true);

  const out = new Uint8Array(centralOffset + centralSize + 22);
  let at = 0;
  for (const part of [new Uint8Array(local.buffer), nameBytes, packed, new Uint8Array(central.buffer), nameBytes, new Uint8Array(end.buffer)]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Unpacks the file `name` from a compressed one-file tar (as {@link tarOneFile} writes it) into `dest`.
 * The archive is read as a stream; nothing is held in memory beyond a chunk.
 * @returns the number of bytes written
 * @throws CliError when the archive is not a tar of that one regular file, or ends early
 */
export async function extractTarFile(archive: string, format: "tar.gz" | "tar.zst", name: string, dest: string): Promise<number> {
  const codec = format === "tar.zst" ? "zstd" : "gzip";
  const stream = Bun.file(archive).stream().pipeThrough(new DecompressionStream(codec as CompressionFormat));
  const reader = stream.getReader();
  const bad = (why: string) => new CliError(`not a usable ${format} archive: ${why}`);
  // A plain fd, closed before this returns: the caller executes the file next, and a write handle still
  // open anywhere would make that fail with ETXTBSY.
  const fd = openSync(dest, "w", 0o644);
  let pending = new Uint8Array(0);
  let size = -1;
  let written = 0;
  try {
    for (;;) {
      const chunk = await reader.read().catch((err: unknown) => {
        throw bad(`decompression failed (${(err as Error).message})`);
      });
      if (chunk.done) break;
      let data = chunk.value;
      if (size < 0) {
        const joined = new Uint8Array(pending.length + data.length);
        joined.set(pending, 0);
        joined.set(data, pending.length);
        if (joined.length < BLOCK) {
          pending = joined;
          continue;
        }
        size = readHeader(joined.subarray(0, BLOCK), name, bad);
        data = joined.subarray(BLOCK);
        pending = new Uint8Array(0);
      }
      const take = Math.min(data.length, size - written);
      if (take > 0) {
        writeAll(fd, data.subarray(0, take));
        written += take;
      }
      if (written === size) break;
    }
    if (size < 0) throw bad("it ends inside the tar header");
    if (written < size) throw bad(`it ends after ${written} of ${size} bytes of ${name}`);
  } finally {
    closeSync(fd);
    void reader.cancel().catch(() => {});
  }
  return written;
}

// --- internal ---

const BLOCK = 512;

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width, "0");
}

function checksum(header: Uint8Array): number {
  let sum = 0;
  for (const b of header) sum += b;
  return sum;
}

/** Checks a ustar header (checksum, regular file, the expected name) and returns the file size. */
function readHeader(header: Uint8Array, name: string, bad: (why: string) => Error): number {
  const text = (from: number, len: number) => new TextDecoder().decode(header.subarray(from, from + len)).replace(/\0.*$/s, "").trim();
  const stored = Number.parseInt(text(148, 8), 8);
  const copy = header.slice();
  copy.fill(0x20, 148, 156);
  if (!Number.isFinite(stored) || stored !== checksum(copy)) throw bad("the tar header checksum does not match");
  const type = String.fromCharCode(header[156]);
  if (type !== "0" && type !== "\0") throw bad(`its first entry is not a regular file (type "${type}")`);
  const found = text(0, 100).replace(/^\.\//, "");
  if (found !== name) throw bad(`its first entry is "${found}", expected "${name}"`);
  const size = Number.parseInt(text(124, 12), 8);
  if (!Number.isSafeInteger(size) || size < 0) throw bad("the tar header has no valid size");
  return size;
}
