/**
 * Finding skills: the bundled ones (written from the binary to `<stateDir>/bundled-skills`), the managed ones
 * in `<stateDir>/skills` and the workspace's `skills/`, in that order; a later source wins for the same name.
 * A skill is a folder holding `SKILL.md`; folders may be grouped (`skills/personal/notes/SKILL.md`) up to
 * {@link MAX_SKILL_DEPTH} levels. Unreadable or malformed skills are reported, never thrown, and the rest load.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { isInside } from "../util/workspace-path.ts";
import { BUNDLED_SKILLS } from "./bundled/index.ts";
import { parseSkillFile, type SkillFrontmatter } from "./frontmatter.ts";

/** Where a skill came from (the upstream's names). */
export type SkillSource = "openclaw-bundled" | "openclaw-managed" | "openclaw-workspace";

/** Levels below a root searched for `SKILL.md`. */
export const MAX_SKILL_DEPTH = 4;
/** Largest `SKILL.md` read. */
export const MAX_SKILL_FILE_BYTES = 256 * 1024;
/** What a skill name may look like (it is a config key and a folder name). */
export const SKILL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A loaded skill. */
export interface SkillEntry {
  name: string;
  description: string;
  source: SkillSource;
  /** Absolute real path of its `SKILL.md`. */
  filePath: string;
  /** Absolute real path of its folder. */
  baseDir: string;
  /** Its key under `skills.entries` (`metadata.openclaw.skillKey`, else the name). */
  skillKey: string;
  frontmatter: SkillFrontmatter;
}

/** A skill folder that was skipped, and why. */
export interface SkillProblem {
  path: string;
  message: string;
}

/** The three skill folders of one agent, lowest precedence first. */
export interface SkillRoots {
  bundled: string;
  managed: string;
  workspace: string;
}

/** The skill folders for a state dir and an agent workspace. */
export function skillRootsOf(stateDir: string, workspace: string): SkillRoots {
  return { bundled: join(stateDir, "bundled-skills"), managed: join(stateDir, "skills"), workspace: join(workspace, "skills") };
}

/**
 * Loads every skill of the three roots; the bundled folder is (re)written from the binary first. Skills are
 * sorted by name; a same-named skill of a later root replaces the earlier one.
 * @returns the winners and the problems found on the way (empty when all is well). Never throws.
 */
export function loadSkills(roots: SkillRoots): { skills: SkillEntry[]; problems: SkillProblem[] } {
  const problems: SkillProblem[] = [];
  try {
    materializeBundledSkills(roots.bundled);
  } catch (err) {
    problems.push({ path: roots.bundled, message: `could not write the bundled skills: ${(err as Error).message}` });
  }
  const byName = new Map<string, SkillEntry>();
  const sources: [string, SkillSource][] = [
    [roots.bundled, "openclaw-bundled"],
    [roots.managed, "openclaw-managed"],
    [roots.workspace, "openclaw-workspace"],
  ];
  for (const [root, source] of sources) {
    for (const skill of scanRoot(root, source, problems)) byName.set(skill.name, skill);
  }
  return { skills: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)), problems };
}

/**
 * Reads one skill folder.
 * @returns the entry, or a problem naming the file and what is wrong.
 */
export function readSkillDir(dir: string, source: SkillSource): SkillEntry | SkillProblem {
  const file = join(dir, "SKILL.md");
  let baseDir: string;
  let filePath: string;
  try {
    baseDir = realpathSync(dir);
    filePath = realpathSync(file);
  } catch (err) {
    return { path: file, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (!isInside(baseDir, filePath)) return { path: file, message: "SKILL.md is a symlink leading out of its folder" };
  const st = statSync(filePath);
  if (!st.isFile()) return { path: file, message: "SKILL.md is not a regular file" };
  if (st.size > MAX_SKILL_FILE_BYTES) return { path: file, message: `SKILL.md is too large (${st.size} bytes, limit ${MAX_SKILL_FILE_BYTES})` };
  let fm: SkillFrontmatter;
  try {
    fm = parseSkillFile(readFileSync(filePath, "utf8")).frontmatter;
  } catch (err) {
    return { path: file, message: (err as Error).message };
  }
  const name = fm.name ?? basename(dir);
  if (!SKILL_NAME.test(name)) return { path: file, message: `name ${JSON.stringify(name)}: expected letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit)` };
  if (!fm.description) return { path: file, message: "description is missing (the front matter needs `description: …`)" };
  return { name, description: fm.description, source, filePath, baseDir, skillKey: fm.meta.skillKey ?? name, frontmatter: fm };
}

/** True when `x` is a problem rather than a skill. */
export function isSkillProblem(x: SkillEntry | SkillProblem): x is SkillProblem {
  return "message" in x;
}

/**
 * Writes the bundled skills into `dir` (`<dir>/<name>/SKILL.md`), rewriting a file only when it differs.
 * Done once per process and folder; a later deletion is repaired by the next start.
 * @throws Error from the file system.
 */
export function materializeBundledSkills(dir: string): void {
  if (materialized.has(dir) && existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const b of BUNDLED_SKILLS) {
    const file = join(dir, b.dir, "SKILL.md");
    let current: string | undefined;
    try {
      current = readFileSync(file, "utf8");
    } catch {
      current = undefined;
    }
    if (current !== b.text) writeFileAtomic(file, b.text, { mode: 0o644, dirMode: 0o755 });
  }
  materialized.add(dir);
}

// --- internal ---

const materialized = new Set<string>();

function scanRoot(root: string, source: SkillSource, problems: SkillProblem[]): SkillEntry[] {
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch {
    return [];
  }
  const out: SkillEntry[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith(".") || n === "node_modules") continue;
      const child = join(dir, n);
      let real: string;
      try {
        if (!statSync(child).isDirectory()) continue;
        real = realpathSync(child);
      } catch {
        continue;
      }
      // Workspace skills may not lead out of the workspace's skills/ through a symlink (the managed folder
      // is the user's own and may link elsewhere).
      if (source === "openclaw-workspace" && !isInside(rootReal, real)) {
        problems.push({ path: child, message: "skill folder is a symlink leading out of the skills folder; skipped" });
        continue;
      }
      if (existsSync(join(child, "SKILL.md")) || isDanglingLink(join(child, "SKILL.md"))) {
        const r = readSkillDir(child, source);
        if (isSkillProblem(r)) problems.push(r);
        else out.push(r);
      } else if (depth < MAX_SKILL_DEPTH) {
        walk(child, depth + 1);
      }
    }
  };
  walk(rootReal, 1);
  return out;
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
