/**
 * `voicewake.get` (operator.read) and `voicewake.set` (operator.write): the voice wake trigger words.
 */
import { loadVoiceWake, saveVoiceWake } from "../../store/voicewake.ts";
import type { TalkHost } from "./_host.ts";
import { GatewayError, toErrorMessage } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";
import { broadcastVoiceWake } from "./voicewake.ts";

/** `voicewake.get`: `{triggers}`, the defaults until some were set. */
export const voicewakeGet: MethodHandler<"voicewake.get", TalkHost> = (ctx) => ({ triggers: loadVoiceWake(ctx.host.stateDir).triggers });

/**
 * `voicewake.set {triggers}`: saves the normalized list (trimmed, blanks and repeats dropped, at most 32 of
 * at most 64 characters; empty means the defaults) and broadcasts `voicewake.changed`.
 * @returns `{triggers}` as saved.
 * @throws GatewayError UNAVAILABLE when the settings file cannot be written.
 */
export const voicewakeSet: MethodHandler<"voicewake.set", TalkHost> = (ctx, params) => {
  let triggers: string[];
  try {
    triggers = saveVoiceWake(ctx.host.stateDir, params.triggers).triggers;
  } catch (err) {
    throw new GatewayError("UNAVAILABLE", `could not save voice wake triggers: ${toErrorMessage(err)}`, { cause: err });
  }
  broadcastVoiceWake(ctx.host, triggers);
  return { triggers };
};
