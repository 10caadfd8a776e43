/**
 * `write`: creates or replaces a file in the agent's workspace with the given text, creating folders, in
 * one atomic step (readers see the old file or the new one). Paths leaving the workspace are refused.
 */
import { Type as T } from "@sinclair/typebox";
import { resolveIn, writeInWorkspace } from "./_fs.ts";
import { defineTool } from "./define.ts";

/** The `write` tool. */
export const writeTool = defineTool({
  name: "write",
  description: "Create or overwrite a file in the workspace with the given content (folders are created). Paths are relative to the workspace.",
  group: "fs",
  http: false,
  needs: ["workspace"],
  parameters: T.Object(
    {
      path: T.String({ minLength: 1, description: "File path relative to the workspace." }),
      content: T.String({ description: "The complete new file content." }),
    },
    { additionalProperties: false },
  ),
  async execute({ path, content }, { ports }) {
    const file = resolveIn(ports.workspace, path);
    writeInWorkspace(ports.workspace, file, content);
    return `Wrote ${Buffer.byteLength(content)} bytes to ${file.display}`;
  },
});
