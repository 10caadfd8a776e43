/**
 * Splits outbound text into pieces a channel accepts (Telegram: 4096 characters per message). Breaks at
 * the last paragraph, line, or word boundary that fits; a fenced code block cut in two is closed at the
 * end of one piece and reopened at the start of the next so both render as code.
 */

/** Default `textChunkLimit` (channels.md §1). */
export const DEFAULT_TEXT_CHUNK_LIMIT = 4000;

/**
 * Splits `text` into chunks of at most `limit` characters (UTF-16 units).
 * @returns [] for empty or whitespace-only text.
 * @example chunkText("a b c", 3) // ["a b", "c"]
 */
export function chunkText(text: string, limit: number): string[] {
  const max = Math.max(16, Math.floor(limit));
  const chunks: string[] = [];
  let rest = text.trim();
  let reopen = "";
  while (rest.length > 0) {
    const budget = max - reopen.length;
    if (rest.length <= budget) {
      chunks.push(reopen + rest);
      break;
    }
    // Reserve room for a closing fence in case the cut lands inside a code block.
    const cut = findCut(rest, budget - 4);
    const piece = rest.slice(0, cut);
    const fence = openFence(reopen + piece);
    chunks.push((reopen + piece).trimEnd() + (fence !== undefined ? "\n```" : ""));
    reopen = fence !== undefined ? `\`\`\`${fence}\n` : "";
    rest = rest.slice(cut);
    // Inside code, indentation matters: drop only the line break we cut at.
    rest = reopen ? rest.replace(/^\n/, "") : rest.trimStart();
  }
  return chunks.filter((c) => c.trim().length > 0);
}

// --- internal ---

/** Index to cut at: last "\n\n", else "\n", else space within `budget`; a hard cut when none. */
function findCut(text: string, budget: number): number {
  const window = text.slice(0, budget + 1);
  for (const sep of ["\n\n", "\n", " "]) {
    const i = window.lastIndexOf(sep);
    if (i > budget * 0.3) return i;
  }
  // Never split a surrogate pair.
  const code = text.charCodeAt(budget - 1);
  return code >= 0xd800 && code <= 0xdbff ? budget - 1 : budget;
}

/** The info string of a code fence left open at the end of `text`, or undefined when all are closed. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const m of text.matchAll(/^```([^\n`]*)$/gm)) open = open === undefined ? m[1].trim() : undefined;
  return open;
}
