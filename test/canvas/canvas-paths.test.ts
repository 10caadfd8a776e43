/**
 * resolveCanvasPath, the canvas host's file lookup, on a real temp tree: it goes through the shared
 * symlink-safe resolver (with symlinks refused outright), so a symlink leading out of the root (as the file,
 * as a folder on the way, or as a folder's index.html) is refused with 403, a dangling one too, and so is one
 * that stays inside.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveCanvasPath } from "../../src/canvas/host.ts";

let base: string;
let root: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-canvas-paths-")));
  root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(join(outside, "site"), { recursive: true });
  writeFileSync(join(outside, "secret.txt"), "outside");
  writeFileSync(join(outside, "site", "index.html"), "<p>outside</p>");
  writeFileSync(join(root, "index.html"), "<p>root</p>");
  writeFileSync(join(root, "sub", "page.html"), "<p>page</p>");
  symlinkSync(join(outside, "secret.txt"), join(root, "link.txt"));
  symlinkSync(outside, join(root, "out"));
  mkdirSync(join(root, "shell"));
  symlinkSync(join(outside, "site", "index.html"), join(root, "shell", "index.html"));
  symlinkSync(join(base, "gone.txt"), join(root, "dangling.txt"));
  symlinkSync(join(root, "sub", "page.html"), join(root, "alias.html"));
  symlinkSync(join(root, "sub"), join(root, "sub-alias"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const forbidden = { status: 403, message: "forbidden" };

test("a symlink leaving the root is refused: the file, a folder on the way, a folder's index.html", () => {
  expect(resolveCanvasPath(root, "/link.txt")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/out/secret.txt")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/out/site/")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/shell/")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/dangling.txt")).toEqual(forbidden);
});

test("traversal and symlinks that stay inside are refused too; plain files are served", () => {
  expect(resolveCanvasPath(root, "/sub/%2E%2E%2F%2E%2E%2Foutside%2Fsecret.txt")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/%00x")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/%zz")).toEqual({ status: 400, message: "bad path" });
  expect(resolveCanvasPath(root, "/")).toEqual({ file: join(root, "index.html") });
  expect(resolveCanvasPath(root, "/sub/page.html")).toEqual({ file: join(root, "sub", "page.html") });
  expect(resolveCanvasPath(root, "/alias.html")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/sub-alias/page.html")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/sub-alias/")).toEqual(forbidden);
  expect(resolveCanvasPath(root, "/missing.txt")).toEqual({ status: 404, message: "not found" });
  expect(resolveCanvasPath(root, "/sub/")).toEqual({ status: 404, message: `Missing file. Create ${join(root, "index.html")}` });
});
