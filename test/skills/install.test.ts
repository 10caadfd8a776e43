/**
 * `installSkill`: folders and archives (.tar.gz from GNU tar, .zip from Info-ZIP when those tools are here,
 * and hand-crafted malicious archives): entries escaping the folder (`..`, absolute, symlinks out, links
 * through links), hard links and a folder without SKILL.md are refused and leave nothing behind.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { installSkill, readArchive } from "../../src/skills/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "skill-install-"));
  dirs.push(d);
  return d;
}

const SKILL = "---\nname: hello\ndescription: Says hello\n---\nSay hello.\n";

// --- archive builders (the real wire formats, written here so each malicious shape is exact) ---

type TarEntry = { name: string; type?: "0" | "1" | "2" | "5"; data?: string; link?: string; mode?: number };

function tar(entries: TarEntry[]): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const data = enc.encode(e.data ?? "");
    const h = new Uint8Array(512);
    const put = (s: string, off: number, len: number) => h.set(enc.encode(s).subarray(0, len), off);
    put(e.name, 0, 100);
    put(`${(e.mode ?? 0o644).toString(8).padStart(7, "0")}\0`, 100, 8);
    put("0000000\0", 108, 8);
    put("0000000\0", 116, 8);
    put(`${data.length.toString(8).padStart(11, "0")}\0`, 124, 12);
    put("00000000000\0", 136, 12);
    put("        ", 148, 8);
    put(e.type ?? "0", 156, 1);
    put(e.link ?? "", 157, 100);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    const sum = h.reduce((a, x) => a + x, 0);
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(blocks));
}

type ZipEntry = { name: string; data?: string; mode?: number };

function zip(entries: ZipEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const raw = enc.encode(e.data ?? "");
    const packed = deflateRawSync(raw);
    const l = Buffer.alloc(30);
    l.writeUInt32LE(0x04034b50, 0);
    l.writeUInt16LE(20, 4);
    l.writeUInt16LE(8, 8);
    l.writeUInt32LE(Bun.hash.crc32(raw), 14);
    l.writeUInt32LE(packed.length, 18);
    l.writeUInt32LE(raw.length, 22);
    l.writeUInt16LE(name.length, 26);
    locals.push(l, name, packed);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(Bun.hash.crc32(raw), 16);
    c.writeUInt32LE(packed.length, 20);
    c.writeUInt32LE(raw.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function archiveFile(name: string, bytes: Uint8Array): string {
  const p = join(tmp(), name);
  writeFileSync(p, bytes);
  return p;
}

/** The managed dir holds exactly these names (no staging folder left). */
function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe("folders", () => {
  test("copies a folder with SKILL.md, its files and an inside symlink; refuses the same name again without force", () => {
    const src = join(tmp(), "hello");
    mkdirSync(join(src, "scripts"), { recursive: true });
    writeFileSync(join(src, "SKILL.md"), SKILL);
    writeFileSync(join(src, "scripts", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    symlinkSync("scripts/run.sh", join(src, "run"));
    const managed = join(tmp(), "skills");
    const r = installSkill({ source: src, managedDir: managed });
    expect(r).toMatchObject({ name: "hello", files: 2, replaced: false });
    expect(readFileSync(join(managed, "hello", "SKILL.md"), "utf8")).toBe(SKILL);
    expect(lstatSync(join(managed, "hello", "scripts", "run.sh")).mode & 0o111).not.toBe(0);
    expect(lstatSync(join(managed, "hello", "run")).isSymbolicLink()).toBe(true);
    expect(() => installSkill({ source: src, managedDir: managed })).toThrow(/already installed.*--force/);
    writeFileSync(join(src, "SKILL.md"), SKILL.replace("Says hello", "Says hello twice"));
    expect(installSkill({ source: src, managedDir: managed, force: true })).toMatchObject({ replaced: true, description: "Says hello twice" });
    expect(listing(managed)).toEqual(["hello"]);
  });

  test("a folder without SKILL.md, a symlink out of the folder, or an invalid SKILL.md is refused and nothing is left", () => {
    const managed = join(tmp(), "skills");
    const empty = tmp();
    writeFileSync(join(empty, "README.md"), "x");
    expect(() => installSkill({ source: empty, managedDir: managed })).toThrow(/no SKILL\.md/);
    const out = tmp();
    writeFileSync(join(out, "SKILL.md"), SKILL);
    symlinkSync("/etc/passwd", join(out, "passwd"));
    expect(() => installSkill({ source: out, managedDir: managed })).toThrow(/absolute targets are refused/);
    const up = tmp();
    writeFileSync(join(up, "SKILL.md"), SKILL);
    symlinkSync("../../etc", join(up, "etc"));
    expect(() => installSkill({ source: up, managedDir: managed })).toThrow(/leads out of the skill/);
    const bad = tmp();
    writeFileSync(join(bad, "SKILL.md"), "no front matter");
    expect(() => installSkill({ source: bad, managedDir: managed })).toThrow(/not a valid skill: no front matter/);
    expect(listing(managed)).toEqual([]);
  });
});

describe("archives", () => {
  test("a .tar.gz made by GNU tar with a top folder, and a .zip made by zip, install", () => {
    const managed = join(tmp(), "skills");
    const base = tmp();
    mkdirSync(join(base, "hello-1.0", "refs"), { recursive: true });
    writeFileSync(join(base, "hello-1.0", "SKILL.md"), SKILL);
    writeFileSync(join(base, "hello-1.0", "refs", "notes.md"), "notes");
    if (Bun.which("tar")) {
      const out = join(base, "hello.tar.gz");
      expect(Bun.spawnSync(["tar", "czf", out, "-C", base, "hello-1.0"]).exitCode).toBe(0);
      expect(installSkill({ source: out, managedDir: managed })).toMatchObject({ name: "hello", files: 2 });
      expect(readFileSync(join(managed, "hello", "refs", "notes.md"), "utf8")).toBe("notes");
    }
    if (Bun.which("zip")) {
      const out = join(base, "hello.zip");
      expect(Bun.spawnSync(["zip", "-qr", out, "hello-1.0"], { cwd: base }).exitCode).toBe(0);
      expect(installSkill({ source: out, managedDir: managed, as: "hello-zip" })).toMatchObject({ name: "hello-zip", files: 2 });
    }
    expect(installSkill({ source: archiveFile("flat.tar.gz", Bun.gzipSync(tar([{ name: "SKILL.md", data: SKILL }]))), managedDir: managed, force: true })).toMatchObject({ name: "hello" });
  });

  const MALICIOUS: [string, () => string, RegExp][] = [
    ["tar: ../ entry", () => archiveFile("a.tar.gz", Bun.gzipSync(tar([{ name: "SKILL.md", data: SKILL }, { name: "../evil.txt", data: "x" }]))), /"\.\." leads out/],
    ["tar: absolute entry", () => archiveFile("a.tar", tar([{ name: "SKILL.md", data: SKILL }, { name: "/tmp/evil.txt", data: "x" }])), /absolute path/],
    ["tar: symlink to an absolute path", () => archiveFile("a.tgz", Bun.gzipSync(tar([{ name: "SKILL.md", data: SKILL }, { name: "etc", type: "2", link: "/etc" }]))), /absolute targets are refused/],
    ["tar: symlink up and out", () => archiveFile("a.tar.gz", Bun.gzipSync(tar([{ name: "s/SKILL.md", data: SKILL }, { name: "s/up", type: "2", link: "../../.." }]))), /leads out of the skill/],
    [
      "tar: a link through a link (d -> ., d/q -> ..)",
      () => archiveFile("a.tar.gz", Bun.gzipSync(tar([{ name: "SKILL.md", data: SKILL }, { name: "d", type: "2", link: "." }, { name: "d/q", type: "2", link: ".." }]))),
      /symlink d\/q: leads out/,
    ],
    ["tar: a file written through a symlink entry", () => archiveFile("a.tar.gz", Bun.gzipSync(tar([{ name: "SKILL.md", data: SKILL }, { name: "sub", type: "2", link: "." }, { name: "sub/x", data: "x" }]))), /name is taken/],
    ["tar: hard link", () => archiveFile("a.tar.gz", Bun.gzipSync(tar([{ name: "SKILL.md", data: SKILL }, { name: "h", type: "1", link: "/etc/passwd" }]))), /hard links/],
    ["tar: no SKILL.md at the top", () => archiveFile("a.tar.gz", Bun.gzipSync(tar([{ name: "a/SKILL.md", data: SKILL }, { name: "b/x", data: "x" }]))), /no SKILL\.md at the archive's root/],
    ["zip: ../ entry", () => archiveFile("a.zip", zip([{ name: "SKILL.md", data: SKILL }, { name: "../../evil.sh", data: "x" }])), /"\.\." leads out/],
    ["zip: symlink entry to /etc/passwd", () => archiveFile("a.zip", zip([{ name: "SKILL.md", data: SKILL }, { name: "pw", data: "/etc/passwd", mode: 0o120777 }])), /absolute targets are refused/],
    ["zip: backslash path", () => archiveFile("a.zip", zip([{ name: "SKILL.md", data: SKILL }, { name: "..\\evil", data: "x" }])), /backslash/],
    ["zip: a damaged entry (CRC mismatch)", () => {
      const bytes = zip([{ name: "SKILL.md", data: SKILL }]);
      const dv = Buffer.from(bytes);
      dv.writeUInt32LE((dv.readUInt32LE(dv.length - 22 - 46 - 8 + 16) ^ 1) >>> 0, dv.length - 22 - 46 - 8 + 16);
      return archiveFile("a.zip", dv);
    }, /CRC/],
    ["not an archive", () => archiveFile("a.zip", new TextEncoder().encode("plain text")), /not a zip archive/],
  ];

  for (const [label, make, why] of MALICIOUS) {
    test(`refused: ${label}; nothing is written`, () => {
      const root = tmp();
      const managed = join(root, "skills");
      const file = make();
      expect(() => installSkill({ source: file, managedDir: managed })).toThrow(why);
      expect(listing(managed)).toEqual([]);
      // Only the (empty) managed folder itself: nothing landed beside it either.
      expect(listing(root).filter((n) => n !== "skills")).toEqual([]);
    });
  }

  test("readArchive reads the crafted formats back (the builders above are real tar and zip)", () => {
    expect(readArchive("x.tar", tar([{ name: "a/b.txt", data: "hi", mode: 0o755 }]))).toEqual([{ kind: "file", name: "a/b.txt", data: new TextEncoder().encode("hi"), mode: 0o755 }]);
    expect(readArchive("x.zip", zip([{ name: "c.txt", data: "yo" }]))).toEqual([{ kind: "file", name: "c.txt", data: new TextEncoder().encode("yo"), mode: 0o644 }]);
    if (Bun.which("unzip")) {
      const f = archiveFile("check.zip", zip([{ name: "c.txt", data: "yo" }]));
      expect(Bun.spawnSync(["unzip", "-tq", f]).exitCode).toBe(0);
    }
  });
});
