/**
 * Talk and voice wake: `talk.mode`, the voice wake trigger list and its `voicewake.changed` fan-out.
 */
import { TALK_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { talkMode } from "./talk-mode.ts";
import { voicewakeGet, voicewakeSet } from "./voicewake-methods.ts";

/** The talk feature: its methods and the config it claims. */
export const talkFeature = defineFeature({
  name: "talk",
  needs: TALK_NEEDS,
  methods: [
    defineMethod("talk.mode", talkMode),
    defineMethod("voicewake.get", voicewakeGet),
    defineMethod("voicewake.set", voicewakeSet),
  ],
  // Read on use: a change applies with the next call.
  config: { prefixes: ["talk", "audio"] },
});
