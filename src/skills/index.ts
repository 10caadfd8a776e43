/**
 * Skills: folders with a `SKILL.md` that teach the agent a task. Parsing, the three locations (bundled in the
 * binary, `<stateDir>/skills`, the workspace's `skills/`), eligibility, the prompt list and installing one.
 */
export { BIN_CACHE_MS, checkSkill, collectSkillBins, hasBinOnPath, skillConfigOf, skillEnvOf, type SkillCheckContext, type SkillEntryConfig, type SkillRequirements, type SkillStatus } from "./eligibility.ts";
export { parseSkillFile, SkillFormatError, type ParsedSkillFile, type SkillFrontmatter, type SkillMeta } from "./frontmatter.ts";
export { isSkillProblem, loadSkills, materializeBundledSkills, MAX_SKILL_DEPTH, MAX_SKILL_FILE_BYTES, readSkillDir, SKILL_NAME, type SkillEntry, type SkillProblem, type SkillRoots, skillRootsOf, type SkillSource } from "./load.ts";
export { buildAgentSkillsReport, buildSkillsReport, formatSkillsPrompt, type PromptSkill, type SkillsReport, type SkillsReportOptions } from "./report.ts";
export { ARCHIVE_LIMITS, type ArchiveEntry, ArchiveError, readArchive } from "./archive.ts";
export { installSkill, type InstallSkillOptions, type InstallSkillResult, SkillInstallError } from "./install.ts";
