/**
 * Webhook mode (channels.md §3): a local listener (default `0.0.0.0:8787`, path `/telegram-webhook`)
 * that accepts Telegram's POSTs only with the right `X-Telegram-Bot-Api-Secret-Token`, and hands each
 * update over in arrival order.
 */
import { timingSafeEqual } from "node:crypto";
import type { Update } from "grammy/types";

/** Listener settings. */
export interface WebhookListenOptions {
  host: string;
  port: number;
  path: string;
  secret: string;
  /** Handles one update; the HTTP answer waits for it so Telegram redelivers on failure. */
  onUpdate(update: Update): Promise<void>;
}

/** A running listener. */
export interface WebhookListener {
  port: number;
  stop(): void;
}

/**
 * Starts listening.
 * @throws when the port cannot be bound.
 */
export function startWebhookListener(opts: WebhookListenOptions): WebhookListener {
  let chain = Promise.resolve();
  const expected = Buffer.from(opts.secret);
  const server = Bun.serve({
    hostname: opts.host,
    port: opts.port,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname !== opts.path) return new Response("not found", { status: 404 });
      if (req.method !== "POST") return new Response("method not allowed", { status: 405 });
      const given = Buffer.from(req.headers.get("x-telegram-bot-api-secret-token") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return new Response("unauthorized", { status: 401 });
      let update: Update;
      try {
        update = (await req.json()) as Update;
      } catch {
        return new Response("bad request", { status: 400 });
      }
      if (typeof update?.update_id !== "number") return new Response("bad request", { status: 400 });
      const handled = chain.then(() => opts.onUpdate(update));
      chain = handled.catch(() => {});
      try {
        await handled;
        return new Response("ok");
      } catch {
        return new Response("error", { status: 500 });
      }
    },
  });
  return { port: server.port as number, stop: () => server.stop(true) };
}
