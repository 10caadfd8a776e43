/**
 * `image`: asks the image model (the `vision` port: `agents.defaults.imageModel`, else the run's model)
 * about one image: a workspace file (through the one symlink-safe workspace resolver) or an http(s) URL
 * (through web_fetch's address rule at every redirect hop: no private, loopback or link-local addresses
 * unless `tools.web.fetch.allowPrivate`). PNG, JPEG, GIF and WebP up to 5 MB, the type sniffed from the
 * bytes. Upstream's parameter is `image` (a path or a URL); `path` and `url` say which one explicitly.
 */
import { Type as T } from "@sinclair/typebox";
import { readInWorkspace } from "../../util/workspace-path.ts";
import { resolveIn } from "./_fs.ts";
import { defineTool } from "./define.ts";
import { READ_MAX_IMAGE_BYTES, sniffImage } from "./read.ts";
import type { ToolWorkspace } from "./types.ts";
import { fetchChecked } from "../../util/net.ts";
import { checkFetchTarget } from "./web-fetch.ts";

/** The prompt when none is given (upstream's). */
export const IMAGE_DEFAULT_PROMPT = "Describe the image.";
const MAX_REDIRECTS = 5;
const FETCH_TIMEOUT_MS = 20_000;

/** `image`, over the run's vision port. */
export const imageTool = defineTool({
  name: "image",
  description: "Look at an image (a workspace file path or an http(s) URL) with the vision model and answer a question about it (default: describe it).",
  // Spends model tokens and reads workspace files; over HTTP there is no run, so no vision port anyway.
  http: false,
  needs: ["vision"],
  uses: ["workspace"],
  parameters: T.Object(
    {
      image: T.Optional(T.String({ minLength: 1, description: "Workspace file path or http(s) URL of the image." })),
      path: T.Optional(T.String({ minLength: 1, description: "Workspace file path of the image (instead of image)." })),
      url: T.Optional(T.String({ minLength: 1, description: "http(s) URL of the image (instead of image)." })),
      prompt: T.Optional(T.String({ description: `What to ask about the image (default "${IMAGE_DEFAULT_PROMPT}").` })),
    },
    { additionalProperties: false },
  ),
  async execute(args, { ports, config, signal }) {
    const given = [args.image, args.path, args.url].filter((v) => v !== undefined);
    if (given.length !== 1) throw new Error("image needs exactly one of image (a path or URL), path or url");
    const source = given[0] as string;
    const isUrl = args.url !== undefined || (args.path === undefined && /^https?:\/\//i.test(source.trim()));
    const allowPrivate = ((config.tools as { web?: { fetch?: { allowPrivate?: unknown } } } | undefined)?.web?.fetch?.allowPrivate ?? false) === true;
    const loaded = isUrl ? await fetchImage(source.trim(), allowPrivate, signal) : readWorkspaceImage(ports.workspace, source);
    const prompt = args.prompt?.trim() || IMAGE_DEFAULT_PROMPT;
    const { text, model } = await ports.vision.describe({ image: { type: "image", data: loaded.data.toString("base64"), mimeType: loaded.mimeType }, prompt, signal });
    return `${text.trim() || "(the model gave no answer)"}\n\n[${loaded.label}: ${loaded.mimeType}, ${loaded.data.byteLength} bytes; answered by ${model}]`;
  },
});

// --- internal ---

type LoadedImage = { data: Buffer; mimeType: string; label: string };

function readWorkspaceImage(ws: ToolWorkspace | undefined, path: string): LoadedImage {
  if (!ws) throw new Error("no workspace here: pass an http(s) url");
  const file = resolveIn(ws, path);
  if (!file.exists) throw new Error(`${file.display}: no such file`);
  const { data, truncated, size } = readInWorkspace(ws.dir, file, READ_MAX_IMAGE_BYTES, { allowOutside: ws.allowOutside });
  if (truncated) throw new Error(`${file.display}: image too large (${size} bytes, limit ${READ_MAX_IMAGE_BYTES})`);
  return { data, mimeType: imageType(data, file.display), label: file.display };
}

async function fetchImage(raw: string, allowPrivate: boolean, signal: AbortSignal): Promise<LoadedImage> {
  const both = AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]);
  let target = await checkFetchTarget(raw, allowPrivate);
  let res: Response;
  for (let hop = 0; ; hop++) {
    res = await fetchChecked(target, { redirect: "manual", signal: both, headers: { "user-agent": "openclaw-image/1", accept: "image/*" } });
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !location) break;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (>${MAX_REDIRECTS})`);
    target = await checkFetchTarget(new URL(location, target.url).toString(), allowPrivate);
  }
  const url = target.url;
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > READ_MAX_IMAGE_BYTES) {
    await res.body?.cancel();
    throw new Error(`${url}: image too large (${declared} bytes, limit ${READ_MAX_IMAGE_BYTES})`);
  }
  const data = await readCapped(res, READ_MAX_IMAGE_BYTES, url.toString());
  return { data, mimeType: imageType(data, url.toString()), label: url.toString() };
}

async function readCapped(res: Response, max: number, label: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        throw new Error(`${label}: image too large (over ${max} bytes)`);
      }
      parts.push(value);
    }
  }
  return Buffer.concat(parts);
}

function imageType(data: Uint8Array, label: string): string {
  const type = sniffImage(data);
  if (!type) throw new Error(`${label}: not a PNG, JPEG, GIF or WebP image`);
  return type;
}
