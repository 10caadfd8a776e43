import { open, stat } from "node:fs/promises";
import type { LogsHost } from "./_host.ts";
import { toUpstreamLogLine } from "../../logging/upstream-shape.ts";
import type { MethodHandler } from "../context.ts";

const DEFAULT_LIMIT = 500;
const DEFAULT_MAX_BYTES = 250_000;

/**
 * `logs.tail`: lines of the gateway's file log.
 * - No cursor: the last `limit` lines within the last `maxBytes`; `truncated` when older bytes were left out.
 * - A cursor (a byte offset from an earlier answer): what was appended since. A cursor past the end (file
 *   rotated or truncated) or more than `maxBytes` behind starts over from the tail with `reset: true`.
 * The returned cursor points after the last complete line, so a half-written line comes whole next time.
 * Our records go out in the upstream's line shape (logging/upstream-shape.ts), which its clients parse.
 */
export const logsTail: MethodHandler<"logs.tail", LogsHost> = async (ctx, params) => {
  const file = ctx.host.logger.file ?? "";
  const limit = params.limit ?? DEFAULT_LIMIT;
  const maxBytes = params.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = file ? await stat(file).then((s) => s.size, () => 0) : 0;
  let cursor = params.cursor;
  let reset = false;
  if (cursor !== undefined && (cursor > size || size - cursor > maxBytes)) {
    cursor = undefined;
    reset = true;
  }
  const start = cursor ?? Math.max(0, size - maxBytes);
  const truncated = cursor === undefined && start > 0;
  // `reset` is always present (false when the cursor was honoured), as upstream clients expect.
  const extra = { ...(truncated && { truncated }), reset };
  if (size - start <= 0) return { file, cursor: size, size, lines: [], ...extra };

  const buf = Buffer.alloc(size - start);
  const fh = await open(file, "r");
  try {
    await fh.read(buf, 0, buf.length, start);
  } finally {
    await fh.close();
  }
  // Reading from the middle of the file: the first line is partial, skip it.
  const skip = cursor === undefined && start > 0 ? buf.indexOf(10) + 1 : 0;
  const last = buf.lastIndexOf(10);
  if (last < skip) return { file, cursor: start + skip, size, lines: [], ...extra };
  const lines = buf.subarray(skip, last).toString("utf8").split("\n");
  return { file, cursor: start + last + 1, size, lines: lines.slice(-limit).map(toUpstreamLogLine), ...extra };
};
