/**
 * Splits a Markdown memory file into chunks by line ranges: a heading starts a new chunk, a chunk ends at a
 * blank line once it has {@link CHUNK_TARGET_LINES} lines and is cut at {@link CHUNK_MAX_LINES} (or
 * {@link CHUNK_MAX_CHARS}). Headings inside fenced code blocks are not headings. Blank lines at either end of
 * a chunk are left out of its range; chunks of only blank lines are dropped.
 */

/** A chunk ends at the next blank line once it is this long. */
export const CHUNK_TARGET_LINES = 20;
/** A chunk is cut at this many lines even without a blank line. */
export const CHUNK_MAX_LINES = 40;
/** A chunk is cut before the line that would take it past this many characters (a longer line stays whole). */
export const CHUNK_MAX_CHARS = 8000;

/** One chunk: 1-based inclusive line numbers and the text of those lines. */
export interface MemoryChunk {
  startLine: number;
  endLine: number;
  text: string;
}

/** Splits `text` into chunks. Pure; never throws. `\r\n` counts as one line end. */
export function chunkMarkdown(text: string): MemoryChunk[] {
  const lines = splitLines(text);
  const chunks: MemoryChunk[] = [];
  let start = 0;
  let chars = 0;
  let content = false;
  let fence: string | undefined;
  const flush = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && isBlank(lines[s]!)) s++;
    while (e > s && isBlank(lines[e - 1]!)) e--;
    if (s < e) chunks.push({ startLine: s + 1, endLine: e, text: lines.slice(s, e).join("\n") });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    const heading = fence === undefined && /^\s{0,3}#{1,6}(\s|$)/.test(line);
    const len = i - start;
    const cut = content && ((heading && fence === undefined) || len >= CHUNK_MAX_LINES || (len >= CHUNK_TARGET_LINES && isBlank(line) && fence === undefined) || chars + line.length > CHUNK_MAX_CHARS);
    if (cut) {
      flush(i);
      start = i;
      chars = 0;
      content = false;
    }
    if (fenceMark) {
      if (fence === undefined) fence = fenceMark[0];
      else if (fenceMark[0] === fence && fenceMark.length >= 3) fence = undefined;
    }
    chars += line.length + 1;
    if (!isBlank(line)) content = true;
  }
  flush(lines.length);
  return chunks;
}

/** The content hash of a chunk's text: the key of its embeddings (with the model). */
export function chunkHash(text: string): string {
  return Bun.hash(text).toString(16);
}

/** The lines of `text` (a final line end adds no empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  return lines;
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}
