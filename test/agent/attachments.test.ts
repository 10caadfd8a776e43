/**
 * Attachment checks and type sniffing (src/agent/attachments.ts): the exact upstream error texts, the
 * 5,000,000-byte limit, data URLs, which attachments count as images, and the replay byte budget.
 */
import { describe, expect, test } from "bun:test";
import { limitReplayImages, MAX_ATTACHMENT_BYTES, parseAttachments, sniffMimeType, toUserContent } from "../../src/agent/attachments.ts";
import type { TranscriptMessage } from "../../src/store/index.ts";

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16, 2)]);
const GIF = Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(16, 3)]);
const WEBP = Buffer.concat([Buffer.from("RIFF"), Buffer.from([0x10, 0, 0, 0]), Buffer.from("WEBPVP8 "), Buffer.alloc(8)]);
const PDF = Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj");
const b64 = (b: Buffer) => b.toString("base64");

function collect() {
  const warnings: { msg: string; fields: Record<string, unknown> }[] = [];
  return { warnings, warn: (msg: string, fields: Record<string, unknown>) => void warnings.push({ msg, fields }) };
}

describe("parseAttachments", () => {
  test("no attachments → no images", () => {
    expect(parseAttachments(undefined)).toEqual([]);
    expect(parseAttachments([])).toEqual([]);
  });

  test("content must be a base64 string; the label is fileName, else type, else attachment-<n>", () => {
    expect(() => parseAttachments([{ fileName: "a.png", type: "image", content: 42 }])).toThrow("attachment a.png: content must be base64 string");
    expect(() => parseAttachments([{ type: "image", content: null }])).toThrow("attachment image: content must be base64 string");
    expect(() => parseAttachments([{ content: b64(PNG) }, { mimeType: "image/png" }])).toThrow("attachment attachment-2: content must be base64 string");
    expect(() => parseAttachments(["not an object"])).toThrow("attachment attachment-1: content must be base64 string");
    try {
      parseAttachments([{ content: 1 }]);
    } catch (err) {
      expect((err as { code?: string }).code).toBe("INVALID_REQUEST");
    }
  });

  test("invalid base64: length not a multiple of 4, or characters outside the alphabet", () => {
    expect(() => parseAttachments([{ fileName: "x.png", content: "abc" }])).toThrow("attachment x.png: invalid base64 content");
    expect(() => parseAttachments([{ fileName: "x.png", content: "ab-_" }])).toThrow("attachment x.png: invalid base64 content");
    expect(() => parseAttachments([{ fileName: "x.png", content: "ab c" }])).toThrow("attachment x.png: invalid base64 content");
  });

  test("invalid base64: padding anywhere but the end, or more than two of it", () => {
    // Each of these passed the alphabet check and was stored as something else than what was sized and sniffed.
    for (const content of ["====", "A===", "QQ==QQ==", `${b64(PNG).slice(0, 8)}=AAA`, `${b64(PNG)}====`]) {
      expect(() => parseAttachments([{ fileName: "x.png", mimeType: "image/png", content }])).toThrow("attachment x.png: invalid base64 content");
    }
    expect(parseAttachments([{ mimeType: "image/png", content: "QUI=" }])).toHaveLength(1);
    expect(parseAttachments([{ mimeType: "image/png", content: "QQ==" }])).toHaveLength(1);
  });

  test("decoded size must be 1…5,000,000 bytes", () => {
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1);
    PNG.copy(big);
    expect(() => parseAttachments([{ fileName: "big.png", content: b64(big) }])).toThrow("attachment big.png: exceeds size limit (5000001 > 5000000 bytes)");
    expect(() => parseAttachments([{ fileName: "empty.png", content: "" }])).toThrow("attachment empty.png: exceeds size limit (0 > 5000000 bytes)");
    const max = big.subarray(0, MAX_ATTACHMENT_BYTES);
    expect(parseAttachments([{ content: b64(max) }])).toEqual([{ type: "image", data: b64(max), mimeType: "image/png" }]);
  });

  test("the first bad attachment fails the whole request", () => {
    expect(() => parseAttachments([{ content: b64(PNG) }, { fileName: "bad", content: "%%%%" }])).toThrow("attachment bad: invalid base64 content");
  });

  test("more than 10 attachments are refused", () => {
    const eleven = Array.from({ length: 11 }, () => ({ content: b64(PNG) }));
    expect(() => parseAttachments(eleven)).toThrow("too many attachments (11 > 10)");
    expect(parseAttachments(eleven.slice(1))).toHaveLength(10);
  });

  test("images are sniffed: PNG, JPEG, GIF, WebP", () => {
    const out = parseAttachments([PNG, JPEG, GIF, WEBP].map((b) => ({ content: b64(b) })));
    expect(out.map((i) => i.mimeType)).toEqual(["image/png", "image/jpeg", "image/gif", "image/webp"]);
    expect(out[0]).toEqual({ type: "image", data: b64(PNG), mimeType: "image/png" });
  });

  test("a data: URL is accepted; its type counts as declared", () => {
    const { warnings, warn } = collect();
    expect(parseAttachments([{ content: `data:image/png;base64,${b64(PNG)}` }], warn)).toEqual([{ type: "image", data: b64(PNG), mimeType: "image/png" }]);
    // unknown bytes: the data URL's image type is used
    const odd = Buffer.from("BM-not-really-a-bitmap!!");
    expect(parseAttachments([{ content: `data:image/bmp;base64,${b64(odd)}` }], warn)).toEqual([{ type: "image", data: b64(odd), mimeType: "image/bmp" }]);
    expect(() => parseAttachments([{ fileName: "u", content: "data:image/png;base64,@@@@" }])).toThrow("attachment u: invalid base64 content");
    expect(warnings).toEqual([]);
  });

  test("the sniffed type wins over the declared one, with a warning", () => {
    const { warnings, warn } = collect();
    expect(parseAttachments([{ fileName: "cat.jpg", mimeType: "image/jpeg", content: b64(PNG) }], warn)).toEqual([{ type: "image", data: b64(PNG), mimeType: "image/png" }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].fields).toMatchObject({ attachment: "cat.jpg", sniffed: "image/png", declared: "image/jpeg" });
  });

  test("non-images are dropped with a warning: sniffed non-image, or unknown bytes without an image type", () => {
    const { warnings, warn } = collect();
    const text = Buffer.from("hello, plain text file\n");
    const out = parseAttachments(
      [
        { fileName: "doc.pdf", mimeType: "image/png", content: b64(PDF) },
        { fileName: "notes.txt", mimeType: "text/plain", content: b64(text) },
        { fileName: "blob", content: b64(text) },
        { fileName: "ok.png", content: b64(PNG) },
      ],
      warn,
    );
    expect(out.map((i) => i.mimeType)).toEqual(["image/png"]);
    expect(warnings.map((w) => w.fields.attachment)).toEqual(["doc.pdf", "notes.txt", "blob"]);
    expect(warnings[0].fields.sniffed).toBe("application/pdf");
  });

  test("unknown bytes declared as image/* are kept with the declared type", () => {
    const odd = Buffer.from("no magic number here..");
    expect(parseAttachments([{ mimeType: "Image/SVG+xml", content: b64(odd) }])).toEqual([{ type: "image", data: b64(odd), mimeType: "image/svg+xml" }]);
  });
});

