/**
 * Whether a skill may be used now: every `requires.bins` on PATH (looked up at call time, remembered for at
 * most {@link BIN_CACHE_MS}), one of `requires.anyBins`, every `requires.env` set (in the gateway's
 * environment or by `skills.entries.<key>.env` / `.apiKey` for the `primaryEnv`, a SecretRef there counting only
 * when it resolves now), every `requires.config` path
 * truthy, `os` listing this platform; `skills.entries.<key>.enabled: false` and `skills.allowBundled` switch
 * skills off whatever they require.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { resolveSecretInput } from "../config/secret-ref.ts";
import { TtlCache } from "../util/ttl-cache.ts";
import type { SkillEntry, SkillSource } from "./load.ts";

type Env = Record<string, string | undefined>;

/** How long a PATH lookup is reused: a binary installed later counts within this time, without a restart. */
export const BIN_CACHE_MS = 1000;

/** `skills.entries.<key>` as read here (the schema is in config/skills-schema.ts). */
export interface SkillEntryConfig {
  enabled?: boolean;
  /** A string or a SecretRef. */
  apiKey?: unknown;
  /** Values are strings or SecretRefs. */
  env?: Record<string, unknown>;
}

/** The requirement lists of a skill, or what of them is missing. */
export interface SkillRequirements {
  bins: string[];
  anyBins: string[];
  env: string[];
  config: string[];
  os: string[];
}

/** One skill as `skills.status` reports it. */
export interface SkillStatus {
  name: string;
  description: string;
  source: SkillSource;
  bundled: boolean;
  /** The `SKILL.md` path (also as `filePath`, the upstream's name). */
  path: string;
  filePath: string;
  baseDir: string;
  skillKey: string;
  primaryEnv?: string;
  emoji?: string;
  homepage?: string;
  always: boolean;
  /** `disable-model-invocation: true`: kept out of the system prompt's list (the upstream's key). */
  disableModelInvocation: boolean;
  /** `skills.entries.<key>.enabled` is false. */
  disabled: boolean;
  /** A bundled skill left out by `skills.allowBundled`. */
  blockedByAllowlist: boolean;
  eligible: boolean;
  requirements: SkillRequirements;
  /** What is missing; all empty for an eligible skill. */
  missing: SkillRequirements;
  /** Each `requires.config` path and whether it holds (values are not shown: they may be secrets). */
  configChecks: { path: string; satisfied: boolean }[];
  /** Installer options, always empty: this gateway installs no dependencies (the upstream's UI reads the field). */
  install: never[];
}

/** What {@link checkSkill} reads. */
export interface SkillCheckContext {
  config: OpenClawConfig;
  /** The environment the gateway (and the agent's commands) run with; its PATH is searched. */
  env: Env;
  /** Default `process.platform`. */
  platform?: string;
  /** Default: a PATH lookup through {@link hasBinOnPath}. */
  hasBin?: (bin: string) => boolean;
}

/** `skills.entries.<key>` of the config, or undefined. */
export function skillConfigOf(config: OpenClawConfig, key: string): SkillEntryConfig | undefined {
  const entries = (config.skills as { entries?: Record<string, unknown> } | undefined)?.entries;
  const e = entries && Object.hasOwn(entries, key) ? entries[key] : undefined;
  return e && typeof e === "object" && !Array.isArray(e) ? (e as SkillEntryConfig) : undefined;
}

