/**
 * `apply_patch`: applies a multi-file patch in the `*** Begin Patch` / `*** End Patch` format (Add File,
 * Update File with `@@` context hunks and an optional Move to, Delete File) to the workspace, all or
 * nothing: every path and hunk is checked and every new content computed before the first write, and a
 * write that fails part-way restores what was already written.
 */
import { rmSync } from "node:fs";
import { Type as T } from "@sinclair/typebox";
import type { ResolvedWorkspacePath } from "../../util/workspace-path.ts";
import { readWholeText, resolveIn, writeInWorkspace } from "./_fs.ts";
import { defineTool } from "./define.ts";
import type { ToolWorkspace } from "./types.ts";

/** One file operation of a patch. */
export type PatchOp =
  | { kind: "add"; path: string; lines: string[] }
  | { kind: "delete"; path: string }
  | { kind: "update"; path: string; moveTo?: string; hunks: PatchHunk[] };

/** One `@@` hunk: an optional anchor line, then context/remove/add lines. */
export interface PatchHunk {
  anchor?: string;
  lines: { op: " " | "-" | "+"; text: string }[];
  /** `*** End of File`: the hunk's old lines end the file. */
  atEnd: boolean;
}

/** The `apply_patch` tool. */
export const applyPatchTool = defineTool({
  name: "apply_patch",
  description: [
    "Apply a patch to workspace files, all or nothing. Format:",
    "*** Begin Patch",
    "*** Add File: <path>  (then every line prefixed with +)",
    "*** Update File: <path>  (optionally followed by *** Move to: <new path>; then hunks: a line starting with @@ (optionally followed by a line of context to find), then lines prefixed with ' ' (context), '-' (remove) or '+' (add))",
    "*** Delete File: <path>",
    "*** End Patch",
  ].join("\n"),
  group: "fs",
  http: false,
  needs: ["workspace"],
  parameters: T.Object({ patch: T.String({ minLength: 1, description: "The whole patch, from *** Begin Patch to *** End Patch." }) }, { additionalProperties: false }),
  async execute({ patch }, { ports }) {
    const ops = parsePatch(patch);
    return applyPatch(ports.workspace, ops);
  },
});

/**
 * Parses a patch.
 * @throws Error naming the line and what was expected.
 */
