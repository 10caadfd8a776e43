/** SKILL.md files imported with `with { type: "text" }` are strings (embedded in the binary). */
declare module "*.md" {
  const text: string;
  export default text;
}
