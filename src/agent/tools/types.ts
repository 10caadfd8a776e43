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

/** What tools may read about the run they serve. */
export interface ToolContext {
  config: OpenClawConfig;
  store: Store;
  agentId: string;
  sessionKey: string;
}
