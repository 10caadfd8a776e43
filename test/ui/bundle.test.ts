import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

test("the embedded control UI bundle is up to date with src/ui/app (run `bun run ui:build`)", () => {
  const out = mkdtempSync(join(tmpdir(), "openclaw-ui-"));
  const root = resolve(import.meta.dir, "../..");
  const p = Bun.spawnSync([process.execPath, "run", "src/ui/build-ui.ts", "--out", out], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(p.exitCode).toBe(0);
  expect(readFileSync(join(out, "assets.ts"), "utf8")).toBe(readFileSync(join(root, "src/ui/generated/assets.ts"), "utf8"));
});
