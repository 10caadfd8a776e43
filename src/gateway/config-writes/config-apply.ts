import { checkBaseHash, commitConfig, parseClientJson5, prepareConfig, readDiskConfig, restartForWrite, toClientConfig } from "./config-writes.ts";
import type { ConfigWritesHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `config.apply {raw, baseHash?, sessionKey?, note?, restartDelayMs?}`: writes `raw` like `config.set`, then
 * restarts the gateway in process after `restartDelayMs` (default 2000, at most 60 000) whatever the reload
 * plan says. The next start queues a `GatewayRestart:` system event carrying `note` and `sessionKey`.
 * @returns `{ok:true, path, config, hash, restart, sentinel}`; `config` has secrets redacted.
 * @throws GatewayError INVALID_REQUEST as `config.set` does; nothing is written or restarted then.
 */
export const configApply: MethodHandler<"config.apply", ConfigWritesHost> = (ctx, params) => {
  const p = params;
  const disk = readDiskConfig(ctx.host.loaded.path);
  checkBaseHash(disk, p.baseHash);
  const prepared = prepareConfig(disk, parseClientJson5(p.raw), p.raw);
  const loaded = commitConfig(ctx.host, disk, prepared);
  const done = restartForWrite(ctx.host, loaded, { method: "config.apply", delayMs: p.restartDelayMs, sessionKey: p.sessionKey, note: p.note });
  return { ok: true, path: loaded.path, config: toClientConfig(prepared.parsed), hash: loaded.hash, ...done };
};
