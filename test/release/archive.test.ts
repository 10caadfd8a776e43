/**
 * The release archives build.ts writes and `openclaw update` reads: the system's tar, gzip, zstd and unzip
 * must read what we write, and the reader must refuse anything but the one expected file.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { archiveName, extractTarFile, memberName, tarOneFile, zipOneFile } from "../../src/release/archive.ts";

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "openclaw-archive-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Bytes that do not compress to nothing and are not a multiple of the tar block size. */
const DATA: Uint8Array<ArrayBuffer> = new Uint8Array(300_001).map((_, i) => (i * 7919 + (i >> 9)) % 251);

function sh(cmd: string[], cwd: string) {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

describe("names", () => {
  test("archives drop .exe; the member is openclaw or openclaw.exe", () => {
    expect(archiveName("openclaw-linux-x64", "tar.zst")).toBe("openclaw-linux-x64.tar.zst");
    expect(archiveName("openclaw-linux-arm64-musl", "tar.gz")).toBe("openclaw-linux-arm64-musl.tar.gz");
    expect(archiveName("openclaw-windows-x64.exe", "zip")).toBe("openclaw-windows-x64.zip");
    expect(memberName("openclaw-darwin-arm64")).toBe("openclaw");
    expect(memberName("openclaw-windows-x64.exe")).toBe("openclaw.exe");
  });
});

describe("written archives read by the system tools", () => {
  test("tar.gz and tar.zst: one executable file named openclaw, content intact", () => {
    const d = dir();
    const tar = tarOneFile("openclaw", DATA, 0o755, 1_700_000_000);
    expect(tar.length % 512).toBe(0);
    writeFileSync(join(d, "a.tar.gz"), Bun.gzipSync(tar, { level: 9 }));
    writeFileSync(join(d, "a.tar.zst"), Bun.zstdCompressSync(tar, { level: 3 }));
    const list = sh(["tar", "-tvzf", "a.tar.gz"], d);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^-rwxr-xr-x .* 300001 .* openclaw\n$/);
    expect(sh(["tar", "-xzf", "a.tar.gz", "openclaw"], d).code).toBe(0);
    expect(readFileSync(join(d, "openclaw")).equals(Buffer.from(DATA))).toBe(true);
    expect(statSync(join(d, "openclaw")).mode & 0o777).toBe(0o755);
    if (Bun.which("zstd")) {
      const z = sh(["sh", "-c", "zstd -dcq a.tar.zst | tar -tvf -"], d);
      expect(z.code).toBe(0);
      expect(z.out).toContain(" openclaw");
    }
  });

  test.skipIf(!Bun.which("unzip"))("zip: unzip tests it and unpacks openclaw.exe intact", () => {
    const d = dir();
    writeFileSync(join(d, "w.zip"), zipOneFile("openclaw.exe", DATA, Date.UTC(2026, 11, 7, 3, 4, 6)));
    const t = sh(["unzip", "-t", "w.zip"], d);
    expect(t.out).toContain("No errors detected");
    expect(t.code).toBe(0);
    const l = sh(["unzip", "-l", "w.zip"], d);
    expect(l.out).toMatch(/300001\s+2026-12-07 03:04\s+openclaw\.exe/);
    expect(sh(["unzip", "-q", "w.zip"], d).code).toBe(0);
    expect(readFileSync(join(d, "openclaw.exe")).equals(Buffer.from(DATA))).toBe(true);
  });
});

describe("extractTarFile", () => {
  test("unpacks what tarOneFile wrote, gzip and zstd, and what the system tar writes", async () => {
    const d = dir();
    const tar = tarOneFile("openclaw", DATA);
    writeFileSync(join(d, "a.tar.gz"), Bun.gzipSync(tar));
    writeFileSync(join(d, "a.tar.zst"), Bun.zstdCompressSync(tar));
    expect(await extractTarFile(join(d, "a.tar.gz"), "tar.gz", "openclaw", join(d, "out1"))).toBe(DATA.length);
    expect(await extractTarFile(join(d, "a.tar.zst"), "tar.zst", "openclaw", join(d, "out2"))).toBe(DATA.length);
    expect(readFileSync(join(d, "out1")).equals(Buffer.from(DATA))).toBe(true);
    expect(readFileSync(join(d, "out2")).equals(Buffer.from(DATA))).toBe(true);
    // GNU tar's own output (default format, ./-less name) is read too.
    writeFileSync(join(d, "openclaw"), DATA);
    expect(sh(["tar", "-czf", "sys.tar.gz", "openclaw"], d).code).toBe(0);
    expect(await extractTarFile(join(d, "sys.tar.gz"), "tar.gz", "openclaw", join(d, "out3"))).toBe(DATA.length);
    expect(readFileSync(join(d, "out3")).equals(Buffer.from(DATA))).toBe(true);
  });

  test("refuses another name, a non-file entry, a bad header, a truncated body, and bytes that are not compressed", async () => {
    const d = dir();
    const tar = tarOneFile("openclaw", DATA);
    const cases: [string, Uint8Array, RegExp][] = [
      ["name", Bun.gzipSync(tarOneFile("evil", DATA)), /first entry is "evil", expected "openclaw"/],
      ["symlink", Bun.gzipSync(tar.slice().fill("2".charCodeAt(0), 156, 157)), /tar header checksum|not a regular file/],
      ["checksum", Bun.gzipSync(tar.slice().fill(0x41, 0, 3)), /checksum does not match/],
      ["truncated", Bun.gzipSync(tar.subarray(0, 512 + 1000)), /ends after 1000 of 300001 bytes/],
      ["header", Bun.gzipSync(tar.subarray(0, 100)), /ends inside the tar header/],
      ["plain", tar, /decompression failed/],
    ];
    for (const [label, bytes, message] of cases) {
      writeFileSync(join(d, `${label}.tar.gz`), bytes);
      const err = await extractTarFile(join(d, `${label}.tar.gz`), "tar.gz", "openclaw", join(d, `${label}.out`)).catch((e: Error) => e);
      expect({ label, message: err instanceof Error ? err.message : "no error" }).toEqual({ label, message: expect.stringMatching(message) });
    }
  });

  test("a symlink entry with a valid checksum is refused", async () => {
    const d = dir();
    const tar = tarOneFile("openclaw", DATA);
    tar[156] = "2".charCodeAt(0);
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of tar.subarray(0, 512)) sum += b;
    tar.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    writeFileSync(join(d, "l.tar.gz"), Bun.gzipSync(tar));
    await expect(extractTarFile(join(d, "l.tar.gz"), "tar.gz", "openclaw", join(d, "l.out"))).rejects.toThrow('not a regular file (type "2")');
  });
});
