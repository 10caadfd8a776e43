/**
 * Request bodies of the HTTP APIs: read with a byte cap while streaming (never buffered past the limit;
 * a declared Content-Length over the cap is refused before reading), then parsed as JSON.
 */

/** What {@link readJsonBody} found. */
export type JsonBodyResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: "too_large" }
  | { ok: false; reason: "invalid_json"; message: string };

/**
 * Reads and parses a JSON body of at most `maxBytes`. An empty body is `{}` (http.md §2).
 * @returns the value, `too_large`, or `invalid_json` with the parser's message (`SyntaxError: …`). Never throws
 * for bad input; a body stream that fails mid-way counts as invalid.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<JsonBodyResult> {
  let text: string | undefined;
  try {
    text = await readBodyText(req, maxBytes);
  } catch (err) {
    return { ok: false, reason: "invalid_json", message: `request body could not be read: ${(err as Error)?.message ?? String(err)}` };
  }
  if (text === undefined) return { ok: false, reason: "too_large" };
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: "invalid_json", message: String(err) };
  }
}

/**
 * Reads the body as UTF-8 text, stopping at `maxBytes`.
 * @returns the text, or undefined when the body is (or declares itself) larger than `maxBytes`.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await req.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!req.body) return "";
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Chunked bodies carry no length: stop at the cap instead of buffering the rest.
      await reader.cancel().catch(() => {});
      return undefined;
    }
    parts.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(parts));
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
