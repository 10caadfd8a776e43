/**
 * The workspace file tools: read (line numbers, offset/limit, caps, images, binary refused), write
 * (folders, atomic, mode kept), edit (exactly one occurrence), apply_patch (add/update/delete/move, all or
 * nothing), and for each: paths that leave the workspace (.., absolute, symlinks) are refused.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentTool, buildTools } from "../../../src/agent/tools/index.ts";
import { parsePatch } from "../../../src/agent/tools/apply-patch.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { createMemoryStore } from "../../../src/store/index.ts";

let base: string;
let ws: string;
let outside: string;
let t: Record<string, AgentTool>;
const signal = new AbortController().signal;

function toolsFor(config: OpenClawConfig = { tools: { profile: "coding" } }) {
  return Object.fromEntries(buildTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "agent:main:main", workspace: ws }).map((x) => [x.name, x]));
}
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-fstools-")));
  ws = join(base, "ws");
  outside = join(base, "outside");
  mkdirSync(ws);
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "top secret\n");
  symlinkSync(outside, join(ws, "escape"));
  symlinkSync(join(outside, "secret.txt"), join(ws, "secret-link"));
  t = toolsFor();
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const file = (p: string) => readFileSync(join(ws, p), "utf8");
const call = (name: string, args: Record<string, unknown>) => t[name]!.run(args, { signal });

describe("every file tool refuses paths that leave the workspace", () => {
  test("'..', absolute outside, symlinked folder and file", async () => {
    const attempts: [string, Record<string, unknown>][] = [];
    for (const path of ["../outside/secret.txt", join(outside, "secret.txt"), "escape/secret.txt", "secret-link", "escape/new.txt"]) {
      attempts.push(["read", { path }], ["write", { path, content: "pwned" }], ["edit", { path, oldText: "top", newText: "pwned" }], ["apply_patch", { patch: `*** Begin Patch\n*** Add File: ${path}\n+pwned\n*** End Patch` }]);
    }
    for (const [name, args] of attempts) {
      const err = await call(name, args).then(() => undefined, (e: Error) => e.message);
      expect({ name, args, refused: /leaves the workspace|outside the workspace/.test(err ?? "") }).toEqual({ name, args, refused: true });
    }
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("top secret\n");
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
  });

  test("tools.fs.allowOutside widens it", async () => {
    t = toolsFor({ tools: { profile: "coding", fs: { allowOutside: [outside] } } });
    expect((await call("read", { path: join(outside, "secret.txt") })).text).toBe("1\ttop secret");
    await call("write", { path: "escape/new.txt", content: "ok" });
    expect(readFileSync(join(outside, "new.txt"), "utf8")).toBe("ok");
  });
});

describe("read", () => {
  test("numbered lines, offset/limit with a continuation note, long lines cut", async () => {
    writeFileSync(join(ws, "notes.md"), ["one", "two", "three", "four", "x".repeat(2500)].join("\n") + "\n");
    expect((await call("read", { path: "notes.md", limit: 2 })).text).toBe("1\tone\n2\ttwo\n\n[notes.md: showing lines 1-2 of 5; use offset=3 to continue]");
    expect((await call("read", { path: "notes.md", offset: 3, limit: 1 })).text).toBe("3\tthree\n\n[notes.md: showing lines 3-3 of 5; use offset=4 to continue]");
    const all = (await call("read", { path: "notes.md" })).text;
    expect(all.split("\n")[4]).toBe(`5\t${"x".repeat(2000)}… [line cut]`);
    await expect(call("read", { path: "notes.md", offset: 9 })).rejects.toThrow("offset 9 is past the end (5 lines)");
    await expect(call("read", { path: "nope.md" })).rejects.toThrow("nope.md: no such file");
    await expect(call("read", { path: "notes.md", offset: 0 })).rejects.toThrow('"offset" must be >= 1');
  });

  test("an image file comes back as the image; other binaries are refused", async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20, 1)]);
    writeFileSync(join(ws, "shot.png"), png);
    const out = await call("read", { path: "shot.png" });
    expect(out.text).toBe("shot.png: image/png image, 28 bytes");
    expect(out.images).toEqual([{ type: "image", data: png.toString("base64"), mimeType: "image/png" }]);
    writeFileSync(join(ws, "blob.bin"), Buffer.from([1, 0, 2, 3]));
    await expect(call("read", { path: "blob.bin" })).rejects.toThrow("binary file");
  });
});

describe("write", () => {
  test("creates folders, replaces atomically, keeps an existing file's mode", async () => {
    expect((await call("write", { path: "a/b/c.txt", content: "hello" })).text).toBe("Wrote 5 bytes to a/b/c.txt");
    expect(file("a/b/c.txt")).toBe("hello");
    writeFileSync(join(ws, "script.sh"), "old");
    chmodSync(join(ws, "script.sh"), 0o755);
    await call("write", { path: "script.sh", content: "new" });
    expect(file("script.sh")).toBe("new");
    expect(statSync(join(ws, "script.sh")).mode & 0o777).toBe(0o755);
    expect(readdirSync(ws).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    await expect(call("write", { path: "a", content: "x" })).rejects.toThrow("a: is a directory");
    await expect(call("write", { path: "x.txt" })).rejects.toThrow('missing required field "content"');
  });

  test("a symlink inside the workspace pointing inside is written through to its target", async () => {
    writeFileSync(join(ws, "real.txt"), "v1");
    symlinkSync(join(ws, "real.txt"), join(ws, "alias.txt"));
    await call("write", { path: "alias.txt", content: "v2" });
    expect(file("real.txt")).toBe("v2");
  });
});

describe("edit", () => {
  test("replaces exactly one occurrence; none or several are refused with the count and nothing changes", async () => {
    writeFileSync(join(ws, "todo.md"), "- milk\n- eggs\n- milk\n");
    await expect(call("edit", { path: "todo.md", oldText: "milk", newText: "oat milk" })).rejects.toThrow("oldText occurs 2 times");
    await expect(call("edit", { path: "todo.md", oldText: "bread", newText: "x" })).rejects.toThrow("oldText not found (0 occurrences)");
    expect(file("todo.md")).toBe("- milk\n- eggs\n- milk\n");
    expect((await call("edit", { path: "todo.md", oldText: "- eggs\n- milk", newText: "- eggs\n- oat milk" })).text).toBe("Edited todo.md: replaced 1 occurrence at line 2");
    expect(file("todo.md")).toBe("- milk\n- eggs\n- oat milk\n");
    await expect(call("edit", { path: "todo.md", oldText: "", newText: "x" })).rejects.toThrow('"oldText" must NOT have fewer than 1 characters');
  });
});

describe("apply_patch", () => {
  beforeEach(() => {
    writeFileSync(join(ws, "app.ts"), "import x from 'x';\n\nfunction main() {\n  const foo = 1;\n  return foo;\n}\n\nfunction other() {\n  const foo = 1;\n}\n");
    writeFileSync(join(ws, "old.txt"), "bye\n");
    writeFileSync(join(ws, "keep.txt"), "a\nb\nc\n");
  });

  test("add, update (with @@ context), delete and move in one patch", async () => {
    const patch = [
      "*** Begin Patch",
      "*** Add File: docs/new.md",
      "+# New",
      "+text",
      "*** Update File: app.ts",
      "@@ function other() {",
      "-  const foo = 1;",
      "+  const foo = 2;",
      "*** Delete File: old.txt",
      "*** Update File: keep.txt",
      "*** Move to: moved/keep.txt",
      "@@",
      " a",
      "-b",
      "+B",
      "*** End Patch",
    ].join("\n");
    expect((await call("apply_patch", { patch })).text).toBe("Applied patch:\nA docs/new.md\nM app.ts\nD old.txt\nR keep.txt -> moved/keep.txt");
    expect(file("docs/new.md")).toBe("# New\ntext\n");
    // The anchor picked the second `const foo = 1;`.
    expect(file("app.ts")).toContain("function main() {\n  const foo = 1;");
    expect(file("app.ts")).toContain("function other() {\n  const foo = 2;\n}");
    expect(existsSync(join(ws, "old.txt"))).toBe(false);
    expect(existsSync(join(ws, "keep.txt"))).toBe(false);
    expect(file("moved/keep.txt")).toBe("a\nB\nc\n");
  });

  test("all or nothing: one bad hunk and no file changes", async () => {
    const before = { app: file("app.ts"), old: file("old.txt"), keep: file("keep.txt") };
    const patch = [
      "*** Begin Patch",
      "*** Add File: created.txt",
      "+x",
      "*** Update File: app.ts",
      "@@",
      "-  const foo = 1;",
      "+  const foo = 3;",
      "*** Delete File: old.txt",
      "*** Update File: keep.txt",
      "@@",
      "-no such line",
      "+y",
      "*** End Patch",
    ].join("\n");
    await expect(call("apply_patch", { patch })).rejects.toThrow("keep.txt: hunk 1: lines not found:\nno such line");
    expect({ app: file("app.ts"), old: file("old.txt"), keep: file("keep.txt") }).toEqual(before);
    expect(existsSync(join(ws, "created.txt"))).toBe(false);
  });

  test("refused before any write: adding an existing file, deleting a missing one, moving onto a file, naming a file twice", async () => {
    const cases: [string[], string][] = [
      [["*** Add File: keep.txt", "+x"], "Add File: keep.txt already exists"],
      [["*** Delete File: ghost.txt"], "ghost.txt: no such file"],
      [["*** Update File: keep.txt", "*** Move to: old.txt", "@@", "-a", "+A"], "Move to: old.txt already exists"],
      [["*** Delete File: old.txt", "*** Delete File: old.txt"], "old.txt: named twice in one patch"],
    ];
    for (const [body, msg] of cases) {
      await expect(call("apply_patch", { patch: ["*** Begin Patch", "*** Add File: first.txt", "+1", ...body, "*** End Patch"].join("\n") })).rejects.toThrow(msg);
      expect(existsSync(join(ws, "first.txt"))).toBe(false);
    }
    expect(file("keep.txt")).toBe("a\nb\nc\n");
    expect(file("old.txt")).toBe("bye\n");
  });

  test("format errors name the line", () => {
    expect(() => parsePatch("*** Add File: x\n+1")).toThrow("patch must start with *** Begin Patch");
    expect(() => parsePatch("*** Begin Patch\n*** Add File: x\n+1")).toThrow("patch must end with *** End Patch");
    expect(() => parsePatch("*** Begin Patch\n*** Add File: x\n1\n*** End Patch")).toThrow("line 3: every line of an added file starts with +");
    expect(() => parsePatch("*** Begin Patch\n*** Frobnicate: x\n*** End Patch")).toThrow("line 2: expected *** Add File:");
    expect(() => parsePatch("*** Begin Patch\n*** End Patch")).toThrow("patch has no file operations");
    expect(() => parsePatch("*** Begin Patch\n*** Update File: a\n@@\n a\n*** End Patch")).toThrow("a hunk changes nothing");
  });

  test("a file without a final newline keeps it that way; an empty file takes added lines", async () => {
    writeFileSync(join(ws, "bare.txt"), "a\nb");
    writeFileSync(join(ws, "empty.txt"), "");
    await call("apply_patch", { patch: "*** Begin Patch\n*** Update File: bare.txt\n@@\n-b\n+c\n*** Update File: empty.txt\n@@\n+first\n*** End Patch" });
    expect(file("bare.txt")).toBe("a\nc");
    expect(file("empty.txt")).toBe("first\n");
  });

  test("*** End of File anchors a hunk at the end", async () => {
    writeFileSync(join(ws, "list.txt"), "x\ny\nx\n");
    await call("apply_patch", { patch: "*** Begin Patch\n*** Update File: list.txt\n@@\n-x\n+z\n*** End of File\n*** End Patch" });
    expect(file("list.txt")).toBe("x\ny\nz\n");
  });
});

describe("policy", () => {
  test("with no profile only read is offered; coding and full add the writers; messaging and minimal have none", () => {
    const names = (config: OpenClawConfig) => Object.keys(toolsFor(config)).filter((n) => ["read", "write", "edit", "apply_patch"].includes(n));
    expect(names({})).toEqual(["read"]);
    expect(names({ tools: { profile: "coding" } })).toEqual(["read", "write", "edit", "apply_patch"]);
    expect(names({ tools: { profile: "full" } })).toEqual(["read", "write", "edit", "apply_patch"]);
    expect(names({ tools: { profile: "messaging" } })).toEqual([]);
    expect(names({ tools: { profile: "minimal" } })).toEqual([]);
  });
});
