/**
 * The tool interface the agent runtime offers to models. Tools are plain objects; `llm/` adapts them to
 * the SDK. A tool returns text for the model, or throws: the message becomes an error result the model sees.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import type { Store } from "../../store/index.ts";

/** A JSON Schema object describing a tool's arguments. */
export type ToolParameters = { type: "object"; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };

/** One tool. `execute` may be called concurrently with other tools of the same run. */
export interface AgentTool {
  name: string;
  description: string;
  parameters: ToolParameters;
  execute(args: Record<string, unknown>, opts: { signal: AbortSignal }): Promise<string>;
}

/** A connected node as tools see it. */
export interface ToolNode {
  nodeId: string;
  displayName?: string;
  /** The commands it declared that the gateway allows. */
  commands: string[];
}

/**
 * What tools may do with the gateway's nodes (the gateway passes an adapter; the agent never imports it).
 * Both methods are safe to call concurrently.
 */
export interface ToolNodes {
  /** Nodes connected now; empty when none. */
  list(): ToolNode[];
  /**
   * Invokes a command on a connected node.
   * @returns the node's payload (undefined when it sent none).
   * @throws Error (the gateway's) when the node is gone, refuses, times out or the params are invalid.
   */
  invoke(input: { nodeId: string; command: string; params?: unknown; timeoutMs: number; idempotencyKey: string }): Promise<{ payload?: unknown }>;
}

/** What tools may read about the run they serve. */
export interface ToolContext {
  config: OpenClawConfig;
  store: Store;
  agentId: string;
  sessionKey: string;
  /** The gateway's nodes; without it, tools that drive nodes (`canvas`) are left out. */
  nodes?: ToolNodes;
}
