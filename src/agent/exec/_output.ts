/**
 * A bounded output buffer: keeps the last `capBytes` bytes of what a process wrote (stdout and stderr in
 * the order the chunks arrived) and counts what it dropped, so readers can say output was truncated.
 */

/** Bytes kept per process when the caller gives no cap (upstream's exec keeps about 200k characters). */
export const DEFAULT_MAX_OUTPUT_BYTES = 200_000;

/** Tail ring of output chunks. Not safe to share between processes; one per process. */
export class OutputBuffer {
  readonly capBytes: number;
  #chunks: Buffer[] = [];
  #retained = 0;
  /** Bytes ever written; a reader's cursor is a position in this stream. */
  #written = 0;

  constructor(capBytes: number) {
    this.capBytes = capBytes;
  }

  /** Bytes ever written. */
  get totalBytes(): number {
    return this.#written;
  }

  /** Bytes dropped from the front to stay under the cap. */
  get droppedBytes(): number {
    return this.#written - this.#retained;
  }

  /** Appends a chunk, dropping the oldest bytes past the cap. */
  append(chunk: Buffer | string): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (buf.length === 0) return;
    this.#chunks.push(buf);
    this.#retained += buf.length;
    this.#written += buf.length;
    while (this.#retained > this.capBytes && this.#chunks.length > 0) {
      const over = this.#retained - this.capBytes;
      const head = this.#chunks[0]!;
      if (head.length <= over) {
        this.#chunks.shift();
        this.#retained -= head.length;
      } else {
        this.#chunks[0] = head.subarray(over);
        this.#retained -= over;
      }
    }
  }

  /** The retained text, prefixed with a truncation marker when bytes were dropped. */
  text(): string {
    const body = Buffer.concat(this.#chunks).toString("utf8");
    return this.droppedBytes > 0 ? `${truncationMarker(this.droppedBytes)}\n${body}` : body;
  }

  /**
   * What was written since `cursor` (a value of `totalBytes` seen earlier).
   * @returns the text, the new cursor, and how many bytes after the cursor were already dropped (0 normally).
   */
  readSince(cursor: number): { text: string; cursor: number; missedBytes: number } {
    const firstRetained = this.droppedBytes;
    const from = Math.max(cursor, firstRetained);
    const all = Buffer.concat(this.#chunks);
    return { text: all.subarray(from - firstRetained).toString("utf8"), cursor: this.#written, missedBytes: from - cursor };
  }

  /**
   * Lines `offset`… of the retained text (0-based; a negative offset counts from the end), at most `limit`.
   * @returns the lines joined with "\n" and the number of retained lines.
   */
  lines(offset = 0, limit?: number): { text: string; totalLines: number } {
    const all = Buffer.concat(this.#chunks).toString("utf8");
    const lines = all.endsWith("\n") ? all.slice(0, -1).split("\n") : all === "" ? [] : all.split("\n");
    const start = offset < 0 ? Math.max(0, lines.length + offset) : Math.min(offset, lines.length);
    const end = limit === undefined ? lines.length : Math.min(lines.length, start + limit);
    return { text: lines.slice(start, end).join("\n"), totalLines: lines.length };
  }
}

/** The marker put where output was dropped. */
export function truncationMarker(droppedBytes: number): string {
  return `[output truncated: ${droppedBytes} earlier bytes dropped]`;
}
