/**
 * Markdown (what agents write) → WhatsApp's own markup: `*bold*`, `_italic_`, `~strike~`, and code
 * blocks/inline code left as they are (WhatsApp renders backticks itself).
 */

/**
 * Converts the Markdown constructs WhatsApp spells differently; code stays untouched.
 * @example toWhatsAppText("**hi** ~~no~~") // "*hi* ~no~"
 */
export function toWhatsAppText(markdown: string): string {
  const slots: string[] = [];
  const hold = (s: string) => `\u0000${slots.push(s) - 1}\u0000`;
  let text = markdown.replace(/```[\s\S]*?```/g, hold).replace(/`[^`\n]+`/g, hold);
  text = text
    .replace(/^#{1,6}\s+(.+)$/gm, "*$1*")
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, "*$1*")
    .replace(/__(?=\S)([^_]*?\S)__/g, "*$1*")
    .replace(/~~(?=\S)([^~]*?\S)~~/g, "~$1~")
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, "$1 ($2)");
  return text.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => slots[Number(i)]);
}
