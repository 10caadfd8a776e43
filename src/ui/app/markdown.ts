/**
 * A small Markdown renderer for model output. It never produces HTML strings: the text is parsed into a
 * tree of blocks and inlines, and the tree is turned into DOM nodes whose text goes through text nodes, so
 * raw HTML in the input stays visible text. Links keep only http, https and mailto targets. Supported:
 * fenced and inline code, headings, bold/italic/strikethrough, ordered and bullet lists (nested),
 * blockquotes, pipe tables, horizontal rules, links and bare URLs; everything else is a paragraph.
 */

/** An inline piece of text. */
export type Inline =
  | { t: "text"; text: string }
  | { t: "code"; text: string }
  | { t: "em" | "strong" | "del"; children: Inline[] }
  | { t: "link"; href: string; children: Inline[] }
  | { t: "br" };

/** A block of a document. */
export type Block =
  | { t: "p"; children: Inline[] }
  | { t: "h"; level: number; children: Inline[] }
  | { t: "code"; lang: string; text: string }
  | { t: "quote"; blocks: Block[] }
  | { t: "list"; ordered: boolean; start: number; items: Block[][] }
  | { t: "table"; align: ("left" | "center" | "right" | "")[]; head: Inline[][]; rows: Inline[][][] }
  | { t: "hr" };

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
/** Columns beyond this are dropped (a table is for reading, not a layout engine). */
const MAX_COLUMNS = 32;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
/** How deep quotes and lists may nest; deeper input is shown as text (keeps recursion bounded). */
const MAX_DEPTH = 16;
/** Longest link label looked at; with the memo of failed emphasis searches, keeps parsing near linear. */
const MAX_LABEL = 1000;

/** Parses Markdown into blocks. Never throws; unfinished constructs (an open code fence) run to the end. */
export function parseMarkdown(src: string): Block[] {
  return parseBlocks(src.replace(/\r\n?/g, "\n").split("\n"), 0);
}

/**
 * The link target if it is an absolute http, https or mailto URL, else undefined (javascript:, data:,
 * relative and malformed targets are refused).
 */
export function safeHref(raw: string): string | undefined {
  const s = raw.trim();
  if (!s || /[\u0000-\u001f\u007f\s]/.test(s)) return undefined;
  try {
    const url = new URL(s);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// --- blocks ---

function parseBlocks(lines: string[], depth: number): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const mark = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !isClosingFence(lines[i], mark)) body.push(lines[i++]);
      i++; // the closing fence (or past the end)
      out.push({ t: "code", lang: fence[2].replace(/[^\w+#.-]/g, ""), text: body.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push({ t: "h", level: heading[1].length, children: parseInlines(heading[2] ?? "") });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push({ t: "hr" });
      i++;
      continue;
    }
    if (depth < MAX_DEPTH && QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim() && (QUOTE.test(lines[i]) || (body.length > 0 && !startsBlock(lines[i])))) body.push(lines[i++].replace(QUOTE, ""));
      out.push({ t: "quote", blocks: parseBlocks(body, depth + 1) });
      continue;
    }
    if (isTableStart(lines, i)) {
      const head = splitRow(line);
      const align = splitRow(lines[i + 1]).map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : ""));
      const rows: Inline[][][] = [];
      i += 2;
      while (i < lines.length && lines[i].trim() && lines[i].includes("|") && !startsBlock(lines[i])) {
        const cells = splitRow(lines[i++]);
        rows.push(head.map((_, k) => parseInlines(cells[k] ?? "")));
      }
      out.push({ t: "table", align, head: head.map((c) => parseInlines(c)), rows });
      continue;
    }
    const item = ITEM.exec(line);
    if (depth < MAX_DEPTH && item && (item[4].trim() || isListItem(lines[i + 1] ?? ""))) {
      i = parseList(lines, i, depth, out);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() && (para.length === 0 || (!startsBlock(lines[i]) && !isTableStart(lines, i)))) para.push(lines[i++].trim());
    out.push({ t: "p", children: parseInlines(para.join("\n")) });
  }
  return out;
}

