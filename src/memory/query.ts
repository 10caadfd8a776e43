/**
 * Turns what a person or a model typed into a safe FTS5 query: words become quoted terms (so FTS5 operators
 * such as `NEAR(`, `AND`, `*`, `^` or column filters in the input are plain words), balanced double quotes
 * keep a phrase, a trailing `*` on a word asks for a prefix match. Terms are OR-ed; BM25 ranks chunks that
 * hold more (and rarer) terms first.
 */

/** Longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 2000;
/** Terms kept of a long query (the rest are ignored). */
export const MAX_QUERY_TERMS = 32;

/** A query that cannot be searched; `message` says why and what is expected. */
export class MemoryQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemoryQueryError";
  }
}

/** A parsed query: the FTS5 MATCH expression, its OR-ed terms, and the lower-cased words (for picking snippet lines). */
export interface ParsedQuery {
  match: string;
  /** Each quoted term or phrase of `match` (`"word"`, `"a phrase"`, `"pre"*`). */
  terms: string[];
  words: string[];
}

/**
 * Parses `input`.
 * @throws MemoryQueryError when the query is not a string, is empty, too long, or holds no letter or digit.
 * @example parseQuery('window "aisle seat" pref*').match // '"window" OR "aisle seat" OR "pref"*'
 */
export function parseQuery(input: unknown): ParsedQuery {
  if (typeof input !== "string") throw new MemoryQueryError("query must be a string");
  const text = input.normalize("NFKC").trim();
  if (text === "") throw new MemoryQueryError("query is empty; expected one or more words");
  if (text.length > MAX_QUERY_CHARS) throw new MemoryQueryError(`query is too long (${text.length} characters, at most ${MAX_QUERY_CHARS})`);
  const terms: string[] = [];
  const words: string[] = [];
  const seen = new Set<string>();
  const add = (parts: string[], prefix: boolean) => {
    if (parts.length === 0 || terms.length >= MAX_QUERY_TERMS) return;
    const key = `${parts.join(" ")}${prefix ? "*" : ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    // Only letters, digits and spaces are left inside the quotes, so nothing needs escaping.
    terms.push(`"${parts.join(" ")}"${prefix ? "*" : ""}`);
    words.push(...parts);
  };
  // Split into quoted phrases (balanced quotes only) and the rest.
  const segments = text.split('"');
  const balanced = segments.length % 2 === 1;
  segments.forEach((segment, i) => {
    if (balanced && i % 2 === 1) return add(wordsOf(segment).map((w) => w.word), false);
    for (const w of wordsOf(segment)) add([w.word], w.prefix);
  });
  if (terms.length === 0) throw new MemoryQueryError(`query ${JSON.stringify(input.slice(0, 80))} has no words to search for (letters or digits)`);
  return { match: terms.join(" OR "), terms, words: [...new Set(words)] };
}

// --- internal ---

// Letters, digits, marks and connector punctuation: roughly what FTS5's unicode61 tokenizer keeps in a token.
const WORD = /[\p{L}\p{N}\p{M}_]+(\*)?/gu;

function wordsOf(segment: string): { word: string; prefix: boolean }[] {
  return [...segment.matchAll(WORD)].map((m) => ({ word: (m[1] ? m[0].slice(0, -1) : m[0]).toLowerCase(), prefix: m[1] !== undefined }));
}