/** Checks one skill against the config, environment and platform. Pure apart from the PATH lookups. */
export function checkSkill(skill: SkillEntry, ctx: SkillCheckContext): SkillStatus {
  const meta = skill.frontmatter.meta;
  const entry = skillConfigOf(ctx.config, skill.skillKey);
  const hasBin = ctx.hasBin ?? ((bin: string) => hasBinOnPath(bin, ctx.env.PATH ?? ""));
  const platform = ctx.platform ?? process.platform;
  const req = meta.requires;
  const requirements: SkillRequirements = { bins: req.bins, anyBins: req.anyBins, env: req.env, config: req.config, os: meta.os };
  const configChecks = req.config.map((path) => ({ path, satisfied: isTruthy(valueAt(ctx.config, path)) }));
  const os = meta.os.length > 0 && !meta.os.includes(platform) ? meta.os : [];
  const missing: SkillRequirements = meta.always
    ? { bins: [], anyBins: [], env: [], config: [], os }
    : {
        bins: req.bins.filter((b) => !hasBin(b)),
        anyBins: req.anyBins.length > 0 && !req.anyBins.some(hasBin) ? req.anyBins : [],
        env: req.env.filter((name) => !envProvided(name, ctx, entry, meta.primaryEnv)),
        config: configChecks.filter((c) => !c.satisfied).map((c) => c.path),
        os,
      };
  const disabled = entry?.enabled === false;
  const allowBundled = (ctx.config.skills as { allowBundled?: unknown } | undefined)?.allowBundled;
  const blockedByAllowlist = skill.source === "openclaw-bundled" && Array.isArray(allowBundled) && !allowBundled.includes(skill.name) && !allowBundled.includes(skill.skillKey);
  const ok = Object.values(missing).every((list) => list.length === 0);
  return {
    name: skill.name,
    description: skill.description,
    source: skill.source,
    bundled: skill.source === "openclaw-bundled",
    path: skill.filePath,
    filePath: skill.filePath,
    baseDir: skill.baseDir,
    skillKey: skill.skillKey,
    ...(meta.primaryEnv && { primaryEnv: meta.primaryEnv }),
    ...(meta.emoji && { emoji: meta.emoji }),
    ...(skill.frontmatter.homepage && { homepage: skill.frontmatter.homepage }),
    always: meta.always,
    disableModelInvocation: skill.frontmatter.raw["disable-model-invocation"] === true,
    disabled,
    blockedByAllowlist,
    eligible: ok && !disabled && !blockedByAllowlist,
    requirements,
    missing,
    configChecks,
    install: [],
  };
}

/**
 * True when an executable named `bin` is in one of the `PATH` folders. Answers are reused for
 * {@link BIN_CACHE_MS} per (PATH, bin), so a binary that appears is seen within that time.
 */
export function hasBinOnPath(bin: string, path: string): boolean {
  const key = `${path}\0${bin}`;
  const hit = binCache.get(key);
  if (hit !== undefined) return hit;
  // A name with a slash is a path, not something to look up on PATH.
  const found = !bin.includes("/") && Bun.which(bin, { PATH: path }) !== null;
  binCache.set(key, found);
  return found;
}

/**
 * The environment the eligible skills bring to a run's commands: each `skills.entries.<key>.env` value and the
 * `apiKey` as the skill's `primaryEnv`, only for names the gateway's environment does not set already. A
 * SecretRef value is resolved now (from `env`, or a `secrets.providers` file); one that does not resolve is
 * left out. PATH and loader variables (LD_*, DYLD_*) are never taken (host commands refuse them).
 * @returns name → value; empty when nothing applies. The values are secrets: never log them.
 */
export function skillEnvOf(config: OpenClawConfig, skills: readonly Pick<SkillStatus, "skillKey" | "primaryEnv" | "eligible">[], env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (name: string, input: unknown) => {
    const upper = name.toUpperCase();
    if (env[name] || name in out) return;
    if (upper === "PATH" || upper.startsWith("LD_") || upper.startsWith("DYLD_")) return;
    const value = resolveSecretInput(input, { config, env });
    if (value?.ok) out[name] = value.value;
  };
  for (const s of skills) {
    if (!s.eligible) continue;
    const entry = skillConfigOf(config, s.skillKey);
    if (!entry) continue;
    if (entry.env && typeof entry.env === "object") for (const [k, v] of Object.entries(entry.env)) take(k, v);
    if (s.primaryEnv) take(s.primaryEnv, entry.apiKey);
  }
  return out;
}

/** Every binary the skills require (`requires.bins` and `anyBins`), sorted, without duplicates. */
export function collectSkillBins(skills: readonly SkillEntry[]): string[] {
  const bins = new Set<string>();
  for (const s of skills) for (const b of [...s.frontmatter.meta.requires.bins, ...s.frontmatter.meta.requires.anyBins]) bins.add(b);
  return [...bins].sort();
}

// --- internal ---

const binCache = new TtlCache<string, boolean>({ ttlMs: BIN_CACHE_MS, maxEntries: 2000 });

// The same test skillEnvOf applies, so "eligible" means the run's commands really get the variable.
function envProvided(name: string, ctx: SkillCheckContext, entry: SkillEntryConfig | undefined, primaryEnv: string | undefined): boolean {
  if (ctx.env[name]) return true;
  const own = entry?.env;
  const secrets = { config: ctx.config, env: ctx.env };
  if (own && typeof own === "object" && Object.hasOwn(own, name) && resolveSecretInput(own[name], secrets)?.ok) return true;
  return primaryEnv === name && resolveSecretInput(entry?.apiKey, secrets)?.ok === true;
}

/** The value at a dotted path (`channels.telegram.botToken`), or undefined. */
function valueAt(config: unknown, path: string): unknown {
  let cur: unknown = config;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}
