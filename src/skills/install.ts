/**
 * Installing a skill into the managed folder (`<stateDir>/skills/<name>`) from a local folder or a
 * `.tar.gz`/`.tgz`/`.tar`/`.zip` archive; nothing is downloaded. The archive's `SKILL.md` must be at its root
 * or in its single top folder. Every entry is checked before anything is written (archive.ts), symlinks must
 * be relative and stay inside the skill, the skill is unpacked into a staging folder, validated as a skill,
 * then renamed into place, so a refused or broken install leaves nothing behind.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import { isInside } from "../util/workspace-path.ts";
import { ARCHIVE_LIMITS, type ArchiveEntry, ArchiveError, checkEntryName, readArchive } from "./archive.ts";
import { isSkillProblem, readSkillDir, SKILL_NAME } from "./load.ts";

/** A refused install; the message says what and why (nothing was written). */
export class SkillInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SkillInstallError";
  }
}

/** Options of {@link installSkill}. */
export interface InstallSkillOptions {
  /** A folder holding SKILL.md, or an archive file. */
  source: string;
  /** The managed skills folder (`<stateDir>/skills`). */
  managedDir: string;
  /** Install under this name instead of the skill's own. */
  as?: string;
  /** Replace an installed skill of the same name. */
  force?: boolean;
}

/** What was installed. */
export interface InstallSkillResult {
  name: string;
  description: string;
  /** The installed folder. */
  dir: string;
  files: number;
  replaced: boolean;
}

/**
 * Installs one skill. Not safe to run concurrently for the same name.
 * @throws SkillInstallError (or ArchiveError, a subclass of Error naming the entry) when the source is missing,
 *   has no SKILL.md, is not a valid skill, escapes its folder, or the name is taken without `force`.
 */
