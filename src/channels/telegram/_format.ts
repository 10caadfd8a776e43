/**
 * Markdown (what agents write) → Telegram's HTML parse mode: bold, italic, strike, inline code, fenced
 * code blocks, links, headings (as bold) and block quotes. Everything else is escaped text, so the worst a
 * stray `*` can do is show up literally. If Telegram still rejects the entities, the sender falls back
 * to plain text.
 */

/**
 * Converts Markdown to Telegram HTML.
 * @example toTelegramHtml("**hi** `x<y`") // "<b>hi</b> <code>x&lt;y</code>"
 */
export function toTelegramHtml(markdown: string): string {
  const slots: string[] = [];
  const hold = (html: string) => `\u0000${slots.push(html) - 1}\u0000`;

  // Code first: nothing inside it is Markdown.
  let text = markdown.replace(/```([^\n`]*)\n([\s\S]*?)(?:\n)?```/g, (_m, lang: string, code: string) => {
    const cls = lang.trim() ? ` class="language-${escapeAttr(lang.trim())}"` : "";
    return hold(`<pre><code${cls}>${escapeHtml(code)}</code></pre>`);
  });
  text = text.replace(/`([^`\n]+)`/g, (_m, code: string) => hold(`<code>${escapeHtml(code)}</code>`));
  text = text.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+|tg:\/\/[^\s)]+|mailto:[^\s)]+)\)/g, (_m, label: string, url: string) =>
    hold(`<a href="${escapeAttr(url)}">${inline(escapeHtml(label))}</a>`),
  );

  text = escapeHtml(text);
  const lines = text.split("\n").map((line) => {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) return `<b>${inline(heading[1])}</b>`;
    return inline(line);
  });
  // Consecutive "> " lines become one block quote (the ">" is already escaped).
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join("\n")}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    const q = /^&gt;\s?(.*)$/.exec(line);
    if (q) quote.push(q[1]);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join("\n").replace(/\u0000(\d+)\u0000/g, (_m, i: string) => slots[Number(i)]);
}

/** Escapes `& < >` for Telegram HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// --- internal ---

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

/** Inline emphasis on already-escaped text. */
function inline(text: string): string {
  return text
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, "<b>$1</b>")
    .replace(/(^|[^\w])__(?=\S)([^_]*?\S)__(?!\w)/g, "$1<b>$2</b>")
    .replace(/~~(?=\S)([^~]*?\S)~~/g, "<s>$1</s>")
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1<i>$2</i>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, "$1<i>$2</i>");
}
