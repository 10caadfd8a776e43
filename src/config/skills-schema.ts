/**
 * Config schema of skills: `skills.entries.<skillKey>.{enabled, apiKey, env, config}` and
 * `skills.allowBundled`. `apiKey` and every `env` value are secrets (config.get redacts them by key name,
 * see redact.ts). Upstream keys read by parts that are not here (load, install, limits) still load.
 */
import { type Static, Type as T } from "@sinclair/typebox";

const SecretRef = T.Object(
  {
    source: T.String({ minLength: 1, description: "Where the secret lives, e.g. env." }),
    provider: T.Optional(T.String()),
    id: T.String({ minLength: 1, description: "The secret's name in that source." }),
  },
  { additionalProperties: true },
);

const SkillEntry = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "false switches the skill off wherever it comes from." })),
    apiKey: T.Optional(T.Union([T.String(), SecretRef], { description: "Value for the skill's primaryEnv variable (secret)." })),
    env: T.Optional(T.Record(T.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), T.String(), { description: "Environment variables the skill needs (secret values)." })),
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
