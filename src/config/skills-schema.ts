/**
 * Config schema of skills: `skills.entries.<skillKey>.{enabled, apiKey, env, config}` and
 * `skills.allowBundled`. `apiKey` and every `env` value are secrets (config.get redacts them by key name,
 * see redact.ts); each may instead be a SecretRef, resolved when a run or a status check needs it
 * (config/secret-ref.ts). Upstream keys read by parts that are not here (load, install, limits) still load.
 */
import { type Static, Type as T } from "@sinclair/typebox";
import { SecretInput } from "./secrets-schema.ts";

const SkillEntry = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "false switches the skill off wherever it comes from." })),
    apiKey: T.Optional(SecretInput("Value for the skill's primaryEnv variable (secret): a string or a SecretRef {source, provider?, id}.")),
    env: T.Optional(T.Record(T.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), SecretInput("A variable's value (secret): a string or a SecretRef."), { description: "Environment variables the skill needs (secret values)." })),
    config: T.Optional(T.Record(T.String(), T.Unknown(), { description: "Free-form settings for the skill." })),
  },
  { additionalProperties: false },
);

/** `skills`. */
export const SkillsConfigSchema = T.Object(
  {
    entries: T.Optional(T.Record(T.String({ minLength: 1 }), SkillEntry, { description: "Per-skill settings, keyed by skill name (or its skillKey)." })),
    allowBundled: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "Only these bundled skills are eligible (managed and workspace skills are unaffected)." })),
  },
  { additionalProperties: true },
);

/** `skills` as validated. */
export type SkillsConfig = Static<typeof SkillsConfigSchema>;
