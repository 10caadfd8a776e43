/**
 * The one atomic write. What a test can prove: the order of the file system calls (write, fsync of the file,
 * rename, fsync of the folder) through a recording fs, and that a process killed between write and rename
 * leaves the old file intact. What it cannot prove: that the disk really persisted anything on power loss;
 * that rests on fsync being called at the right points, which the recording shows.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AtomicWriteFs, type AtomicWriteFsAsync, writeFileAtomic, writeFileAtomicAsync } from "../../src/util/atomic-write.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Wraps node:fs, logging each call as "name target" (fds are mapped back to the path they were opened as). */
function recordingFs(log: string[]): AtomicWriteFs {
  const byFd = new Map<number, string>();
  const name = (p: unknown) => (typeof p === "number" ? (byFd.get(p) ?? `fd${p}`) : String(p).replace(dir, "D").replace(/\.\d+\.[0-9a-f]+\.tmp$/, ".TMP"));
  return {
    openSync: ((p: string, flags: string, mode?: number) => {
      const fd = fs.openSync(p, flags, mode);
      byFd.set(fd, name(p));
      log.push(`open ${name(p)}`);
      return fd;
    }) as AtomicWriteFs["openSync"],
    writeSync: ((fd: number, ...rest: unknown[]) => {
      log.push(`write ${name(fd)}`);
      return (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
    }) as AtomicWriteFs["writeSync"],
    fsyncSync: (fd) => {
      log.push(`fsync ${name(fd)}`);
      fs.fsyncSync(fd);
    },
    fchmodSync: (fd, mode) => fs.fchmodSync(fd, mode),
    closeSync: (fd) => {
      log.push(`close ${name(fd)}`);
      fs.closeSync(fd);
    },
    renameSync: (a, b) => {
      log.push(`rename ${name(a)} ${name(b)}`);
      fs.renameSync(a, b);
    },
    rmSync: (p, o) => {
      log.push(`rm ${name(p)}`);
      fs.rmSync(p, o);
    },
    mkdirSync: fs.mkdirSync,
    statSync: fs.statSync,
    lstatSync: fs.lstatSync,
    realpathSync: fs.realpathSync,
  };
}

describe("writeFileAtomic", () => {
  test("fsyncs the temp file before the rename and the folder after it", () => {
    const log: string[] = [];
    writeFileAtomic(join(dir, "a.json"), "hello", {}, recordingFs(log));
    expect(log).toEqual(["open D/a.json.TMP", "write D/a.json.TMP", "fsync D/a.json.TMP", "close D/a.json.TMP", "rename D/a.json.TMP D/a.json", "open D", "fsync D", "close D"]);
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("hello");
  });

  test("syncDir:false leaves the folder fsync to the caller", () => {
    const log: string[] = [];
    writeFileAtomic(join(dir, "a.json"), "x", { syncDir: false }, recordingFs(log));
    expect(log.filter((l) => l.startsWith("fsync"))).toEqual(["fsync D/a.json.TMP"]);
  });

  test("a failing write leaves the old file and no temp file", () => {
    const path = join(dir, "a.json");
    writeFileSync(path, "old");
    const log: string[] = [];
    const failing = { ...recordingFs(log), fsyncSync: () => { throw Object.assign(new Error("EIO"), { code: "EIO" }); } };
    expect(() => writeFileAtomic(path, "new", {}, failing)).toThrow("EIO");
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["a.json"]);
    expect(log).not.toContain("rename D/a.json.TMP D/a.json");
  });

  test("mode: 0600 by default whatever the umask, given mode, or kept from the replaced file", () => {
    if (process.platform === "win32") return;
    const path = join(dir, "sub", "a.json");
    const old = process.umask(0o077);
    try {
      writeFileAtomic(path, "1");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "sub")).mode & 0o777).toBe(0o700);
      writeFileAtomic(path, "2", { mode: 0o644 });
      expect(statSync(path).mode & 0o777).toBe(0o644);
      fs.chmodSync(path, 0o640);
      writeFileAtomic(path, "3", { keepMode: true, mode: 0o600 });
      expect(statSync(path).mode & 0o777).toBe(0o640);
      writeFileAtomic(join(dir, "new.json"), "4", { keepMode: true, mode: 0o604 });
      expect(statSync(join(dir, "new.json")).mode & 0o777).toBe(0o604);
    } finally {
      process.umask(old);
    }
  });

  test("replaces a symlink, or writes through it with followSymlink", () => {
    if (process.platform === "win32") return;
    const real = join(dir, "real.json");
    writeFileSync(real, "real");
    const link = join(dir, "link.json");
    symlinkSync(real, link);
    writeFileAtomic(link, "through", { followSymlink: true });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe("through");
    writeFileAtomic(link, "replaced");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(real, "utf8")).toBe("through");
  });

  test("a process killed after the temp file is synced but before the rename leaves the old content", async () => {
    const path = join(dir, "state.json");
    writeFileSync(path, "old");
    const script = `import { writeFileAtomic } from ${JSON.stringify(join(import.meta.dir, "../../src/util/atomic-write.ts"))};
      writeFileAtomic(${JSON.stringify(path)}, "new", { beforeRename: () => process.kill(process.pid, "SIGKILL") });
      console.log("not reached");`;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
    expect(await child.exited).not.toBe(0);
    expect(child.signalCode).toBe("SIGKILL");
    expect(await new Response(child.stdout).text()).toBe("");
    expect(readFileSync(path, "utf8")).toBe("old");
    // The synced temp file is what a crash leaves: complete, and named so an owner can clear it.
    const temps = readdirSync(dir).filter((n) => n.endsWith(".tmp"));
    expect(temps.length).toBe(1);
    expect(readFileSync(join(dir, temps[0]!), "utf8")).toBe("new");
  });
});

