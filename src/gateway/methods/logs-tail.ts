import { open, stat } from "node:fs/promises";
import type { MethodHandler } from "../context.ts";

const DEFAULT_LIMIT = 500;
const DEFAULT_MAX_BYTES = 250_000;

/**
 * `logs.tail`: lines of the gateway's file log. Without a cursor, the last `limit` lines; with one (a byte
 * offset from an earlier answer), what was appended since. A cursor past the end (the file was rotated or
 * truncated) answers `reset: true` and starts over from the tail.
 */
export const logsTail: MethodHandler = async (ctx, params) => {
  const file = ctx.gw.logger.file;
  const limit = (params.limit as number | undefined) ?? DEFAULT_LIMIT;
  const maxBytes = (params.maxBytes as number | undefined) ?? DEFAULT_MAX_BYTES;
  if (!file) return { file: null, cursor: 0, size: 0, lines: [] };
  const size = await stat(file).then((s) => s.size, () => 0);
  let cursor = params.cursor as number | undefined;
  let reset = false;
  if (cursor !== undefined && cursor > size) {
    cursor = undefined;
    reset = true;
  }
  const from = cursor ?? Math.max(0, size - maxBytes);
  const length = Math.min(size - from, maxBytes);
  const truncated = size - from > maxBytes;
  if (length <= 0) return { file, cursor: size, size, lines: [], ...(reset && { reset }) };
  const start = truncated ? size - maxBytes : from;
  const buf = Buffer.alloc(length);
  const fh = await open(file, "r");
  try {
    await fh.read(buf, 0, length, start);
  } finally {
    await fh.close();
  }
  // Starting mid-file: drop the partial first line. A partial last line is left for the next call.
  const skip = start > 0 && (cursor === undefined || truncated) ? buf.indexOf(10) + 1 : 0;
  const last = buf.lastIndexOf(10);
  const complete = last >= skip ? buf.subarray(skip, last).toString("utf8") : "";
  const endCursor = last >= skip ? start + last + 1 : start + skip;
  let lines = complete === "" ? [] : complete.split("\n");
  const cut = lines.length > limit;
  if (cut) lines = lines.slice(-limit);
  return { file, cursor: endCursor, size, lines, ...((truncated || cut) && { truncated: true }), ...(reset && { reset }) };
};