export function parsePatch(text: string): PatchOp[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
  let i = 0;
  while (i < lines.length && lines[i]?.trim() === "") i++;
  if (lines[i]?.trim() !== "*** Begin Patch") throw new Error("patch must start with *** Begin Patch");
  if (lines.at(-1)?.trim() !== "*** End Patch") throw new Error("patch must end with *** End Patch");
  const end = lines.length - 1;
  i++;
  const ops: PatchOp[] = [];
  const header = (l: string, p: string) => (l.startsWith(p) ? l.slice(p.length).trim() : undefined);
  while (i < end) {
    const line = lines[i] as string;
    const add = header(line, "*** Add File: ");
    const del = header(line, "*** Delete File: ");
    const upd = header(line, "*** Update File: ");
    if (add !== undefined) {
      i++;
      const body: string[] = [];
      while (i < end && !(lines[i] as string).startsWith("*** ")) {
        const l = lines[i] as string;
        if (!l.startsWith("+")) throw new Error(`line ${i + 1}: every line of an added file starts with + (Add File: ${add})`);
        body.push(l.slice(1));
        i++;
      }
      ops.push({ kind: "add", path: need(add, i), lines: body });
    } else if (del !== undefined) {
      ops.push({ kind: "delete", path: need(del, i) });
      i++;
    } else if (upd !== undefined) {
      i++;
      let moveTo: string | undefined;
      const mv = i < end ? header(lines[i] as string, "*** Move to: ") : undefined;
      if (mv !== undefined) {
        moveTo = need(mv, i);
        i++;
      }
      const hunks: PatchHunk[] = [];
      let cur: PatchHunk | undefined;
      while (i < end) {
        const l = lines[i] as string;
        if (l === "*** End of File") {
          if (!cur) throw new Error(`line ${i + 1}: *** End of File outside a hunk`);
          cur.atEnd = true;
          i++;
          continue;
        }
        if (l.startsWith("*** ")) break;
        if (l.startsWith("@@")) {
          const anchor = l.slice(2).trim();
          cur = { ...(anchor && { anchor }), lines: [], atEnd: false };
          hunks.push(cur);
        } else {
          if (!cur) {
            // A hunk may start without @@ when it is the first one.
            cur = { lines: [], atEnd: false };
            hunks.push(cur);
          }
          const op = l === "" ? " " : l[0];
          if (op !== " " && op !== "-" && op !== "+") throw new Error(`line ${i + 1}: hunk lines start with ' ', '-' or '+' (Update File: ${upd})`);
          cur.lines.push({ op, text: l === "" ? "" : l.slice(1) });
        }
        i++;
      }
      if (hunks.length === 0 && !moveTo) throw new Error(`Update File: ${upd}: no hunks`);
      for (const h of hunks) if (!h.lines.some((l) => l.op !== " ")) throw new Error(`Update File: ${upd}: a hunk changes nothing`);
      ops.push({ kind: "update", path: need(upd, i), ...(moveTo && { moveTo }), hunks });
    } else {
      throw new Error(`line ${i + 1}: expected *** Add File:, *** Update File:, *** Delete File: or *** End Patch, got ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  if (ops.length === 0) throw new Error("patch has no file operations");
  return ops;
}

/**
 * Applies parsed operations: checks all, computes all, then writes; on a failed write restores the files
 * already changed.
 * @returns a summary (A/M/D/R lines).
 * @throws Error naming the file and hunk that does not apply; nothing is changed then.
 */
export function applyPatch(ws: ToolWorkspace, ops: PatchOp[]): string {
  type Step = { file: ResolvedWorkspacePath; content?: string; summary: string };
  const steps: Step[] = [];
  const touched = new Set<string>();
  const claim = (file: ResolvedWorkspacePath) => {
    if (touched.has(file.path)) throw new Error(`${file.display}: named twice in one patch`);
    touched.add(file.path);
  };
  for (const op of ops) {
    const file = resolveIn(ws, op.path);
    claim(file);
    if (op.kind === "add") {
      if (file.exists) throw new Error(`Add File: ${file.display} already exists`);
      steps.push({ file, content: op.lines.length ? `${op.lines.join("\n")}\n` : "", summary: `A ${file.display}` });
    } else if (op.kind === "delete") {
      readWholeText(ws, file); // must exist, be a file, and stay inside
      steps.push({ file, summary: `D ${file.display}` });
    } else {
      const next = applyHunks(readWholeText(ws, file), op.hunks, file.display);
      if (op.moveTo) {
        const target = resolveIn(ws, op.moveTo);
        claim(target);
        if (target.exists) throw new Error(`Move to: ${target.display} already exists`);
        steps.push({ file: target, content: next, summary: `R ${file.display} -> ${target.display}` }, { file, summary: "" });
      } else {
        steps.push({ file, content: next, summary: `M ${file.display}` });
      }
    }
  }

  const undo: (() => void)[] = [];
  try {
    for (const s of steps) {
      const before = s.file.exists ? readWholeText(ws, s.file) : undefined;
      if (s.content === undefined) rmSync(s.file.path);
      else writeInWorkspace(ws, s.file, s.content);
      undo.push(() => (before === undefined ? rmSync(s.file.path, { force: true }) : writeInWorkspace(ws, { ...s.file, exists: true }, before)));
    }
  } catch (err) {
    for (const u of undo.reverse()) {
      try {
        u();
      } catch {
        // Best effort: the error below names the patch failure.
      }
    }
    throw new Error(`writing the patch failed, changes rolled back: ${(err as Error).message}`, { cause: err });
  }
  return ["Applied patch:", ...steps.map((s) => s.summary).filter(Boolean)].join("\n");
}

/**
 * Applies `hunks` to `text` in order.
 * @throws Error naming the hunk whose lines are not found.
 */
export function applyHunks(text: string, hunks: PatchHunk[], label: string): string {
  const endsWithNewline = text.endsWith("\n");
  const lines = text === "" ? [] : text.split("\n");
  if (endsWithNewline) lines.pop();
  const edits: { at: number; remove: number; insert: string[] }[] = [];
  let cursor = 0;
  hunks.forEach((h, n) => {
    if (h.anchor !== undefined) {
      const a = findSeq(lines, [h.anchor], cursor, false);
      if (a < 0) throw new Error(`${label}: hunk ${n + 1}: context line not found: ${JSON.stringify(h.anchor)}`);
      cursor = a + 1;
    }
    const old = h.lines.filter((l) => l.op !== "+").map((l) => l.text);
    const add = h.lines.filter((l) => l.op !== "-").map((l) => l.text);
    let at: number;
    if (old.length === 0) at = h.atEnd || h.anchor === undefined ? lines.length : cursor;
    else at = findSeq(lines, old, cursor, h.atEnd);
    if (at < 0) throw new Error(`${label}: hunk ${n + 1}: lines not found:\n${old.slice(0, 8).join("\n")}`);
    edits.push({ at, remove: old.length, insert: add });
    cursor = at + old.length;
  });
  for (const e of edits.reverse()) lines.splice(e.at, e.remove, ...e.insert);
  // A file that ended without a newline keeps ending without one; an empty file gets one after new lines.
  return lines.length === 0 ? "" : lines.join("\n") + (endsWithNewline || text === "" ? "\n" : "");
}

// --- internal ---

/** Index of `seq` in `lines` from `from`: exact first, then ignoring trailing, then surrounding whitespace. */
function findSeq(lines: string[], seq: string[], from: number, atEnd: boolean): number {
  const norms = [(s: string) => s, (s: string) => s.trimEnd(), (s: string) => s.trim()];
  for (const norm of norms) {
    const want = seq.map(norm);
    const starts = atEnd ? [lines.length - seq.length] : range(from, lines.length - seq.length + 1);
    for (const s of starts) if (s >= 0 && want.every((w, k) => norm(lines[s + k] as string) === w)) return s;
  }
  return -1;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

function need(path: string, line: number): string {
  if (!path) throw new Error(`line ${line}: missing file path`);
  return path;
}