function parseList(lines: string[], start: number, depth: number, out: Block[]): number {
  const first = ITEM.exec(lines[start]) as RegExpExecArray;
  const ordered = /\d/.test(first[2]);
  const kind = (m: RegExpExecArray) => (/\d/.test(m[2]) ? m[2].slice(-1) : m[2]);
  const items: Block[][] = [];
  let i = start;
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || kind(m) !== kind(first)) break;
    const indent = m[1].length + m[2].length + Math.min(Math.max(m[3].length, 1), 4);
    const body = [m[4]];
    i++;
    while (i < lines.length) {
      const line = lines[i];
      if (!line.trim()) {
        // a blank line continues the item only when indented content follows
        const next = lines.slice(i + 1).find((l) => l.trim());
        if (next !== undefined && leadingSpaces(next) >= indent) {
          body.push("");
          i++;
          continue;
        }
        break;
      }
      if (leadingSpaces(line) >= indent) body.push(line.slice(indent));
      else if (body[body.length - 1] !== "" && !startsBlock(line)) body.push(line.trim()); // lazy continuation
      else break;
      i++;
    }
    items.push(parseBlocks(body, depth + 1));
    // blank lines between items of the same list
    let j = i;
    while (j < lines.length && !lines[j].trim()) j++;
    const next = j < lines.length ? ITEM.exec(lines[j]) : null;
    if (j > i && next && kind(next) === kind(first) && next[1].length === first[1].length) i = j;
  }
  out.push({ t: "list", ordered, start: ordered ? Number.parseInt(first[2], 10) : 1, items });
  return i;
}

/** A header row followed by a delimiter row (`|---|:-:|`) with as many cells. */
function isTableStart(lines: string[], i: number): boolean {
  const line = lines[i];
  const next = lines[i + 1] ?? "";
  if (!line.includes("|") || !next.includes("-") || !TABLE_DELIMITER.test(next)) return false;
  const n = splitRow(line).length;
  return n === splitRow(next).length && (n > 1 || line.trim().startsWith("|"));
}

/** The cells of a `| a | b |` row, trimmed; `\|` stays in its cell. */
function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith("|")) t = t.slice(1);
  if (t.endsWith("|") && !t.endsWith("\\|")) t = t.slice(0, -1);
  const cells: string[] = [];
  let cur = "";
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "\\" && t[i + 1] === "|") {
      cur += "|";
      i++;
    } else if (t[i] === "|") {
      cells.push(cur.trim());
      cur = "";
    } else cur += t[i];
  }
  cells.push(cur.trim());
  return cells.slice(0, MAX_COLUMNS);
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || RULE.test(line) || isListItem(line);
}

function isListItem(line: string): boolean {
  const m = ITEM.exec(line);
  return !!m && m[4].trim() !== "";
}

function isClosingFence(line: string, mark: string): boolean {
  const t = line.trim();
  return t.length >= mark.length && t[0] === mark[0] && new RegExp(`^\\${mark[0]}+$`).test(t) && leadingSpaces(line) < 4;
}

function leadingSpaces(line: string): number {
  return /^ */.exec(line)?.[0].length ?? 0;
}

// --- inlines ---

