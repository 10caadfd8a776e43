/**
 * `voicewake.get` (operator.read) and `voicewake.set` (operator.write): the voice wake trigger words.
 */
import { loadVoiceWake, saveVoiceWake } from "../../store/voicewake.ts";
import { GatewayError, toErrorMessage } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";
import { broadcastVoiceWake } from "./voicewake.ts";

/** `voicewake.get`: `{triggers}`, the defaults until some were set. */
export const voicewakeGet: MethodHandler<"voicewake.get"> = (ctx) => ({ triggers: loadVoiceWake(ctx.gw.stateDir).triggers });

/**
 * `voicewake.set {triggers}`: saves the normalized list (trimmed, blanks and repeats dropped, at most 32 of
 * at most 64 characters; empty means the defaults) and broadcasts `voicewake.changed`.
 * @returns `{triggers}` as saved.
 * @throws GatewayError UNAVAILABLE when the settings file cannot be written.
 */
export const voicewakeSet: MethodHandler<"voicewake.set"> = (ctx, params) => {
  let triggers: string[];
  try {
    triggers = saveVoiceWake(ctx.gw.stateDir, params.triggers).triggers;
  } catch (err) {
    throw new GatewayError("UNAVAILABLE", `could not save voice wake triggers: ${toErrorMessage(err)}`, { cause: err });
  }
  broadcastVoiceWake(ctx.gw, triggers);
  return { triggers };
};
