/**
 * The skills of one agent with their eligibility (`skills.status`, `openclaw skills list|check`), and the
 * compact list of eligible skills the system prompt carries.
 */
import { resolveAgentWorkspace } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { checkSkill, type SkillStatus } from "./eligibility.ts";
import { loadSkills, type SkillProblem, skillRootsOf } from "./load.ts";

type Env = Record<string, string | undefined>;

/** What `skills.status` answers. */
export interface SkillsReport {
  workspaceDir: string;
  managedSkillsDir: string;
  bundledSkillsDir: string;
  skills: SkillStatus[];
  /** Skill folders that were skipped (bad front matter, symlink out, …). */
  problems: SkillProblem[];
}

/** Inputs of {@link buildSkillsReport}. */
export interface SkillsReportOptions {
  config: OpenClawConfig;
  env: Env;
  stateDir: string;
  /** The agent's workspace folder. */
  workspace: string;
  platform?: string;
}

/** Loads and checks every skill of an agent. Never throws (problems are reported). */
export function buildSkillsReport(opts: SkillsReportOptions): SkillsReport {
  const roots = skillRootsOf(opts.stateDir, opts.workspace);
  const { skills, problems } = loadSkills(roots);
  return {
    workspaceDir: opts.workspace,
    managedSkillsDir: roots.managed,
    bundledSkillsDir: roots.bundled,
    skills: skills.map((s) => checkSkill(s, { config: opts.config, env: opts.env, platform: opts.platform })),
    problems,
  };
}

/**
 * The report of one configured agent (default: the default agent), its workspace resolved from the config.
 * @returns undefined when `agentId` names no configured agent (matched case-insensitively, as upstream).
 */
export function buildAgentSkillsReport(opts: Omit<SkillsReportOptions, "workspace"> & { agentId?: string }): SkillsReport | undefined {
  const list = opts.config.agents?.list ?? [];
  const ids = list.length ? list.map((a) => a.id) : ["main"];
  const defaultId = list.length ? (list.find((a) => a.default) ?? list[0])?.id ?? "main" : "main";
  const wanted = opts.agentId?.trim() ?? "";
  const agentId = wanted ? (ids.find((id) => id === wanted) ?? ids.find((id) => id.toLowerCase() === wanted.toLowerCase())) : defaultId;
  if (!agentId) return undefined;
  return buildSkillsReport({ ...opts, workspace: resolveAgentWorkspace(opts.config, agentId, agentId === defaultId, opts.env) });
}

/** One skill as the system prompt lists it. */
export interface PromptSkill {
  name: string;
  description: string;
  /** Absolute path of its SKILL.md. */
  path: string;
}

/** Longest description kept in the prompt list. */
const PROMPT_DESCRIPTION_CHARS = 240;

/**
 * The system prompt section listing the eligible skills, telling the model to read a skill's SKILL.md with
 * `read` before using it. Empty string when there are none.
 */
export function formatSkillsPrompt(skills: readonly PromptSkill[]): string {
  if (skills.length === 0) return "";
  const oneLine = (s: string) => {
    const flat = s.replace(/\s+/g, " ").trim();
    return flat.length > PROMPT_DESCRIPTION_CHARS ? `${flat.slice(0, PROMPT_DESCRIPTION_CHARS - 1)}…` : flat;
  };
  return [
    "## Skills",
    "Skills are instructions for particular tasks, each in a SKILL.md file. Before answering, check the list: when one skill clearly fits the request, read its SKILL.md with the `read` tool (the exact path below) and follow it; read only that one. When none fits, do not read any. In a skill, {baseDir} means the folder holding its SKILL.md.",
    ...skills.map((s) => `- ${s.name}: ${oneLine(s.description)} (${s.path})`),
  ].join("\n");
}
