/**
 * The server-side allowlist of node commands. A node may declare any command in `connect.params.commands`;
 * the gateway keeps only the allowed ones, and `node.invoke` refuses the rest. Allowed =
 * (DEFAULT_NODE_COMMANDS ∪ `gateway.nodes.allowCommands`) − `gateway.nodes.denyCommands`; an entry ending
 * in `.*` matches every command under that prefix, and `*` matches everything. Read from the live config, so
 * edits apply without a restart.
 */
import type { OpenClawConfig } from "../../config/schema.ts";

/**
 * Commands allowed without configuration: canvas, the cheap read-only device queries, notifications and
 * the exec family (which the node itself gates with its exec approvals). Camera, screen recording, SMS,
 * contacts and calendar writes capture or change personal data and must be allowed explicitly.
 */
export const DEFAULT_NODE_COMMANDS: readonly string[] = [
  "canvas.present",
  "canvas.hide",
  "canvas.navigate",
  "canvas.eval",
  "canvas.snapshot",
  "canvas.a2ui.push",
  "canvas.a2ui.pushJSONL",
  "canvas.a2ui.reset",
  "camera.list",
  "location.get",
  "device.info",
  "device.status",
  "system.notify",
  "system.run",
  "system.which",
  "system.execApprovals.get",
  "system.execApprovals.set",
  "browser.proxy",
];

/** Commands that run programs on the node: approving a node that declares one needs operator.admin. */
export const EXEC_NODE_COMMANDS: readonly string[] = ["system.run", "system.run.prepare", "system.which"];

/**
 * Scopes an operator needs to approve a node that declares `commands`, pairing included: a node that declares
 * commands becomes invokable (operator.write), one that declares exec commands can run programs
 * (operator.admin). Applied to every approval path (device.pair.approve, node.pair.approve) and to the set a
 * node declares when it connects, never to a request an operator could rewrite. Pure.
 */
export function scopesToApproveNode(commands: readonly string[]): string[] {
  if (commands.some((c) => EXEC_NODE_COMMANDS.includes(c))) return ["operator.pairing", "operator.admin"];
  if (commands.length > 0) return ["operator.pairing", "operator.write"];
  return ["operator.pairing"];
}

/** The allowlist in effect for `config`. Pure. */
export function resolveNodeCommandPolicy(config: OpenClawConfig): NodeCommandPolicy {
  const nodes = config.gateway?.nodes;
  return new NodeCommandPolicy([...DEFAULT_NODE_COMMANDS, ...(nodes?.allowCommands ?? [])], nodes?.denyCommands ?? []);
}

/** A resolved allow/deny list. */
export class NodeCommandPolicy {
  readonly #allow: readonly string[];
  readonly #deny: readonly string[];

  constructor(allow: readonly string[], deny: readonly string[] = []) {
    this.#allow = allow.map((s) => s.trim()).filter(Boolean);
    this.#deny = deny.map((s) => s.trim()).filter(Boolean);
  }

  /** True when `command` is allowed (deny wins over allow). */
  allows(command: string): boolean {
    return this.#allow.some((p) => matches(p, command)) && !this.#deny.some((p) => matches(p, command));
  }

  /** The allowed subset of `commands`, deduplicated, in the given order. */
  filter(commands: readonly string[]): string[] {
    return [...new Set(commands)].filter((c) => this.allows(c));
  }
}

function matches(pattern: string, command: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return command.startsWith(pattern.slice(0, -1));
  return pattern === command;
}
