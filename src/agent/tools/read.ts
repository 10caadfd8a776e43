/**
 * `read`: a workspace file as numbered lines (from `offset`, at most `limit` lines, long lines cut), or,
 * for a PNG/JPEG/GIF/WebP file, the image itself so the model can see it. Binary files are refused.
 */
import { Type as T } from "@sinclair/typebox";
import { readInWorkspace } from "../../util/workspace-path.ts";
import { resolveIn } from "./_fs.ts";
import { defineTool } from "./define.ts";

/** Lines returned when no `limit` is given. */
export const READ_DEFAULT_LINES = 2000;
/** Characters kept of one line. */
export const READ_MAX_LINE_CHARS = 2000;
/** Bytes of a text file read at most (a later part is reached with `offset`). */
const MAX_TEXT_BYTES = 5 * 1024 * 1024;
/** Largest image returned. */
export const READ_MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** The `read` tool. */
export const readTool = defineTool({
  name: "read",
  description: "Read a file from the workspace. Text comes back with line numbers (use offset/limit for long files); an image file (png, jpeg, gif, webp) comes back as the image.",
  group: "fs",
  // Reads stay in the workspace; over HTTP there is no workspace port, so it is not offered there anyway.
  http: false,
  needs: ["workspace"],
  caps: { maxChars: 100_000 },
  parameters: T.Object(
    {
      path: T.String({ minLength: 1, description: "File path relative to the workspace." }),
      offset: T.Optional(T.Integer({ minimum: 1, description: "First line to return (1-based, default 1)." })),
      limit: T.Optional(T.Integer({ minimum: 1, description: `Lines to return (default ${READ_DEFAULT_LINES}).` })),
    },
    { additionalProperties: false },
  ),
  async execute({ path, offset, limit }, { ports }) {
    // `read` also reaches the eligible skills' folders (bundled and managed skills live outside the workspace).
    const ws = { ...ports.workspace, allowOutside: [...ports.workspace.allowOutside, ...(ports.workspace.readOnly ?? [])] };
    const file = resolveIn(ws, path);
    if (!file.exists) throw new Error(`${file.display}: no such file`);
    const { data, truncated, size } = readInWorkspace(ws.dir, file, Math.max(MAX_TEXT_BYTES, READ_MAX_IMAGE_BYTES), { allowOutside: ws.allowOutside });
    const mimeType = sniffImage(data);
    if (mimeType) {
      if (truncated || size > READ_MAX_IMAGE_BYTES) throw new Error(`${file.display}: image too large (${size} bytes, limit ${READ_MAX_IMAGE_BYTES})`);
      return { text: `${file.display}: ${mimeType} image, ${size} bytes`, images: [{ type: "image", data: data.toString("base64"), mimeType }] };
    }
    if (data.subarray(0, 8192).includes(0)) throw new Error(`${file.display}: binary file (${size} bytes); read returns text and images only`);
    const lines = data.toString("utf8").split("\n");
    if (lines.at(-1) === "" && lines.length > 1) lines.pop();
    const first = (offset ?? 1) - 1;
    if (first >= lines.length && lines.length > 0) throw new Error(`${file.display}: offset ${offset} is past the end (${lines.length} lines)`);
    const shown = lines.slice(first, first + (limit ?? READ_DEFAULT_LINES));
    const width = String(first + shown.length).length;
    const body = shown.map((l, i) => `${String(first + i + 1).padStart(width)}\t${l.length > READ_MAX_LINE_CHARS ? `${l.slice(0, READ_MAX_LINE_CHARS)}… [line cut]` : l}`).join("\n");
    const last = first + shown.length;
    const more = last < lines.length || truncated ? `\n\n[${file.display}: showing lines ${first + 1}-${last}${truncated ? ` of the first ${MAX_TEXT_BYTES} bytes` : ` of ${lines.length}`}; use offset=${last + 1} to continue]` : "";
    return body + more;
  },
});

/** The image type of `data` by its magic bytes, or undefined. */
export function sniffImage(data: Uint8Array): string | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, j) => data[i + j] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (at(0, 0xff, 0xd8, 0xff)) return "image/jpeg";
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return "image/webp";
  return undefined;
}
