import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { previousPath, rollBack, stagingPath, swapInto } from "../../src/release/swap.ts";

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "openclaw-swap-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("swap", () => {
  test("names: .prev next to the binary (before .exe), staging hidden in the same folder", () => {
    expect(previousPath("/x/bin/openclaw")).toBe("/x/bin/openclaw.prev");
    expect(previousPath("C:/x/openclaw.exe")).toBe("C:/x/openclaw.prev.exe");
    expect(stagingPath("/x/bin/openclaw")).toMatch(/^\/x\/bin\/\.openclaw\.new-\d+-[a-z0-9]+$/);
    expect(stagingPath("C:/x/openclaw.exe")).toMatch(/\.openclaw\.new-\d+-[a-z0-9]+\.exe$/);
  });

  test("first install: the staged file just moves in, executable", () => {
    const d = dir();
    const target = join(d, "openclaw");
    const staged = stagingPath(target);
    writeFileSync(staged, "new");
    expect(swapInto(staged, target)).toBeUndefined();
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(statSync(target).mode & 0o111).not.toBe(0);
    expect(readdirSync(d)).toEqual(["openclaw"]);
  });

  test("upgrade keeps the old file as .prev (same inode), rollBack restores it and keeps .prev", () => {
    const d = dir();
    const target = join(d, "openclaw");
    writeFileSync(target, "old", { mode: 0o755 });
    const oldInode = statSync(target).ino;
    const staged = stagingPath(target);
    writeFileSync(staged, "new");
    expect(swapInto(staged, target)).toBe(`${target}.prev`);
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(statSync(`${target}.prev`).ino).toBe(oldInode);
    expect(readdirSync(d).sort()).toEqual(["openclaw", "openclaw.prev"]);

    rollBack(target);
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(readFileSync(`${target}.prev`, "utf8")).toBe("old");
    expect(readdirSync(d).sort()).toEqual(["openclaw", "openclaw.prev"]);
  });

  test("rollBack without a previous binary throws and changes nothing", () => {
    const d = dir();
    const target = join(d, "openclaw");
    writeFileSync(target, "only");
    expect(() => rollBack(target)).toThrow("no previous binary");
    expect(readFileSync(target, "utf8")).toBe("only");
    expect(existsSync(`${target}.prev`)).toBe(false);
  });
});
