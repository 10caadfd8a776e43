import { redactConfigValue } from "../../config/redact.ts";
import { GatewayError } from "../../errors.ts";
import { patchConfigFile } from "../config-writes/index.ts";
import type { MethodHandler } from "../context.ts";
import type { SkillsHost } from "./_host.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `skills.update {skillKey, enabled?, apiKey?, env?}` (admin): changes `skills.entries.<skillKey>` in the
 * config file the way `config.patch` does (validated, atomic, applied live). An empty `apiKey` removes it; an
 * env variable with an empty value is removed. Other entries and keys are kept.
 * @returns `{ok:true, skillKey, config}`: the entry as now written, secrets redacted.
 * @throws GatewayError INVALID_REQUEST for a bad env variable name or a config that would not load.
 */
export const skillsUpdate: MethodHandler<"skills.update", SkillsHost> = (ctx, params) => {
  const key = params.skillKey.trim();
  if (!key) throw new GatewayError("INVALID_REQUEST", "invalid skills.update params: skillKey must not be blank");
  const entry: Record<string, unknown> = {};
  if (typeof params.enabled === "boolean") entry.enabled = params.enabled;
  if (typeof params.apiKey === "string") entry.apiKey = params.apiKey.trim() || null;
  if (params.env) {
    const env: Record<string, string | null> = {};
    for (const [rawName, value] of Object.entries(params.env)) {
      const name = rawName.trim();
      if (!ENV_NAME.test(name)) throw new GatewayError("INVALID_REQUEST", `invalid skills.update params: env name ${JSON.stringify(rawName)} must be letters, digits and _ (not starting with a digit)`);
      env[name] = value.trim() || null;
    }
    entry.env = env;
  }
  const { parsed } = patchConfigFile(ctx.host, { skills: { entries: { [key]: entry } } }, "skills.update");
  const written = (parsed.skills as { entries?: Record<string, Record<string, unknown>> } | undefined)?.entries?.[key] ?? {};
  return { ok: true as const, skillKey: key, config: redactConfigValue(written) };
};