describe("writeFileAtomicAsync", () => {
  test("fsyncs the temp file before the rename and the folder after it", async () => {
    const log: string[] = [];
    const name = (p: unknown) => String(p).replace(dir, "D").replace(/\.\d+\.[0-9a-f]+\.tmp$/, ".TMP");
    const recording: AtomicWriteFsAsync = {
      ...fsp,
      open: (async (p: string, flags: string, mode?: number) => {
        const fh = await fsp.open(p, flags, mode);
        log.push(`open ${name(p)}`);
        return {
          chmod: (m: number) => fh.chmod(m),
          writeFile: (d: string | Uint8Array) => (log.push(`write ${name(p)}`), fh.writeFile(d)),
          sync: () => (log.push(`fsync ${name(p)}`), fh.sync()),
          close: () => (log.push(`close ${name(p)}`), fh.close()),
        };
      }) as unknown as AtomicWriteFsAsync["open"],
      rename: async (a, b) => {
        log.push(`rename ${name(a)} ${name(b)}`);
        await fsp.rename(a, b);
      },
    };
    await writeFileAtomicAsync(join(dir, "k.json"), "v", {}, recording);
    expect(log).toEqual(["open D/k.json.TMP", "write D/k.json.TMP", "fsync D/k.json.TMP", "close D/k.json.TMP", "rename D/k.json.TMP D/k.json", "open D", "fsync D", "close D"]);
    expect(readFileSync(join(dir, "k.json"), "utf8")).toBe("v");
  });

  test("many concurrent writes to one file: one complete version wins, no temp files left", async () => {
    const path = join(dir, "c.json");
    const versions = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(2000) }));
    await Promise.all(versions.map((v) => writeFileAtomicAsync(path, v)));
    expect(versions).toContain(readFileSync(path, "utf8"));
    expect(readdirSync(dir)).toEqual(["c.json"]);
  });
});

test("createDirs:false fails when the folder is gone instead of recreating it", async () => {
  const gone = join(dir, "gone", "a.json");
  expect(() => writeFileAtomic(gone, "x", { createDirs: false })).toThrow(/ENOENT/);
  await expect(writeFileAtomicAsync(gone, "x", { createDirs: false })).rejects.toThrow(/ENOENT/);
  expect(readdirSync(dir)).toEqual([]);
});
