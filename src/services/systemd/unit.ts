/**
 * systemd unit and environment-file text: rendering with systemd's quoting rules, and reading back.
 *
 * Quoting traps: every unit setting expands `%` specifiers (write `%%`); ExecStart also expands `$VAR`
 * (write `$$`); quoted words take C escapes. The EnvironmentFile is parsed shell-style instead.
 */
import type { InstalledCommand, ServiceDefinition } from "../service.ts";

/**
 * Renders the unit. Secrets are not in it: they live in the 0600 EnvironmentFile, so the unit itself
 * (world-readable under /etc/systemd/system) carries none.
 * @param envFile path of the EnvironmentFile, or undefined when there are no secrets.
 */
export function renderUnit(def: ServiceDefinition, envFile: string | undefined): string {
  const system = def.scope === "system";
  const lines = [
    "[Unit]",
    `Description=${escapeSpecifiers(def.description)}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${def.programArguments.map(quoteExecArg).join(" ")}`,
    "Restart=always",
    "RestartSec=5",
    // Only the gateway's own process is signalled on stop; it shuts its children down itself.
    "KillMode=process",
    `WorkingDirectory=${escapeSpecifiers(def.workingDirectory)}`,
  ];
  // A system unit without User= would run the gateway as root.
  if (system) lines.push(`User=${def.user}`);
  for (const [key, value] of Object.entries(def.environment)) {
    if (def.secretKeys.includes(key)) continue;
    lines.push(`Environment=${quoteEnvAssignment(key, value)}`);
  }
  if (envFile) lines.push(`EnvironmentFile=${escapeSpecifiers(envFile)}`);
  lines.push("", "[Install]", `WantedBy=${system ? "multi-user.target" : "default.target"}`, "");
  return lines.join("\n");
}

/** Renders the EnvironmentFile with the secret variables of `def`. */
export function renderEnvFile(def: ServiceDefinition): string {
  const lines = ["# Secrets for the OpenClaw gateway service. Keep this file mode 0600."];
  for (const key of def.secretKeys) lines.push(`${key}=${quoteEnvFileValue(def.environment[key])}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Reads a unit back.
 * @returns the command, or null when the text has no ExecStart. `envFiles` lists EnvironmentFile= paths.
 */
export function parseUnit(text: string, sourcePath: string): (InstalledCommand & { envFiles: string[]; user?: string }) | null {
  let exec: string | undefined;
  let workingDirectory: string | undefined;
  let user: string | undefined;
  const environment: Record<string, string> = {};
  const envFiles: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line.startsWith(";") || !line.includes("=")) continue;
    const eq = line.indexOf("=");
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "ExecStart") exec = value;
    else if (key === "WorkingDirectory") workingDirectory = unescapeSpecifiers(value);
    else if (key === "User") user = value;
    else if (key === "EnvironmentFile") envFiles.push(unescapeSpecifiers(value.replace(/^-/, "")));
    else if (key === "Environment") {
      for (const word of splitWords(value)) {
        const i = word.indexOf("=");
        if (i > 0) environment[word.slice(0, i)] = unescapeSpecifiers(word.slice(i + 1));
      }
    }
  }
  if (exec === undefined) return null;
  const programArguments = splitWords(exec.replace(/^[-@:+!]+/, "")).map((w) => unescapeSpecifiers(w).replace(/\$\$/g, "$"));
  return { programArguments, ...(workingDirectory ? { workingDirectory } : {}), environment, sourcePath, envFiles, ...(user ? { user } : {}) };
}

/** Parses EnvironmentFile text (`KEY=value`, quoted values, `#` comments). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1);
    else if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(["\\`$])/g, "$1");
    out[key] = value;
  }
  return out;
}

/** Quotes one ExecStart word: `%`→`%%`, `$`→`$$`, double quotes with C escapes when needed. */
export function quoteExecArg(arg: string): string {
  const escaped = escapeSpecifiers(arg).replace(/\$/g, "$$$$");
  if (arg !== "" && !/[\s"'\\;]/.test(arg)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

// --- internal ---

function quoteEnvAssignment(key: string, value: string): string {
  const text = `${key}=${escapeSpecifiers(value)}`;
  if (!/[\s"'\\]/.test(value)) return text;
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

function quoteEnvFileValue(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]*$/.test(value)) return value;
  if (!value.includes("'") && !value.includes("\n")) return `'${value}'`;
  return `"${value.replace(/(["\\`$])/g, "\\$1")}"`;
}

function escapeSpecifiers(text: string): string {
  return text.replace(/%/g, "%%");
}

function unescapeSpecifiers(text: string): string {
  return text.replace(/%%/g, "%");
}

/** systemd's word splitting: whitespace-separated, "…" / '…' quoting, C escapes inside double quotes. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    let word = "";
    while (i < text.length && !/\s/.test(text[i])) {
      const c = text[i];
      if (c === '"' || c === "'") {
        i++;
        while (i < text.length && text[i] !== c) {
          if (text[i] === "\\" && c === '"' && i + 1 < text.length) {
            const n = text[i + 1];
            word += n === "n" ? "\n" : n === "t" ? "\t" : n;
            i += 2;
          } else word += text[i++];
        }
        i++; // closing quote
      } else if (c === "\\" && i + 1 < text.length) {
        word += text[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}
