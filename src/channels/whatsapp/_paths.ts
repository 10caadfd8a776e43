/**
 * Where WhatsApp credentials live (channels.md §2): `<credentialsDir>/whatsapp/<accountId>/creds.json`
 * plus Baileys' key files, or the account's `authDir`. No Baileys import here: the manager uses this to
 * find linked accounts without loading the SDK.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expandHome, resolveCredentialsDir } from "../../config/paths.ts";

/** The auth folder of an account. */
export function resolveAuthDir(stateDir: string, accountId: string, authDir?: string, env: Record<string, string | undefined> = process.env): string {
  if (authDir) return expandHome(authDir, env);
  return join(resolveCredentialsDir(env, stateDir), "whatsapp", accountId);
}

/** True when the folder holds saved credentials (`creds.json`, or only its backup after a crash). */
export function hasSavedCreds(dir: string): boolean {
  return existsSync(join(dir, "creds.json")) || existsSync(join(dir, "creds.json.bak"));
}

/** Account ids with saved credentials in the default location. */
export function listLinkedAccountIds(stateDir: string, env: Record<string, string | undefined> = process.env): string[] {
  const root = join(resolveCredentialsDir(env, stateDir), "whatsapp");
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith(".") && hasSavedCreds(join(root, n))).sort();
}
