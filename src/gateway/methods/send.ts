import { checkFetchUrl } from "../../agent/tools/web-fetch.ts";
import { GatewayError, toErrorMessage } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";
import { toChannelGatewayError } from "./_channels.ts";

/**
 * `send`: delivers a message on a channel. Idempotent by `idempotencyKey` (5 minutes): a repeat returns
 * the first result. Unknown or unloaded channel → INVALID_REQUEST "unsupported channel: <ch>"; an
 * unlinked WhatsApp account → NOT_LINKED. Callers without operator.admin may only attach public http(s)
 * media (INVALID_REQUEST "media refused: …" otherwise).
 */
export const send: MethodHandler = async (ctx, params) => {
  const p = params as { to: string; message: string; mediaUrl?: string; mediaUrls?: string[]; gifPlayback?: boolean; channel?: string; accountId?: string; idempotencyKey: string };
  // Below operator.admin, media must be a public http(s) URL (the web_fetch rule): a local path or a private
  // address would let a write-scoped client post the gateway's own files (config, credentials) to a chat.
  if (!ctx.client.scopes.includes("operator.admin")) {
    for (const url of [...(p.mediaUrl ? [p.mediaUrl] : []), ...(p.mediaUrls ?? [])]) {
      await checkFetchUrl(url, false).catch((err) => {
        throw new GatewayError("INVALID_REQUEST", `media refused: ${toErrorMessage(err)} (local files and private addresses need operator.admin)`);
      });
    }
  }
  try {
    const res = await ctx.gw.channels.send({
      channel: p.channel,
      accountId: p.accountId,
      to: p.to,
      message: p.message,
      mediaUrls: [...(p.mediaUrl ? [p.mediaUrl] : []), ...(p.mediaUrls ?? [])],
      gifPlayback: p.gifPlayback,
      idempotencyKey: p.idempotencyKey,
    });
    return { runId: p.idempotencyKey, ...res };
  } catch (err) {
    throw toChannelGatewayError(err);
  }
};
