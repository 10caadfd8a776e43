/**
 * `edit`: replaces exactly one occurrence of `oldText` with `newText` in a workspace file. None or several
 * occurrences are refused (saying how many), so an edit never lands in the wrong place.
 */
import { Type as T } from "@sinclair/typebox";
import { readWholeText, resolveIn, writeInWorkspace } from "./_fs.ts";
import { defineTool } from "./define.ts";

/** The `edit` tool. */
export const editTool = defineTool({
  name: "edit",
  description: "Replace one exact occurrence of oldText with newText in a workspace file. oldText must occur exactly once; include surrounding lines to make it unique.",
  group: "fs",
  http: false,
  needs: ["workspace"],
  parameters: T.Object(
    {
      path: T.String({ minLength: 1, description: "File path relative to the workspace." }),
      oldText: T.String({ minLength: 1, description: "Exact text to replace (must occur exactly once)." }),
      newText: T.String({ description: "Replacement text." }),
    },
    { additionalProperties: false },
  ),
  async execute({ path, oldText, newText }, { ports }) {
    const file = resolveIn(ports.workspace, path);
    const text = readWholeText(ports.workspace, file);
    const count = countOccurrences(text, oldText);
    if (count === 0) throw new Error(`${file.display}: oldText not found (0 occurrences); nothing changed`);
    if (count > 1) throw new Error(`${file.display}: oldText occurs ${count} times; include more surrounding text so it matches exactly once; nothing changed`);
    const at = text.indexOf(oldText);
    writeInWorkspace(ports.workspace, file, text.slice(0, at) + newText + text.slice(at + oldText.length));
    const line = text.slice(0, at).split("\n").length;
    return `Edited ${file.display}: replaced 1 occurrence at line ${line}`;
  },
});

/** Non-overlapping occurrences of `needle` in `text`. */
export function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
