/**
 * The embedded A2UI host page: the committed assets match a fresh build, and the page needs nothing its CSP
 * (`script-src 'self'; style-src 'self'`) forbids: no inline scripts, styles or handlers.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { A2UI_ASSETS } from "../../src/canvas/a2ui/generated/assets.ts";

const root = resolve(import.meta.dir, "../..");

test("the embedded A2UI bundle is up to date with src/canvas/a2ui/app (run `bun run a2ui:build`)", () => {
  const out = mkdtempSync(join(tmpdir(), "openclaw-a2ui-"));
  const p = Bun.spawnSync([process.execPath, "run", "src/canvas/a2ui/build.ts", "--out", out], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(p.exitCode).toBe(0);
  expect(readFileSync(join(out, "assets.ts"), "utf8")).toBe(readFileSync(join(root, "src/canvas/a2ui/generated/assets.ts"), "utf8"));
});

test("the assets are the page, its classic-script bundle and its stylesheet", () => {
  expect(Object.keys(A2UI_ASSETS).sort()).toEqual(["a2ui.bundle.js", "a2ui.css", "index.html"]);
  expect(A2UI_ASSETS["index.html"].type).toBe("text/html; charset=utf-8");
  expect(A2UI_ASSETS["a2ui.bundle.js"].type).toBe("text/javascript; charset=utf-8");
  expect(A2UI_ASSETS["a2ui.css"].type).toBe("text/css; charset=utf-8");
  // An IIFE, not a module: the page loads it with a plain <script src>.
  expect(A2UI_ASSETS["a2ui.bundle.js"].body).not.toMatch(/^\s*(import|export)\s/m);
});

test("the HTML has no inline script or style, and loads its assets by relative URL", () => {
  const html = A2UI_ASSETS["index.html"].body;
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  expect(scripts.map((m) => [m[1].trim(), m[2].trim()])).toEqual([['src="a2ui.bundle.js"', ""]]);
  expect(html).not.toMatch(/<style\b/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:/i);
  expect(html).toContain('<link rel="stylesheet" href="a2ui.css">');
  for (const hook of ['<canvas id="openclaw-canvas">', 'id="openclaw-status"', 'id="openclaw-status-title"', 'id="openclaw-status-subtitle"', "<openclaw-a2ui-host></openclaw-a2ui-host>"]) {
    expect(html).toContain(hook);
  }
});

test("the bundle never parses strings as HTML nor creates style elements", () => {
  const js = A2UI_ASSETS["a2ui.bundle.js"].body;
  for (const forbidden of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", 'createElement("style")']) {
    expect(js).not.toContain(forbidden);
  }
});
