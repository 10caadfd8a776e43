import { agentIds, resolveWorkspace } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import { buildAgentSkillsReport, collectSkillBins, loadSkills, type SkillsReport, skillRootsOf } from "../../skills/index.ts";
import type { MethodHandler } from "../context.ts";
import type { SkillsHost } from "./_host.ts";

/**
 * `skills.status {agentId?}`: every skill the agent sees (bundled, `<stateDir>/skills`, its workspace's
 * `skills/`; later wins), each with its requirements, what is missing, and whether it is eligible now.
 * Binaries are looked up on the gateway's PATH at call time.
 * @throws GatewayError INVALID_REQUEST for an agent id that is not configured.
 */
export const skillsStatus: MethodHandler<"skills.status", SkillsHost> = (ctx, params) => {
  return reportFor(ctx.host, params.agentId);
};

/**
 * `skills.bins` (nodes): every binary any skill of any agent requires, so a node can say which it has.
 * @returns `{bins}` sorted, without duplicates.
 */
export const skillsBins: MethodHandler<"skills.bins", SkillsHost> = (ctx) => {
  const { ids, defaultId } = agentIds(ctx.host.config);
  const bins = new Set<string>();
  for (const id of ids) {
    const { skills } = loadSkills(skillRootsOf(ctx.host.stateDir, resolveWorkspace(ctx.host.config, id, id === defaultId)));
    for (const b of collectSkillBins(skills)) bins.add(b);
  }
  return { bins: [...bins].sort() };
};

/** The report of one agent (default: the default agent). @throws GatewayError INVALID_REQUEST for an unknown agent. */
export function reportFor(gw: Pick<SkillsHost, "config" | "stateDir">, agentId: string | undefined): SkillsReport {
  const report = buildAgentSkillsReport({ config: gw.config, env: process.env, stateDir: gw.stateDir, agentId });
  if (!report) throw new GatewayError("INVALID_REQUEST", `unknown agent id "${agentId?.trim()}"`);
  return report;
}
