/**
 * Agents and models: `agents.list`, `agents.files.*`, `models.list`, `tools.effective`, and the
 * read-only views of configured agents other features share (`agents-view.ts`).
 */
import { AGENTS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { agentsFilesGet, agentsFilesList, agentsFilesSet } from "./agents-files.ts";
import { agentsList } from "./agents-list.ts";
import { modelsList } from "./models-list.ts";
import { toolsEffective } from "./tools-effective.ts";

/** The agents feature: its methods and the config it claims. */
export const agentsFeature = defineFeature({
  name: "agents",
  needs: AGENTS_NEEDS,
  methods: [
    defineMethod("models.list", modelsList),
    defineMethod("agents.list", agentsList),
    defineMethod("agents.files.list", agentsFilesList),
    defineMethod("agents.files.get", agentsFilesGet),
    defineMethod("agents.files.set", agentsFilesSet),
    defineMethod("tools.effective", toolsEffective),
  ],
  // Read on use: a change applies with the next call.
  config: { prefixes: ["identity", "models", "agents", "tools", "agent", "skills", "bindings", "routing", "messages"] },
});
