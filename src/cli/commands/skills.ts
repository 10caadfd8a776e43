/**
 * `openclaw skills list|info <name>|check|install <folder|archive>`. list/info/check ask the running gateway
 * (`skills.status`: its config, PATH and state dir); when no gateway answers and no `--url` was given they read
 * this profile's config and folders directly and say so. `install` copies a skill folder or a
 * .tar.gz/.tgz/.tar/.zip archive into `<stateDir>/skills` on this machine; nothing is downloaded.
 */
import { defineCommand } from "citty";
import { resolve } from "node:path";
import { GatewayTransportError } from "../../client/gateway-client.ts";
import { loadConfig } from "../../config/load.ts";
import { resolveConfigPath, resolveStateDir } from "../../config/paths.ts";
import { CliError } from "../../errors.ts";
import { buildAgentSkillsReport, installSkill, type SkillsReport, type SkillStatus, SkillInstallError } from "../../skills/index.ts";
import { callGateway, printTable } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

const AGENT_ARG = { agent: { type: "string", description: "Agent id (default: the default agent)" } } as const;

const list = defineCommand({
  meta: { name: "list", description: "List every skill: source, eligible or what is missing" },
  args: { eligible: { type: "boolean", description: "Only eligible skills" }, ...AGENT_ARG, ...RPC_ARGS },
  async run({ args }) {
    const { report, local } = await fetchReport(args);
    const skills = args.eligible ? report.skills.filter((s) => s.eligible) : report.skills;
    if (args.json) return printJson({ ...report, skills });
    if (local) process.stdout.write(`${local}\n`);
    printTable(
      ["NAME", "SOURCE", "STATUS", "DESCRIPTION"],
      skills.map((s) => [s.name, s.source.replace(/^openclaw-/, ""), s.eligible ? "ready" : whyNot(s), cut(s.description, 70)]),
      "No skills.",
    );
  },
});

