/**
 * Skills shipped inside the binary. Their `SKILL.md` texts are embedded at build time (text imports) and
 * written to a folder under the state dir when skills are loaded, so the agent's `read` tool can open them.
 */
import dailyNote from "./daily-note/SKILL.md" with { type: "text" };
import summarizeUrl from "./summarize-url/SKILL.md" with { type: "text" };
import weather from "./weather/SKILL.md" with { type: "text" };

/** One bundled skill: its folder name and the text of its SKILL.md. */
export interface BundledSkill {
  dir: string;
  text: string;
}

/** The bundled skills, by folder name. */
export const BUNDLED_SKILLS: readonly BundledSkill[] = [
  { dir: "daily-note", text: dailyNote },
  { dir: "summarize-url", text: summarizeUrl },
  { dir: "weather", text: weather },
];
