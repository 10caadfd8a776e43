/**
 * Turns parsed Markdown into DOM nodes (createElement + text nodes only; no HTML parsing anywhere), and
 * re-renders a growing text in place: top-level blocks that did not change keep their nodes, so a
 * streaming reply only rebuilds its last block or two and does not flicker.
 */
import { type Block, type Inline, parseMarkdown } from "./markdown.ts";

/** What was rendered into an element last time: one key per top-level block, in order. */
const rendered = new WeakMap<HTMLElement, string[]>();

/**
 * Renders `text` as Markdown into `el`, replacing what an earlier call put there. Blocks equal to the
 * previous render keep their DOM nodes. Safe to call on every streamed delta.
 */
export function renderMarkdown(el: HTMLElement, text: string): void {
  const blocks = parseMarkdown(text);
  const keys = blocks.map((b) => JSON.stringify(b));
  const before = rendered.get(el) ?? [];
  const kept = el.children.length === before.length ? commonPrefix(before, keys) : 0;
  while (el.children.length > kept) el.lastElementChild?.remove();
  if (kept === 0) el.replaceChildren();
  el.append(...blocks.slice(kept).map(toBlockNode));
  rendered.set(el, keys);
}

function commonPrefix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function toBlockNode(b: Block): HTMLElement {
  switch (b.t) {
    case "p":
      return el("p", b.children.map(toInlineNode));
    case "h":
      // h1/h2 inside a chat bubble would outrank the page's own headings; start at h3
      return el(`h${Math.min(b.level + 2, 6)}`, b.children.map(toInlineNode));
    case "code": {
      const code = el("code", [document.createTextNode(b.text)]);
      if (b.lang) code.className = `language-${b.lang}`;
      return el("pre", [code]);
    }
    case "quote":
      return el("blockquote", b.blocks.map(toBlockNode));
    case "list": {
      const list = el(b.ordered ? "ol" : "ul", b.items.map(toItemNode));
      if (b.ordered && b.start !== 1) (list as HTMLOListElement).start = b.start;
      return list;
    }
    case "table": {
      const cell = (tag: string, content: Inline[], k: number) => {
        const c = el(tag, content.map(toInlineNode));
        if (b.align[k]) c.dataset.align = b.align[k];
        return c;
      };
      const head = el("thead", [el("tr", b.head.map((c, k) => cell("th", c, k)))]);
      const body = el("tbody", b.rows.map((r) => el("tr", r.map((c, k) => cell("td", c, k)))));
      // wide tables scroll inside the bubble
      const wrap = el("div", [el("table", [head, body])]);
      wrap.className = "table";
      return wrap;
    }
    case "hr":
      return el("hr", []);
    default:
      return unreachable(b);
  }
}

function toItemNode(blocks: Block[]): HTMLElement {
  // a one-paragraph item shows its text directly (a tight list), not wrapped in <p>
  const only = blocks.length === 1 && blocks[0].t === "p" ? blocks[0] : undefined;
  return el("li", only ? only.children.map(toInlineNode) : blocks.map(toBlockNode));
}

function toInlineNode(n: Inline): Node {
  switch (n.t) {
    case "text":
      return document.createTextNode(n.text);
    case "code":
      return el("code", [document.createTextNode(n.text)]);
    case "em":
    case "strong":
    case "del":
      return el(n.t, n.children.map(toInlineNode));
    case "link": {
      const a = el("a", n.children.map(toInlineNode)) as HTMLAnchorElement;
      a.href = n.href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    case "br":
      return document.createElement("br");
    default:
      return unreachable(n);
  }
}

function el(tag: string, children: Node[]): HTMLElement {
  const e = document.createElement(tag);
  e.append(...children);
  return e;
}

function unreachable(x: never): never {
  throw new Error(`unexpected markdown node ${JSON.stringify(x)}`);
}