/** Parses inline Markdown (code spans, emphasis, links, bare URLs, hard line breaks). */
export function parseInlines(src: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", text });
    text = "";
  };
  const push = (node: Inline) => {
    flush();
    out.push(node);
  };
  // delimiter kinds ("*2", "_1") whose closing run was not found: later openers of that kind will not find one either
  const noCloser = new Set<string>();
  const lastBracket = src.lastIndexOf("]");
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length && /[!-/:-@[-`{-~]/.test(src[i + 1])) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === "\n") {
      push({ t: "br" });
      i++;
      continue;
    }
    if (c === "`") {
      const run = runLength(src, i, "`");
      const close = findCodeClose(src, i + run, run);
      if (close >= 0) {
        let code = src.slice(i + run, close).replace(/\n/g, " ");
        if (code.length > 2 && code.startsWith(" ") && code.endsWith(" ") && code.trim()) code = code.slice(1, -1);
        push({ t: "code", text: code });
        i = close + run;
      } else {
        text += src.slice(i, i + run);
        i += run;
      }
      continue;
    }
    if (depth < MAX_DEPTH && i < lastBracket && (c === "[" || (c === "!" && src[i + 1] === "["))) {
      const link = parseLink(src, c === "!" ? i + 1 : i);
      if (link) {
        const children = parseInlines(link.label, depth + 1);
        const href = safeHref(link.href);
        // an unsafe target keeps only its label, as plain text; an image becomes a link to it (no remote loads)
        if (href) push({ t: "link", href, children: children.length > 0 ? children : [{ t: "text", text: href }] });
        else {
          flush();
          out.push(...children);
        }
        i = link.end;
        continue;
      }
    }
    if (c === "<") {
      const m = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(src.slice(i));
      const href = m && safeHref(m[1]);
      if (m && href) {
        push({ t: "link", href, children: [{ t: "text", text: m[1] }] });
        i += m[0].length;
        continue;
      }
    }
    if ((c === "h" || c === "H") && !/[\p{L}\p{N}]/u.test(src[i - 1] ?? "")) {
      const m = /^https?:\/\/[^\s<>]*[^\s<>.,:;"'!?)\]*_~]/i.exec(src.slice(i));
      const href = m && safeHref(m[0]);
      if (m && href) {
        push({ t: "link", href, children: [{ t: "text", text: m[0] }] });
        i += m[0].length;
        continue;
      }
    }
    if (depth < MAX_DEPTH && (c === "*" || c === "_" || c === "~")) {
      const em = parseEmphasis(src, i, depth, noCloser);
      if (em) {
        push(em.node);
        i = em.end;
        continue;
      }
      const run = runLength(src, i, c);
      text += src.slice(i, i + run);
      i += run;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

function runLength(s: string, i: number, c: string): number {
  let n = 0;
  while (s[i + n] === c) n++;
  return n;
}

function findCodeClose(s: string, from: number, run: number): number {
  for (let j = s.indexOf("`", from); j >= 0; j = s.indexOf("`", j)) {
    const n = runLength(s, j, "`");
    if (n === run) return j;
    j += n;
  }
  return -1;
}

/** `[label](href "title")` starting at `i` (the `[`). */
function parseLink(s: string, i: number): { label: string; href: string; end: number } | undefined {
  let depth = 0;
  let j = i;
  const stop = Math.min(s.length, i + MAX_LABEL);
  for (; j < stop; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === "[") depth++;
    else if (s[j] === "]" && --depth === 0) break;
    else if (s[j] === "\n" && s[j + 1] === "\n") return undefined;
  }
  if (j >= stop || s[j + 1] !== "(") return undefined;
  const m = /^\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/.exec(s.slice(j + 1));
  if (!m) return undefined;
  const href = m[1].startsWith("<") ? m[1].slice(1, -1) : m[1];
  return { label: s.slice(i + 1, j), href, end: j + 1 + m[0].length };
}

/** `*x*`, `**x**`, `***x***`, the `_` forms, and `~~x~~` starting at `i`. */
function parseEmphasis(s: string, i: number, depth: number, noCloser: Set<string>): { node: Inline; end: number } | undefined {
  const c = s[i];
  const run = runLength(s, i, c);
  const kind = `${c}${run}`;
  if (noCloser.has(kind)) return undefined;
  if (c === "~" && run !== 2) return undefined;
  const n = Math.min(run, 3);
  const after = s[i + run];
  if (after === undefined || /\s/.test(after)) return undefined;
  // intraword underscores (snake_case) are not emphasis
  if (c === "_" && /[\p{L}\p{N}]/u.test(s[i - 1] ?? "")) return undefined;
  for (let j = i + run; j < s.length; ) {
    if (s[j] === "\\") {
      j += 2;
      continue;
    }
    if (s[j] === "`") {
      const r = runLength(s, j, "`");
      const close = findCodeClose(s, j + r, r);
      j = close >= 0 ? close + r : j + r;
      continue;
    }
    if (s[j] !== c) {
      j++;
      continue;
    }
    const r = runLength(s, j, c);
    const closes = r === run && !/\s/.test(s[j - 1]) && !(c === "_" && /[\p{L}\p{N}]/u.test(s[j + r] ?? ""));
    if (closes) {
      const inner = parseInlines(s.slice(i + run, j), depth + 1);
      const node: Inline =
        c === "~" ? { t: "del", children: inner } : n === 1 ? { t: "em", children: inner } : n === 2 ? { t: "strong", children: inner } : { t: "strong", children: [{ t: "em", children: inner }] };
      return { node, end: j + r };
    }
    j += r;
  }
  noCloser.add(kind);
  return undefined;
}