describe("sniffMimeType", () => {
  test("known signatures, short and unknown input", () => {
    expect(sniffMimeType(PNG)).toBe("image/png");
    expect(sniffMimeType(JPEG)).toBe("image/jpeg");
    expect(sniffMimeType(Buffer.from("GIF87a......"))).toBe("image/gif");
    expect(sniffMimeType(WEBP)).toBe("image/webp");
    expect(sniffMimeType(PDF)).toBe("application/pdf");
    expect(sniffMimeType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toBe("application/zip");
    expect(sniffMimeType(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WAVEfmt ")]))).toBe("audio/wav");
    expect(sniffMimeType(Buffer.concat([Buffer.alloc(4), Buffer.from("ftypisom")]))).toBe("video/mp4");
    expect(sniffMimeType(Buffer.from([0x89, 0x50]))).toBeUndefined();
    expect(sniffMimeType(new Uint8Array())).toBeUndefined();
    expect(sniffMimeType(Buffer.from("just text"))).toBeUndefined();
  });
});

describe("transcript helpers", () => {
  const img = (bytes: number, mimeType = "image/png") => ({ type: "image" as const, data: b64(Buffer.alloc(bytes, 7)), mimeType });

  test("toUserContent: text-only stays one text block; an empty text is left out next to images", () => {
    expect(toUserContent("hi")).toEqual([{ type: "text", text: "hi" }]);
    expect(toUserContent("")).toEqual([{ type: "text", text: "" }]);
    expect(toUserContent("", [img(3)])).toEqual([img(3)]);
    expect(toUserContent("look", [img(3)])).toEqual([{ type: "text", text: "look" }, img(3)]);
  });

  test("limitReplayImages: the newest message keeps everything; earlier images fit the budget, newest first", () => {
    const user = (ts: number, ...images: ReturnType<typeof img>[]): TranscriptMessage => ({ role: "user", content: [{ type: "text", text: `m${ts}` }, ...images], timestamp: ts });
    const history = [user(1, img(60)), user(2, img(30), img(30)), user(3, img(30)), user(4, img(300))];
    const out = limitReplayImages(history, 80);
    expect(out[3]).toEqual(history[3]);
    expect(out[2]).toEqual(history[2]);
    expect(out[1].content).toEqual([{ type: "text", text: "m2" }, img(30), { type: "image", mimeType: "image/png" }]);
    expect(out[0].content).toEqual([{ type: "text", text: "m1" }, { type: "image", mimeType: "image/png" }]);
    // the input is left as it was
    expect(history[0].content[1]).toEqual(img(60));
  });
});
