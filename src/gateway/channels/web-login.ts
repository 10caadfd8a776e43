import type { MethodHandler } from "../context.ts";
import type { ChannelsHost } from "./_host.ts";

/**
 * `web.login.start`: begins linking WhatsApp. Answers once a QR code is ready (`qr` is the raw payload
 * to render) or the account turns out to be linked already (`connected: true`).
 */
export const webLoginStart: MethodHandler<"web.login.start", ChannelsHost> = (ctx, params) =>
  ctx.host.channels.loginStart({
    accountId: params.accountId,
    force: params.force === true,
    timeoutMs: params.timeoutMs,
  });

/** `web.login.wait`: waits until the QR is scanned (`connected: true`), replaced (new `qr`), or login fails. */
export const webLoginWait: MethodHandler<"web.login.wait", ChannelsHost> = (ctx, params) => ctx.host.channels.loginWait({ accountId: params.accountId, timeoutMs: params.timeoutMs });
