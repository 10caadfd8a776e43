import { applyMergePatch } from "../../config/merge-patch.ts";
import type { ConfigWritesHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import { checkBaseHash, commitConfig, isDiskConfigValid, parseClientJson5, prepareConfig, readDiskConfig, restartForWrite, toClientConfig } from "./config-writes.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `config.patch {raw, baseHash?, sessionKey?, note?, restartDelayMs?}`: `raw` is a JSON merge patch
 * (RFC 7386, JSON5 text) applied to the file as written (`null` deletes a key, objects merge, anything else
 * replaces); the result is validated, written as JSON (comments in the old file are not kept) and the
 * gateway restarts in process as after `config.apply`.
 * @returns `{ok:true, path, config, hash, restart, sentinel}`; `config` has secrets redacted.
 * @throws GatewayError INVALID_REQUEST for a stale or missing hash, a file that is invalid now, a patch that
 *   is not an object, or a result that is not a valid config; nothing is written then.
 */
export const configPatch: MethodHandler<"config.patch", ConfigWritesHost> = (ctx, params) => {
  const p = params;
  const disk = readDiskConfig(ctx.host.loaded.path);
  checkBaseHash(disk, p.baseHash);
  if (!isDiskConfigValid(disk)) throw new GatewayError("INVALID_REQUEST", "invalid config; fix before patching");
  const patch = parseClientJson5(p.raw);
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw new GatewayError("INVALID_REQUEST", "config.patch raw must be an object");
  const prepared = prepareConfig(disk, applyMergePatch(disk.parsed, patch));
  const loaded = commitConfig(ctx.host, disk, prepared);
  const done = restartForWrite(ctx.host, loaded, { method: "config.patch", delayMs: p.restartDelayMs, sessionKey: p.sessionKey, note: p.note });
  return { ok: true, path: loaded.path, config: toClientConfig(prepared.parsed), hash: loaded.hash, ...done };
};
