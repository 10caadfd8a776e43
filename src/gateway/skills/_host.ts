/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`: the config writer's services (`skills.update` writes the config file). */
export const SKILLS_NEEDS = ["channels", "config", "cron", "heartbeat", "loaded", "logger", "settings", "startedAt", "stateDir", "supervisor", "version"] as const;

/** The host as this feature's handlers see it. */
export type SkillsHost = HostView<(typeof SKILLS_NEEDS)[number]>;
