import { checkPublicUrl } from "../../util/net.ts";
import type { ChannelsHost } from "./_host.ts";
import { GatewayError, toErrorMessage } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `send`: delivers a message on a channel. Idempotent by `idempotencyKey` (5 minutes): a repeat returns
 * the first result. Unknown channel → INVALID_REQUEST "unsupported channel: <ch>"; a supported channel
 * without config → NOT_LINKED "<ch> is not configured"; an unlinked WhatsApp account → NOT_LINKED. Callers without operator.admin may only attach public http(s)
 * media (INVALID_REQUEST "media refused: …" otherwise).
 */
export const send: MethodHandler<"send", ChannelsHost> = async (ctx, params) => {
  const p = params;
  // Below operator.admin, media must be a public http(s) URL, at every redirect too: a local path or a
  // private address would let a write-scoped client post the gateway's own files (config, credentials) or
  // internal pages to a chat. Checked here first for a clear early error, and again on every hop of the download.
  const publicMediaOnly = !ctx.client.scopes.includes("operator.admin");
  if (publicMediaOnly) {
    for (const url of [...(p.mediaUrl ? [p.mediaUrl] : []), ...(p.mediaUrls ?? [])]) {
      await checkPublicUrl(url).catch((err) => {
        throw new GatewayError("INVALID_REQUEST", `media refused: ${toErrorMessage(err)} (local files and private addresses need operator.admin)`);
      });
    }
  }
  const res = await ctx.host.channels.send({
      channel: p.channel,
      accountId: p.accountId,
      to: p.to,
      message: p.message,
      mediaUrls: [...(p.mediaUrl ? [p.mediaUrl] : []), ...(p.mediaUrls ?? [])],
      publicMediaOnly,
      gifPlayback: p.gifPlayback,
      idempotencyKey: p.idempotencyKey,
    });
  return { runId: p.idempotencyKey, ...res };
};
