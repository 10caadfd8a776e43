import { checkBaseHash, commitConfig, parseClientJson5, prepareConfig, readDiskConfig, reloadWritten, toClientConfig } from "./config-writes.ts";
import type { ConfigWritesHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `config.set {raw, baseHash?}`: replaces the whole config file with `raw` (JSON5; written as sent, so
 * comments and `${ENV}` references stay), then applies it like a file edit: live, or by an in-process
 * restart when the reload plan needs one. `baseHash` (from `config.get`) is required once a file exists.
 * @returns `{ok:true, path, config, hash, reload, restart?}`; `config` has secrets redacted.
 * @throws GatewayError INVALID_REQUEST for a stale or missing hash, unparsable text, or an invalid config
 *   (`details.issues` lists every bad path); the file is then untouched.
 */
export const configSet: MethodHandler<"config.set", ConfigWritesHost> = (ctx, params) => {
  const p = params;
  const disk = readDiskConfig(ctx.host.loaded.path);
  checkBaseHash(disk, p.baseHash);
  const prepared = prepareConfig(disk, parseClientJson5(p.raw), p.raw);
  const loaded = commitConfig(ctx.host, disk, prepared);
  const { reload, restart } = reloadWritten(ctx.host, loaded, "config.set");
  return { ok: true, path: loaded.path, config: toClientConfig(prepared.parsed), hash: loaded.hash, reload, ...(restart && { restart }) };
};
