/**
 * Server-sent events for the streaming HTTP APIs: `data: <json>\n\n` frames (optionally with `event:`),
 * the `data: [DONE]` terminator, and a `closed` flag once the client went away (writes then do nothing).
 */

const enc = new TextEncoder();

/** Headers of an SSE response (http.md §3). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
} as const;

/** Writes one SSE stream. Not safe to share between responses. */
export interface SseWriter {
  /** True once the client disconnected or `end()` ran. */
  readonly closed: boolean;
  /** Sends `data: <json>` (with `event: <name>` first when given). */
  send(data: unknown, event?: string): void;
  /** Sends `data: [DONE]` and closes the stream. */
  done(): void;
  /** Closes the stream without a terminator. */
  end(): void;
}

/** Opens an SSE response. @returns the response to hand to Bun and its writer. */
export function createSse(): { response: Response; writer: SseWriter } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      closed = true;
    },
  });
  const write = (text: string) => {
    if (closed) return;
    try {
      controller.enqueue(enc.encode(text));
    } catch {
      closed = true;
    }
  };
  const writer: SseWriter = {
    get closed() {
      return closed;
    },
    send(data, event) {
      write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
    },
    done() {
      write("data: [DONE]\n\n");
      writer.end();
    },
    end() {
      if (closed) return;
      closed = true;
      try {
        controller.close();
      } catch {
        // already closed by the client
      }
    },
  };
  return { response: new Response(stream, { status: 200, headers: SSE_HEADERS }), writer };
}
