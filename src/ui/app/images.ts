/**
 * Images in WebChat: reading a picked file into a `chat.send` attachment (image/* only, at most 5 MB, as
 * the gateway allows) and showing images as thumbnails (data: URLs, which the page's CSP permits).
 */

/** Largest image the gateway accepts, in bytes. */
export const MAX_IMAGE_BYTES = 5_000_000;

/** An image picked for the next message. */
export interface PickedImage {
  fileName: string;
  mimeType: string;
  /** base64, no data: prefix */
  data: string;
}

/**
 * Reads a picked file. @returns the image, or a message saying why it cannot be sent.
 */
export async function readImageFile(file: File): Promise<PickedImage | { error: string }> {
  if (!file.type.startsWith("image/")) return { error: `${file.name} is not an image` };
  if (file.size > MAX_IMAGE_BYTES) return { error: `${file.name} is larger than 5 MB` };
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsDataURL(file);
  });
  return { fileName: file.name, mimeType: file.type, data: url.slice(url.indexOf(",") + 1) };
}

/** The `chat.send` attachments for picked images. */
export function toAttachments(images: readonly PickedImage[]): { type: string; mimeType: string; fileName: string; content: string }[] {
  return images.map((i) => ({ type: "image", mimeType: i.mimeType, fileName: i.fileName, content: i.data }));
}

/** Image blocks (`{type:"image", mimeType, data}`) of a transcript message that carry data. */
export function imagesOf(message: any): { mimeType: string; data: string }[] {
  if (!message || !Array.isArray(message.content)) return [];
  return message.content.filter((b: any) => b?.type === "image" && typeof b.data === "string").map((b: any) => ({ mimeType: /^image\/[\w.+-]+$/.test(b.mimeType ?? "") ? b.mimeType : "image/png", data: b.data }));
}

/** A thumbnail for an image. */
export function thumbnail(image: { mimeType: string; data: string }, alt = "image"): HTMLImageElement {
  const img = document.createElement("img");
  img.className = "thumb";
  img.alt = alt;
  img.src = `data:${image.mimeType};base64,${image.data}`;
  return img;
}