const info = defineCommand({
  meta: { name: "info", description: "Show one skill: where it is, what it requires, what is missing" },
  args: { name: { type: "positional", description: "Skill name", required: true }, ...AGENT_ARG, ...RPC_ARGS },
  async run({ args }) {
    const { report, local } = await fetchReport(args);
    const s = report.skills.find((x) => x.name === args.name) ?? report.skills.find((x) => x.skillKey === args.name);
    if (!s) throw new CliError(`No skill named ${args.name}. \`openclaw skills list\` shows the skills this agent has.`, { code: "NOT_FOUND" });
    if (args.json) return printJson(s);
    if (local) process.stdout.write(`${local}\n`);
    const req = s.requirements;
    const lines = [
      `${s.emoji ? `${s.emoji} ` : ""}${s.name}: ${s.eligible ? "ready" : whyNot(s)}`,
      `  ${s.description}`,
      `  source:   ${s.source}`,
      `  file:     ${s.path}`,
      ...(s.skillKey !== s.name ? [`  config:   skills.entries.${s.skillKey}`] : []),
      ...(s.homepage ? [`  homepage: ${s.homepage}`] : []),
      ...(req.bins.length ? [`  bins:     ${mark(req.bins, s.missing.bins)}`] : []),
      ...(req.anyBins.length ? [`  any of:   ${mark(req.anyBins, s.missing.anyBins)}`] : []),
      ...(req.env.length ? [`  env:      ${mark(req.env, s.missing.env)}${s.primaryEnv ? ` (apiKey sets ${s.primaryEnv})` : ""}`] : []),
      ...(req.config.length ? [`  config:   ${mark(req.config, s.missing.config)}`] : []),
      ...(req.os.length ? [`  os:       ${req.os.join(", ")}${s.missing.os.length ? ` (not ${process.platform})` : ""}`] : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  },
});

const check = defineCommand({
  meta: { name: "check", description: "Summarize which skills are ready and why the others are not" },
  args: { ...AGENT_ARG, ...RPC_ARGS },
  async run({ args }) {
    const { report, local } = await fetchReport(args);
    const ready = report.skills.filter((s) => s.eligible);
    const off = report.skills.filter((s) => s.disabled || s.blockedByAllowlist);
    const missing = report.skills.filter((s) => !s.eligible && !s.disabled && !s.blockedByAllowlist);
    if (args.json) return printJson({ ready: ready.map((s) => s.name), disabled: off.map((s) => s.name), missing: missing.map((s) => ({ name: s.name, missing: s.missing })), problems: report.problems });
    const out: string[] = [];
    if (local) out.push(local);
    out.push(`${report.skills.length} skills: ${ready.length} ready, ${missing.length} missing requirements, ${off.length} disabled`);
    if (ready.length) out.push(`Ready: ${ready.map((s) => s.name).join(", ")}`);
    for (const s of missing) out.push(`Not ready: ${s.name}: ${whyNot(s)}`);
    for (const s of off) out.push(`Disabled: ${s.name}${s.blockedByAllowlist ? " (not in skills.allowBundled)" : ""}`);
    for (const p of report.problems) out.push(`Skipped: ${p.path}: ${p.message}`);
    process.stdout.write(`${out.join("\n")}\n`);
  },
});

const install = defineCommand({
  meta: { name: "install", description: "Install a skill from a folder or a .tar.gz/.tgz/.tar/.zip into this profile's skills folder (no download)" },
  args: {
    source: { type: "positional", description: "Skill folder (with SKILL.md) or archive", required: true },
    as: { type: "string", description: "Install under this name instead of the skill's own" },
    force: { type: "boolean", description: "Replace an installed skill of the same name" },
    json: { type: "boolean", description: "Print JSON" },
  },
  run({ args }) {
    const managedDir = resolve(resolveStateDir(), "skills");
    let result: ReturnType<typeof installSkill>;
    try {
      result = installSkill({ source: resolve(args.source), managedDir, ...(args.as && { as: args.as }), force: args.force === true });
    } catch (err) {
      if (err instanceof SkillInstallError) throw new CliError(err.message, { code: "INVALID_REQUEST" });
      throw err;
    }
    if (args.json) return printJson({ ok: true, ...result });
    process.stdout.write(`${result.replaced ? "Replaced" : "Installed"} skill ${result.name} (${result.files} files) in ${result.dir}\nCheck it with \`openclaw skills info ${result.name}\`; agents see it from their next run.\n`);
  },
});

/** `openclaw skills`. */
export const skillsCommand = defineCommand({
  meta: { name: "skills", description: "List, check and install agent skills" },
  subCommands: { list, info, check, install },
});

// --- internal ---

/** `skills.status` from the gateway, or (gateway unreachable, no --url) the same report built locally. */
async function fetchReport(args: { agent?: string; url?: string; port?: string; token?: string; password?: string; timeout?: string }): Promise<{ report: SkillsReport; local?: string }> {
  try {
    const report = await callGateway<SkillsReport>(args, "skills.status", args.agent ? { agentId: args.agent } : {});
    return { report };
  } catch (err) {
    if (!(err instanceof GatewayTransportError) || args.url) throw err;
  }
  const config = loadConfig(resolveConfigPath()).config;
  const report = buildAgentSkillsReport({ config, env: process.env, stateDir: resolveStateDir(), ...(args.agent && { agentId: args.agent }) });
  if (!report) throw new CliError(`Unknown agent id "${args.agent}".`);
  return { report, local: "(gateway not running: read from this profile's config and folders; PATH is this shell's)" };
}

function whyNot(s: SkillStatus): string {
  if (s.disabled) return "disabled (skills.entries)";
  if (s.blockedByAllowlist) return "not in skills.allowBundled";
  const m = s.missing;
  const parts = [
    m.bins.length && `missing bins: ${m.bins.join(", ")}`,
    m.anyBins.length && `needs one of: ${m.anyBins.join(", ")}`,
    m.env.length && `missing env: ${m.env.join(", ")}`,
    m.config.length && `missing config: ${m.config.join(", ")}`,
    m.os.length && `os: ${m.os.join("/")} only`,
  ].filter(Boolean);
  return parts.join("; ") || "not eligible";
}

function mark(all: string[], missing: string[]): string {
  return all.map((x) => (missing.includes(x) ? `${x} (missing)` : `${x} ✓`)).join(", ");
}

function cut(s: string, n: number): string {
  const flat = s.replace(/\s+/g, " ");
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}