export function installSkill(opts: InstallSkillOptions): InstallSkillResult {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(opts.source);
  } catch {
    throw new SkillInstallError(`${opts.source}: no such file or folder`);
  }
  mkdirSync(opts.managedDir, { recursive: true, mode: 0o755 });
  const staging = join(opts.managedDir, `.install-${crypto.randomUUID()}`);
  mkdirSync(staging, { mode: 0o755 });
  try {
    const files = st.isDirectory() ? copyFolder(opts.source, staging) : unpackArchive(opts.source, staging);
    const skill = readSkillDir(staging, "openclaw-managed");
    if (isSkillProblem(skill)) throw new SkillInstallError(`${opts.source}: not a valid skill: ${skill.message}`);
    const ownName = skill.frontmatter.name ?? (st.isDirectory() ? basename(opts.source) : undefined);
    const name = opts.as ?? ownName;
    if (!name) throw new SkillInstallError(`${opts.source}: SKILL.md has no name; give one with --as <name>`);
    if (!SKILL_NAME.test(name)) throw new SkillInstallError(`name ${JSON.stringify(name)}: expected letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit)`);
    const dest = join(opts.managedDir, name);
    const exists = pathExists(dest);
    if (exists && !opts.force) throw new SkillInstallError(`a skill named ${name} is already installed at ${dest}; add --force to replace it`);
    let old: string | undefined;
    if (exists) {
      old = join(opts.managedDir, `.old-${crypto.randomUUID()}`);
      renameSync(dest, old);
    }
    renameSync(staging, dest);
    if (old) rmSync(old, { recursive: true, force: true });
    return { name, description: skill.description, dir: dest, files, replaced: exists };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

// --- internal ---

function pathExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Copies a skill folder; symlinks are kept only when relative and inside it. @returns the number of files. */
function copyFolder(src: string, dest: string): number {
  const root = realpathSync(src);
  if (!pathExists(join(root, "SKILL.md"))) throw new SkillInstallError(`${src}: no SKILL.md in this folder (a skill is a folder with SKILL.md at its top)`);
  let files = 0;
  let bytes = 0;
  const links: [string, string][] = [];
  const walk = (dir: string, rel: string) => {
    for (const n of readdirSync(dir).sort()) {
      if (n === ".git") continue;
      const from = join(dir, n);
      const name = rel ? `${rel}/${n}` : n;
      const l = lstatSync(from);
      if (l.isSymbolicLink()) {
        links.push([name, readlinkSync(from)]);
      } else if (l.isDirectory()) {
        mkdirSync(join(dest, name), { mode: 0o755 });
        walk(from, name);
      } else if (l.isFile()) {
        bytes += l.size;
        if (++files > ARCHIVE_LIMITS.maxEntries || bytes > ARCHIVE_LIMITS.maxTotalBytes) throw new SkillInstallError(`${src}: too large to install (more than ${ARCHIVE_LIMITS.maxEntries} files or ${ARCHIVE_LIMITS.maxTotalBytes} bytes)`);
        writeFileSync(join(dest, name), readFileSync(from), { flag: "wx", mode: l.mode & 0o111 ? 0o755 : 0o644 });
      } else {
        throw new SkillInstallError(`${join(src, name)}: not a file, folder or symlink`);
      }
    }
  };
  walk(root, "");
  for (const [name, target] of links) placeSymlink(dest, name, target, src);
  verifySymlinks(dest, links.map(([n]) => n), src);
  return files;
}

/** Unpacks an archive's skill folder into `dest`. @returns the number of files. */
function unpackArchive(file: string, dest: string): number {
  let entries: ArchiveEntry[];
  try {
    entries = readArchive(file, readFileSync(file));
  } catch (err) {
    if (err instanceof ArchiveError) throw new SkillInstallError(`${file}: refused: ${err.message}`);
    throw err;
  }
  const prefix = skillPrefix(file, entries);
  let files = 0;
  const links: [string, string][] = [];
  for (const e of entries) {
    const name = prefix ? e.name.slice(prefix.length + 1) : e.name;
    if (prefix && e.name === prefix) continue;
    if (e.kind === "dir") mkdirSync(join(dest, name), { recursive: true, mode: 0o755 });
    else if (e.kind === "symlink") links.push([name, e.target]);
    else {
      mkdirSync(dirname(join(dest, name)), { recursive: true, mode: 0o755 });
      try {
        writeFileSync(join(dest, name), e.data, { flag: "wx", mode: e.mode & 0o111 ? 0o755 : 0o644 });
      } catch (err) {
        throw new SkillInstallError(`${file}: entry ${e.name}: ${(err as NodeJS.ErrnoException).code === "EEXIST" ? "appears twice" : (err as Error).message}`);
      }
      files++;
    }
  }
  for (const [name, target] of links) placeSymlink(dest, name, target, file);
  verifySymlinks(dest, links.map(([n]) => n), file);
  return files;
}

/** "" when SKILL.md is at the archive's root, the top folder when everything is in one that holds it. */
function skillPrefix(file: string, entries: ArchiveEntry[]): string {
  if (entries.some((e) => e.kind === "file" && e.name === "SKILL.md")) return "";
  const tops = new Set(entries.map((e) => e.name.split("/")[0]));
  const [top] = tops;
  if (tops.size === 1 && top && entries.some((e) => e.kind === "file" && e.name === `${top}/SKILL.md`)) return top;
  throw new SkillInstallError(`${file}: no SKILL.md at the archive's root or in its single top folder`);
}

/** Creates a symlink that must be relative and resolve inside the skill folder. */
function placeSymlink(root: string, name: string, target: string, source: string): void {
  const where = `${source}: symlink ${name} -> ${target}`;
  if (target === "" || target.startsWith("/") || /^[A-Za-z]:/.test(target)) throw new SkillInstallError(`${where}: absolute targets are refused (links must stay inside the skill)`);
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  if (resolved === ".." || resolved.startsWith("../")) throw new SkillInstallError(`${where}: leads out of the skill's folder`);
  checkEntryName(resolved);
  const at = join(root, name);
  mkdirSync(dirname(at), { recursive: true, mode: 0o755 });
  // The parent was created by us (or is a real folder of the copy), so the link lands inside `root`.
  if (!isInside(realpathSync(root), realpathSync(dirname(at)))) throw new SkillInstallError(`${where}: its folder leads out of the skill`);
  try {
    symlinkSync(target, at);
  } catch (err) {
    throw new SkillInstallError(`${where}: ${(err as NodeJS.ErrnoException).code === "EEXIST" ? "the name is taken by another entry" : (err as Error).message}`);
  }
}

/**
 * After every link is in place: each must resolve (through any other link) to something inside the skill.
 * Lexical checks alone miss `d/..` when `d` itself is a link.
 */
function verifySymlinks(root: string, names: readonly string[], source: string): void {
  const real = realpathSync(root);
  for (const name of names) {
    let target: string;
    try {
      target = realpathSync(join(root, name));
    } catch (err) {
      throw new SkillInstallError(`${source}: symlink ${name}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "points to nothing in the skill" : (err as Error).message}`);
    }
    if (!isInside(real, target)) throw new SkillInstallError(`${source}: symlink ${name}: leads out of the skill's folder`);
  }
}
