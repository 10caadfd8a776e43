/**
 * The symlink-safe workspace resolver: `..`, absolute paths and symlinks out are refused, allowOutside
 * widens the roots, missing tails are fine, and a file swapped for a symlink after the check is not read.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openInWorkspace, readInWorkspace, recheckWorkspacePath, resolveWorkspacePath, WorkspacePathError } from "../../src/util/workspace-path.ts";

let base: string;
let ws: string;
let outside: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-wspath-")));
  ws = join(base, "ws");
  outside = join(base, "outside");
  mkdirSync(join(ws, "sub"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(ws, "a.txt"), "inside");
  writeFileSync(join(outside, "secret.txt"), "secret");
  symlinkSync(outside, join(ws, "out-dir"));
  symlinkSync(join(outside, "secret.txt"), join(ws, "out-file"));
  symlinkSync(join(ws, "a.txt"), join(ws, "in-link"));
  symlinkSync(join(ws, "missing-target"), join(ws, "dangling"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const refused = (input: string, msg: string | RegExp, opts = {}) => expect(() => resolveWorkspacePath(ws, input, opts)).toThrow(msg);

describe("resolveWorkspacePath", () => {
  test("relative paths inside resolve to real paths; missing tails are allowed", () => {
    expect(resolveWorkspacePath(ws, "a.txt")).toEqual({ path: join(ws, "a.txt"), display: "a.txt", exists: true });
    expect(resolveWorkspacePath(ws, "sub/../a.txt").path).toBe(join(ws, "a.txt"));
    expect(resolveWorkspacePath(ws, "new/deep/file.md")).toEqual({ path: join(ws, "new/deep/file.md"), display: "new/deep/file.md", exists: false });
    expect(resolveWorkspacePath(ws, "./")).toMatchObject({ path: ws, display: "" });
    // An absolute path that stays inside is the same file.
    expect(resolveWorkspacePath(ws, join(ws, "a.txt")).display).toBe("a.txt");
  });

  test("'..' out, absolute paths out, NUL, empty and ~ are refused", () => {
    refused("../outside/secret.txt", "leaves the workspace");
    refused("sub/../../outside/secret.txt", "leaves the workspace");
    refused("/etc/passwd", "absolute paths outside the workspace are refused");
    refused(join(outside, "secret.txt"), "absolute paths outside the workspace are refused");
    refused("a\0b", "NUL");
    refused("", "empty");
    refused("~/x", "not supported");
    expect(() => resolveWorkspacePath(ws, "../x")).toThrow(WorkspacePathError);
  });

  test("symlinks count by their target: out is refused (dir, file, below a link), in is fine", () => {
    refused("out-dir/secret.txt", "resolves outside the workspace");
    refused("out-dir", "resolves outside the workspace");
    refused("out-file", "resolves outside the workspace");
    refused("out-dir/new-file.txt", "resolves outside the workspace");
    refused("out-dir/newdir/x.txt", "resolves outside the workspace");
    refused("dangling", "symlink to a missing target");
    expect(resolveWorkspacePath(ws, "in-link")).toMatchObject({ path: join(ws, "a.txt"), display: "a.txt" });
  });

  test("noSymlinks refuses every symlink below the root, even one that stays inside; plain paths are unchanged", () => {
    const opts = { noSymlinks: true };
    refused("in-link", "passes through a symlink", opts);
    refused("out-dir/secret.txt", "passes through a symlink", opts);
    refused("dangling", "passes through a symlink", opts);
    refused("out-dir/new-file.txt", "passes through a symlink", opts);
    refused("../outside/secret.txt", "leaves the workspace", opts);
    expect(resolveWorkspacePath(ws, "a.txt", opts)).toEqual({ path: join(ws, "a.txt"), display: "a.txt", exists: true });
    expect(resolveWorkspacePath(ws, "sub/new.txt", opts)).toMatchObject({ path: join(ws, "sub/new.txt"), exists: false });
  });

  test("allowOutside widens the roots (relative through a link, or absolute)", () => {
    const opts = { allowOutside: [outside] };
    expect(resolveWorkspacePath(ws, "out-dir/secret.txt", opts).path).toBe(join(outside, "secret.txt"));
    expect(resolveWorkspacePath(ws, join(outside, "secret.txt"), opts)).toMatchObject({ path: join(outside, "secret.txt"), display: join(outside, "secret.txt") });
    refused("/etc/passwd", "absolute paths outside", opts);
    // A folder that does not exist widens nothing.
    refused(join(base, "nope", "x"), "absolute paths outside", { allowOutside: [join(base, "nope")] });
  });
});

describe("opening after the check", () => {
  test("readInWorkspace reads a checked file, capped", () => {
    const r = resolveWorkspacePath(ws, "a.txt");
    expect(readInWorkspace(ws, r, 3)).toEqual({ data: Buffer.from("ins"), truncated: true, size: 6 });
  });

  test("a file swapped for a symlink out between check and open is refused, not read", () => {
    const victim = join(ws, "race.txt");
    writeFileSync(victim, "harmless");
    const checked = resolveWorkspacePath(ws, "race.txt");
    // The race: after the check, the file becomes a symlink to a secret outside.
    rmSync(victim);
    symlinkSync(join(outside, "secret.txt"), victim);
    expect(() => openInWorkspace(ws, checked)).toThrow("became a symlink after it was checked");
  });

  test("a folder swapped for a symlink out between check and open is refused", () => {
    mkdirSync(join(ws, "dir2"));
    writeFileSync(join(ws, "dir2", "f.txt"), "ok");
    writeFileSync(join(outside, "f.txt"), "secret");
    const checked = resolveWorkspacePath(ws, "dir2/f.txt");
    renameSync(join(ws, "dir2"), join(ws, "dir2-old"));
    symlinkSync(outside, join(ws, "dir2"));
    expect(() => openInWorkspace(ws, checked)).toThrow(WorkspacePathError);
    expect(() => recheckWorkspacePath(ws, checked.path)).toThrow("changed while in use");
  });

  test("an unchanged file opens", () => {
    const fd = openInWorkspace(ws, resolveWorkspacePath(ws, "a.txt"));
    closeSync(fd);
  });
});
