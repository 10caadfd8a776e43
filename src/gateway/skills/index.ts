/**
 * Skills over the protocol: `skills.status` (every skill and why it is or is not eligible), `skills.update`
 * (its config entry) and `skills.bins` (for nodes). `skills.install` (installing from a registry) is not offered.
 */
import { defineFeature, defineMethod } from "../feature.ts";
import { SKILLS_NEEDS } from "./_host.ts";
import { skillsBins, skillsStatus } from "./skills-status.ts";
import { skillsUpdate } from "./skills-update.ts";

/** The skills feature: its methods (skills config is read on use; the agents feature claims the prefix). */
export const skillsFeature = defineFeature({
  name: "skills",
  needs: SKILLS_NEEDS,
  methods: [defineMethod("skills.status", skillsStatus), defineMethod("skills.bins", skillsBins), defineMethod("skills.update", skillsUpdate)],
});
