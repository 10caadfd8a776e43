/**
 * Voice wake triggers (the words that wake a node's voice mode), kept in `<stateDir>/settings/voicewake.json`
 * as `{triggers, updatedAtMs}` (upstream's file and shape). A missing or unreadable file means the defaults.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** Triggers when none were set (upstream's). */
export const DEFAULT_VOICEWAKE_TRIGGERS: readonly string[] = ["openclaw", "claude", "computer"];
/** Most triggers kept, and most characters per trigger; the rest is cut (upstream's limits). */
export const MAX_VOICEWAKE_TRIGGERS = 32;
export const MAX_VOICEWAKE_TRIGGER_CHARS = 64;

/** The stored settings. `updatedAtMs` is 0 until triggers were set. */
export interface VoiceWakeSettings {
  triggers: string[];
  updatedAtMs: number;
}

/**
 * Cleans a trigger list: trims, drops blanks and non-strings, drops repeats (case-insensitive, first kept),
 * keeps the first 32, cuts each to 64 characters. An empty result means the defaults.
 */
export function normalizeVoiceWakeTriggers(input: unknown): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of Array.isArray(input) ? input : []) {
    if (typeof item !== "string") continue;
    const word = item.trim().slice(0, MAX_VOICEWAKE_TRIGGER_CHARS).trim();
    if (!word || seen.has(word.toLowerCase())) continue;
    seen.add(word.toLowerCase());
    out.push(word);
    if (out.length === MAX_VOICEWAKE_TRIGGERS) break;
  }
  return out.length > 0 ? out : [...DEFAULT_VOICEWAKE_TRIGGERS];
}

/** The settings file of a state dir. */
export function voiceWakePath(stateDir: string): string {
  return join(stateDir, "settings", "voicewake.json");
}

/** Reads the settings; the defaults (updatedAtMs 0) when there is no readable file. Never throws. */
export function loadVoiceWake(stateDir: string): VoiceWakeSettings {
  let parsed: { triggers?: unknown; updatedAtMs?: unknown };
  try {
    parsed = JSON.parse(readFileSync(voiceWakePath(stateDir), "utf8"));
  } catch {
    return { triggers: [...DEFAULT_VOICEWAKE_TRIGGERS], updatedAtMs: 0 };
  }
  const updatedAtMs = typeof parsed?.updatedAtMs === "number" && parsed.updatedAtMs > 0 ? parsed.updatedAtMs : 0;
  return { triggers: normalizeVoiceWakeTriggers(parsed?.triggers), updatedAtMs };
}

/**
 * Normalizes and saves `triggers` (atomic write, owner-only).
 * @returns what was saved.
 * @throws Error from the file system.
 */
export function saveVoiceWake(stateDir: string, triggers: unknown): VoiceWakeSettings {
  const settings = { triggers: normalizeVoiceWakeTriggers(triggers), updatedAtMs: Date.now() };
  writeFileAtomic(voiceWakePath(stateDir), `${JSON.stringify(settings, null, 2)}\n`);
  return settings;
}
