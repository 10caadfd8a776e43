/**
 * The `vision` port of a run's tools: which model answers the `image` tool, and the call through the model
 * layer. `agents.defaults.imageModel` (a ref, or `{primary, fallbacks}`, as upstream) picks a dedicated
 * vision model; without it the run's own model chain is used.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { toErrorMessage } from "../errors.ts";
import type * as Llm from "./llm/index.ts";
import { modelChain, resolveModel } from "./models.ts";
import type { ToolVision } from "./tools/index.ts";

/** What {@link createVisionPort} needs from the run. */
export interface VisionPortOptions {
  config: OpenClawConfig;
  agentId: string;
  /** The session's model override, if any. */
  modelOverride?: string;
  env: Record<string, string | undefined>;
  loadModelLayer: () => Promise<typeof Llm>;
}

/** The refs the image tool tries, in order: `agents.defaults.imageModel` and its fallbacks, else the run's chain. */
export function imageModelChain(config: OpenClawConfig, agentId: string, override?: string): string[] {
  const setting = (config.agents?.defaults as { imageModel?: unknown } | undefined)?.imageModel;
  const refs = typeof setting === "string" ? [setting] : setting && typeof setting === "object" ? [(setting as { primary?: unknown }).primary, ...(((setting as { fallbacks?: unknown }).fallbacks as unknown[] | undefined) ?? [])] : [];
  const configured = refs.filter((r): r is string => typeof r === "string" && r.trim() !== "").map((r) => r.trim());
  return configured.length > 0 ? [...new Set(configured)] : modelChain(config, agentId, override);
}

/** The port; nothing is loaded or resolved until the first call. */
export function createVisionPort(opts: VisionPortOptions): ToolVision {
  return {
    async describe({ image, prompt, signal }) {
      const llm = await opts.loadModelLayer();
      const failures: string[] = [];
      for (const ref of imageModelChain(opts.config, opts.agentId, opts.modelOverride)) {
        if (signal.aborted) throw new Error("aborted");
        try {
          const spec = resolveModel(opts.config, ref, opts.env);
          const { text } = await llm.describeImage({ spec, image, prompt, signal });
          return { text, model: ref };
        } catch (err) {
          if (signal.aborted) throw new Error("aborted");
          failures.push(`${ref}: ${toErrorMessage(err)}`);
        }
      }
      throw new Error(`no image model answered (${failures.join("; ") || "none configured"})`);
    },
  };
}
