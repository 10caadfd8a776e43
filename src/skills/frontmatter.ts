/**
 * `SKILL.md` front matter: the YAML block between the leading `---` lines. Parsed with Bun's YAML parser;
 * when that refuses the block (skills written for the upstream often have an unquoted `: ` inside a
 * description), a line parser takes each top-level `key: rest of line` as is, with indented lines continuing
 * the previous key, and parses values that look like JSON/flow objects (`metadata: {"openclaw": …}`).
 */
import JSON5 from "json5";

/** What a skill declares about itself (the fields this gateway reads; the rest is kept in `raw`). */
export interface SkillFrontmatter {
  name?: string;
  description?: string;
  homepage?: string;
  /** `metadata.openclaw` (or the legacy `metadata.clawdbot`, or a bare `metadata` holding `requires`/`os`). */
  meta: SkillMeta;
  /** Every top-level key as parsed. */
  raw: Record<string, unknown>;
}

/** The gating part of a skill's metadata, normalized to arrays of strings. */
export interface SkillMeta {
  requires: { bins: string[]; anyBins: string[]; env: string[]; config: string[] };
  os: string[];
  primaryEnv?: string;
  skillKey?: string;
  emoji?: string;
  homepage?: string;
  /** Eligible whatever `requires` says (but still only on a listed `os`). */
  always: boolean;
}

/** A parsed `SKILL.md`. */
export interface ParsedSkillFile {
  frontmatter: SkillFrontmatter;
  /** The markdown after the front matter. */
  body: string;
}

/** A `SKILL.md` that cannot be read as a skill; `message` says which part and why. */
export class SkillFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SkillFormatError";
  }
}

/**
 * Parses a `SKILL.md` text.
 * @throws SkillFormatError when there is no front matter block, it is not a mapping, or `metadata` is not an object.
 */
export function parseSkillFile(text: string): ParsedSkillFile {
  const src = text.replace(/^\uFEFF/, "");
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(src);
  if (!m) throw new SkillFormatError("no front matter: SKILL.md must start with a `---` line, the YAML fields, and a closing `---` line");
  const block = m[1] as string;
  const raw = parseBlock(block);
  const str = (v: unknown) => (typeof v === "string" ? v.trim() || undefined : typeof v === "number" ? String(v) : undefined);
  const meta = toMeta(raw.metadata);
  return {
    frontmatter: { name: str(raw.name), description: str(raw.description), homepage: str(raw.homepage) ?? meta.homepage, meta, raw },
    body: src.slice(m[0].length),
  };
}

// --- internal ---

function parseBlock(block: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = Bun.YAML.parse(block);
  } catch {
    return parseLines(block);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new SkillFormatError("front matter must be a mapping of fields (name: …, description: …)");
  return parsed as Record<string, unknown>;
}

/** The fallback: `key: value` per top-level line, indented lines appended to the last key. */
function parseLines(block: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let key: string | undefined;
  const parts = new Map<string, string[]>();
  for (const line of block.split(/\r?\n/)) {
    const top = /^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*)|\s*)$/.exec(line);
    if (top && !/^\s/.test(line)) {
      key = top[1] as string;
      parts.set(key, [top[2] ?? ""]);
    } else if (key && line.trim() !== "" && !line.trimStart().startsWith("#")) {
      parts.get(key)?.push(line.trim());
    }
  }
  for (const [k, lines] of parts) {
    const text = lines.join(k === "metadata" || /^[{[]/.test(lines[0] ?? "") ? "\n" : " ").trim();
    out[k] = toValue(text);
  }
  return out;
}

function toValue(text: string): unknown {
  if (/^[{[]/.test(text)) {
    try {
      return JSON5.parse(text);
    } catch {
      try {
        return Bun.YAML.parse(text);
      } catch {
        return text;
      }
    }
  }
  const quoted = /^(["'])([\s\S]*)\1$/.exec(text);
  if (quoted) return quoted[2];
  if (text === "true" || text === "false") return text === "true";
  return text;
}

function toMeta(metadata: unknown): SkillMeta {
  let m = metadata;
  if (typeof m === "string") {
    try {
      m = JSON5.parse(m);
    } catch (err) {
      throw new SkillFormatError(`metadata: not a JSON5 object (${(err as Error).message})`);
    }
  }
  if (m !== undefined && m !== null && (typeof m !== "object" || Array.isArray(m))) throw new SkillFormatError("metadata: must be an object");
  const outer = (m ?? {}) as Record<string, unknown>;
  // Skills written for the upstream nest the fields under `openclaw` (older ones under `clawdbot`).
  const inner = [outer.openclaw, outer.clawdbot, outer.clawdis].find((v) => v && typeof v === "object" && !Array.isArray(v)) ?? outer;
  const o = inner as Record<string, unknown>;
  const req = (o.requires && typeof o.requires === "object" ? o.requires : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  return {
    requires: { bins: strings(req.bins, "requires.bins"), anyBins: strings(req.anyBins, "requires.anyBins"), env: strings(req.env, "requires.env"), config: strings(req.config, "requires.config") },
    os: strings(o.os, "os"),
    ...(str(o.primaryEnv) && { primaryEnv: str(o.primaryEnv) }),
    ...(str(o.skillKey) && { skillKey: str(o.skillKey) }),
    ...(str(o.emoji) && { emoji: str(o.emoji) }),
    ...(str(o.homepage) && { homepage: str(o.homepage) }),
    always: o.always === true,
  };
}

/** A string or a list of strings as a list; anything else is a format error naming the field. */
function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== "string")) throw new SkillFormatError(`metadata ${field}: must be a list of strings`);
  return list.map((x: string) => x.trim()).filter(Boolean);
}
