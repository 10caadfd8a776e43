import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chunkMarkdown, MemoryIndex, MemoryQueryError, parseQuery, readMemoryFile } from "../../src/memory/index.ts";
import { openStateDb, type StateDb } from "../../src/store/state-db.ts";

let dir: string;
let outside: string;
let db: StateDb;
let index: MemoryIndex;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "mem-ws-")));
  outside = realpathSync(mkdtempSync(join(tmpdir(), "mem-out-")));
  db = openStateDb(":memory:");
  index = new MemoryIndex(db.db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const write = (rel: string, text: string) => {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const search = (q: string, max = 10) => index.search(dir, parseQuery(q), max);
// Moves a file's mtime out of the racy window so the stat comparison alone decides.
const age = (rel: string, secondsAgo = 60) => {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(join(dir, rel), t, t);
};

describe("chunkMarkdown", () => {
  test("headings start chunks; ranges skip blank edges and are 1-based inclusive", () => {
    const text = ["", "# A", "alpha", "", "## B", "beta", "beta2", "", ""].join("\n");
    expect(chunkMarkdown(text)).toEqual([
      { startLine: 2, endLine: 3, text: "# A\nalpha" },
      { startLine: 5, endLine: 7, text: "## B\nbeta\nbeta2" },
    ]);
  });

  test("long sections break at a blank line after the target and are cut at the maximum", () => {
    const para = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w} ${i}`);
    const text = [...para(25, "x"), "", ...para(50, "y")].join("\n");
    const chunks = chunkMarkdown(text);
    expect(chunks.map((c) => [c.startLine, c.endLine])).toEqual([
      [1, 25],
      [27, 65],
      [66, 76],
    ]);
    for (const c of chunks) {
      expect(c.text.split("\n").length).toBe(c.endLine - c.startLine + 1);
      expect(c.endLine - c.startLine + 1).toBeLessThanOrEqual(40);
    }
  });

  test("a # line inside a code fence is not a heading", () => {
    const text = ["# Title", "```sh", "# comment", "echo hi", "```", "after"].join("\n");
    expect(chunkMarkdown(text)).toHaveLength(1);
  });

  test("CRLF files count lines like LF files", () => {
    expect(chunkMarkdown("# A\r\none\r\n\r\n# B\r\ntwo\r\n").map((c) => [c.startLine, c.endLine, c.text])).toEqual([
      [1, 2, "# A\none"],
      [4, 5, "# B\ntwo"],
    ]);
  });
});

describe("parseQuery", () => {
  test("FTS syntax in the input becomes quoted words", () => {
    expect(parseQuery("NEAR(a b)").match).toBe('"near" OR "a" OR "b"');
    expect(parseQuery("title:secret AND -x ^y").match).toBe('"title" OR "secret" OR "and" OR "x" OR "y"');
    expect(parseQuery('window "aisle seat" pref*').match).toBe('"window" OR "aisle seat" OR "pref"*');
    expect(parseQuery('"unbalanced quote').match).toBe('"unbalanced" OR "quote"');
  });

  test("inputs without words are a clear error, never an FTS error", () => {
    for (const q of ['"', "*", "", "   ", "()", '""', "NEAR(", "^*:-"]) {
      if (q === "NEAR(") continue;
      expect(() => parseQuery(q)).toThrow(MemoryQueryError);
    }
    expect(() => parseQuery("")).toThrow("query is empty");
    expect(() => parseQuery("*")).toThrow("no words to search for");
    expect(() => parseQuery("x".repeat(3000))).toThrow("too long");
    expect(() => parseQuery(42)).toThrow("must be a string");
  });

  test("weird queries run against a real index without an error", () => {
    write("MEMORY.md", "near and or not\n");
    index.sync(dir);
    for (const q of ["NEAR(", "near(and", "a OR", "AND", "NOT not", "col:near", "{near}", "near*", "'near'", "nea*r", "\\near"]) {
      expect(() => search(q)).not.toThrow();
    }
    expect(search("NEAR(")[0]?.path).toBe("MEMORY.md");
  });
});

describe("MemoryIndex", () => {
  test("indexes MEMORY.md, memory.md and memory/**.md, nothing else", () => {
    write("MEMORY.md", "# Prefs\nThe user prefers window seats.\n");
    write("memory.md", "lowercase file mentions zebra\n");
    write("memory/2026-01-02.md", "Booked a flight to Lisbon.\n");
    write("memory/deep/er/notes.md", "deep note about quokka\n");
    write("memory/skip.txt", "not markdown quokka\n");
    write("notes.md", "outside memory quokka\n");
    write("memory/.hidden/h.md", "hidden quokka\n");
    const report = index.sync(dir);
    expect(report.added).toBe(4);
    expect(search("quokka").map((h) => h.path)).toEqual(["memory/deep/er/notes.md"]);
    // The matching line with its heading as context.
    expect(search("window seats")[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, endLine: 2, snippet: "# Prefs\nThe user prefers window seats." });
    expect(search("zebra")[0]?.path).toBe("memory.md");
  });

  test("ranking: more and rarer query words rank first (BM25), scores descend", () => {
    write("memory/a.md", "coffee coffee tea\n");
    write("memory/b.md", "coffee espresso barista\n");
    write("memory/c.md", "tea only\n");
    for (let i = 0; i < 10; i++) write(`memory/filler${i}.md`, `coffee filler ${i}\n`);
    index.sync(dir);
    const hits = search("espresso barista coffee");
    expect(hits[0]?.path).toBe("memory/b.md");
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(search("zzz-nothing")).toEqual([]);
  });

  test("words in most chunks do not pad the results when the query has rarer ones; alone they still match", () => {
    for (let i = 0; i < 9; i++) write(`memory/n${i}.md`, `the daily note ${i}\n`);
    write("memory/trip.md", "the trip to Porto\n");
    index.sync(dir);
    expect(search("the porto").map((h) => h.path)).toEqual(["memory/trip.md"]);
    expect(search("the")).toHaveLength(10);
    expect(parseQuery("the porto").terms).toEqual(['"the"', '"porto"']);
  });

  test("snippet line ranges point at the matching lines of the file", () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i + 1} filler`);
    lines[44] = "the passport number is kept in the drawer";
    write("memory/long.md", `${lines.join("\n")}\n`);
    index.sync(dir);
    const [hit] = search("passport drawer");
    expect(hit).toBeDefined();
    expect(hit!.snippet).toContain("passport number");
    expect(hit!.startLine).toBeLessThanOrEqual(45);
    expect(hit!.endLine).toBeGreaterThanOrEqual(45);
    const got = readMemoryFile(dir, hit!.path, hit!.startLine, hit!.endLine - hit!.startLine + 1);
    expect(got.text).toBe(hit!.snippet);
  });

  test("incremental: unchanged files are not read again; edits and deletions apply", () => {
    write("memory/a.md", "apple\n");
    write("memory/b.md", "banana\n");
    age("memory/a.md");
    age("memory/b.md");
    expect(index.sync(dir)).toMatchObject({ added: 2, updated: 0, removed: 0 });
    expect(index.plan(dir).changed).toEqual([]);
    expect(index.sync(dir)).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 0 });

    write("memory/a.md", "apricot\n");
    expect(index.sync(dir)).toMatchObject({ updated: 1 });
    expect(search("apple")).toEqual([]);
    expect(search("apricot")[0]?.path).toBe("memory/a.md");

    rmSync(join(dir, "memory/b.md"));
    expect(index.sync(dir)).toMatchObject({ removed: 1 });
    expect(search("banana")).toEqual([]);
    expect(index.totals(dir)).toMatchObject({ files: 1, chunks: 1 });
    // The FTS index holds exactly the chunks left (external content kept in step by the triggers).
    expect(db.db.query("SELECT COUNT(*) AS n FROM memory_fts WHERE memory_fts MATCH 'banana'").get()).toEqual({ n: 0 });
  });

  test("a same-size rewrite with the same mtime is still caught (racy window)", () => {
    write("memory/a.md", "alpha\n");
    const t = Date.now() / 1000;
    utimesSync(join(dir, "memory/a.md"), t, t);
    index.sync(dir);
    write("memory/a.md", "omega\n");
    utimesSync(join(dir, "memory/a.md"), t, t);
    expect(index.sync(dir)).toMatchObject({ updated: 1 });
    expect(search("omega")[0]?.path).toBe("memory/a.md");
  });

  test("touched but identical files only record the new stat", () => {
    write("memory/a.md", "same text\n");
    index.sync(dir);
    age("memory/a.md", 30);
    expect(index.sync(dir)).toMatchObject({ unchanged: 1, updated: 0 });
    expect(index.plan(dir).changed).toEqual([]);
  });

  test("symlinks out of the workspace are not indexed; links inside are", () => {
    writeFileSync(join(outside, "secret.md"), "outside secret kiwi\n");
    mkdirSync(join(outside, "dir"));
    writeFileSync(join(outside, "dir", "x.md"), "outside folder kiwi\n");
    mkdirSync(join(dir, "memory"));
    symlinkSync(join(outside, "secret.md"), join(dir, "MEMORY.md"));
    symlinkSync(join(outside, "dir"), join(dir, "memory", "linked"));
    write("notes/inside.md", "inside link mango\n");
    symlinkSync(join(dir, "notes/inside.md"), join(dir, "memory", "inside.md"));
    index.sync(dir);
    expect(search("kiwi")).toEqual([]);
    expect(search("mango").map((h) => h.path)).toEqual(["memory/inside.md"]);
  });

  test("binary and oversized files are skipped with a reason", () => {
    write("memory/bin.md", "abc\0def");
    write("memory/ok.md", "fine\n");
    const report = index.sync(dir);
    expect(report.added).toBe(1);
    expect(report.skipped).toEqual([{ path: "memory/bin.md", reason: "binary (NUL bytes)" }]);
  });

  test("workspaces are kept apart", () => {
    write("MEMORY.md", "shared word papaya\n");
    writeFileSync(join(outside, "MEMORY.md"), "other papaya\n");
    index.sync(dir);
    index.sync(outside);
    expect(index.search(outside, parseQuery("papaya"), 10).map((h) => h.snippet)).toEqual(["other papaya"]);
    index.clear(outside);
    expect(index.search(outside, parseQuery("papaya"), 10)).toEqual([]);
    expect(search("papaya")).toHaveLength(1);
  });
});

describe("readMemoryFile", () => {
  test("reads a line window of a memory file", () => {
    write("memory/d.md", "one\ntwo\nthree\nfour\n");
    expect(readMemoryFile(dir, "memory/d.md", 2, 2)).toEqual({ path: "memory/d.md", from: 2, to: 3, totalLines: 4, text: "two\nthree" });
    expect(readMemoryFile(dir, "memory/d.md").text).toBe("one\ntwo\nthree\nfour");
    expect(() => readMemoryFile(dir, "memory/d.md", 9)).toThrow("past the end");
  });

  test("refuses anything that is not a memory file of the workspace", () => {
    write("AGENTS.md", "x\n");
    write("memory/a.md", "x\n");
    writeFileSync(join(outside, "s.md"), "secret\n");
    symlinkSync(join(outside, "s.md"), join(dir, "memory", "out.md"));
    symlinkSync(join(dir, "AGENTS.md"), join(dir, "memory", "agents.md"));
    expect(() => readMemoryFile(dir, "AGENTS.md")).toThrow("not a memory file");
    expect(() => readMemoryFile(dir, "../x/MEMORY.md")).toThrow("leaves the workspace");
    expect(() => readMemoryFile(dir, "memory/../AGENTS.md")).toThrow("not a memory file");
    expect(() => readMemoryFile(dir, join(outside, "s.md"))).toThrow();
    expect(() => readMemoryFile(dir, "memory/out.md")).toThrow("outside the workspace");
    expect(() => readMemoryFile(dir, "memory/agents.md")).toThrow("not a memory file");
    expect(() => readMemoryFile(dir, "memory/missing.md")).toThrow("no such file");
  });
});
