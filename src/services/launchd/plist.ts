/**
 * The launchd property list: rendering a definition to XML and reading one back (ours, or a legacy
 * label's). Only the plist subset launchd job files use: dict, array, string, integer, true/false.
 */
import type { InstalledCommand, ServiceDefinition } from "../service.ts";

/** A parsed plist value. */
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;

/**
 * Renders the job plist for `def`. LaunchAgents run in the user's GUI domain; a LaunchDaemon
 * (`scope: "system"`) runs at boot without a login and needs `UserName`, or it would run as root.
 * @param paths where stdout/stderr go (`<stateDir>/logs/gateway.log`, `gateway.err.log`).
 */
export function renderPlist(def: ServiceDefinition, paths: { stdout: string; stderr: string }): string {
  const lines: string[] = ["<dict>"];
  const key = (k: string) => lines.push(`  <key>${escapeXml(k)}</key>`);
  const str = (k: string, v: string) => {
    key(k);
    lines.push(`  <string>${escapeXml(v)}</string>`);
  };
  str("Label", def.name);
  str("Comment", def.description);
  key("RunAtLoad");
  lines.push("  <true/>");
  // KeepAlive=true restarts after any exit, crash or clean; `gateway stop` boots the job out instead.
  key("KeepAlive");
  lines.push("  <true/>");
  key("ThrottleInterval");
  lines.push("  <integer>5</integer>");
  key("ProgramArguments");
  lines.push("  <array>");
  for (const arg of def.programArguments) lines.push(`    <string>${escapeXml(arg)}</string>`);
  lines.push("  </array>");
  str("WorkingDirectory", def.workingDirectory);
  str("StandardOutPath", paths.stdout);
  str("StandardErrorPath", paths.stderr);
  if (def.scope === "system") str("UserName", def.user);
  // launchd ignores the shell's environment (PATH included); everything the gateway needs is listed here.
  key("EnvironmentVariables");
  lines.push("  <dict>");
  for (const [k, v] of Object.entries(def.environment)) {
    lines.push(`    <key>${escapeXml(k)}</key>`);
    lines.push(`    <string>${escapeXml(v)}</string>`);
  }
  lines.push("  </dict>");
  lines.push("</dict>");
  return `${HEADER}${lines.join("\n")}\n</plist>\n`;
}

/**
 * Parses plist XML.
 * @returns the top-level value.
 * @throws Error for XML outside the supported subset or malformed nesting.
 */
export function parsePlist(xml: string): PlistValue {
  const tokens = [...xml.replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, "").matchAll(/<(\/?)([A-Za-z]+)\s*[^>]*?(\/?)>|([^<]+)/g)];
  let i = 0;
  const next = () => tokens[i++];
  const skipText = () => {
    while (i < tokens.length && tokens[i][4] !== undefined && tokens[i][4].trim() === "") i++;
  };
  const readText = (tag: string): string => {
    let text = "";
    for (;;) {
      const t = next();
      if (!t) throw new Error(`unterminated <${tag}>`);
      if (t[4] !== undefined) text += t[4];
      else if (t[1] === "/" && t[2] === tag) return unescapeXml(text);
      else throw new Error(`unexpected <${t[2]}> inside <${tag}>`);
    }
  };
  const value = (): PlistValue => {
    skipText();
    const t = next();
    if (!t || t[4] !== undefined) throw new Error("expected a plist element");
    const [, close, tag, selfClose] = t;
    if (close) throw new Error(`unexpected </${tag}>`);
    if (selfClose) {
      if (tag === "true") return true;
      if (tag === "false") return false;
      if (tag === "string") return "";
      if (tag === "dict") return {};
      if (tag === "array") return [];
      throw new Error(`unsupported <${tag}/>`);
    }
    switch (tag) {
      case "string":
        return readText(tag);
      case "integer":
      case "real":
        return Number(readText(tag));
      case "array": {
        const out: PlistValue[] = [];
        for (;;) {
          skipText();
          if (tokens[i]?.[1] === "/" && tokens[i][2] === "array") {
            i++;
            return out;
          }
          out.push(value());
        }
      }
      case "dict": {
        const out: Record<string, PlistValue> = {};
        for (;;) {
          skipText();
          const t2 = next();
          if (!t2) throw new Error("unterminated <dict>");
          if (t2[1] === "/" && t2[2] === "dict") return out;
          if (t2[2] !== "key") throw new Error(`expected <key> in <dict>, got <${t2[2]}>`);
          const k = readText("key");
          out[k] = value();
        }
      }
      case "plist": {
        const v = value();
        skipText();
        next(); // </plist>
        return v;
      }
      default:
        throw new Error(`unsupported <${tag}>`);
    }
  };
  return value();
}

/**
 * Reads a job plist back into the `service.command` shape.
 * @returns null when the text is not a job plist (no ProgramArguments/Program).
 */
export function plistToCommand(xml: string, sourcePath: string): (InstalledCommand & { label?: string }) | null {
  let top: PlistValue;
  try {
    top = parsePlist(xml);
  } catch {
    return null;
  }
  if (typeof top !== "object" || Array.isArray(top)) return null;
  const args = Array.isArray(top.ProgramArguments) ? top.ProgramArguments.map(String) : typeof top.Program === "string" ? [top.Program] : null;
  if (!args) return null;
  const env = top.EnvironmentVariables;
  const environment: Record<string, string> = {};
  if (env && typeof env === "object" && !Array.isArray(env)) for (const [k, v] of Object.entries(env)) environment[k] = String(v);
  return {
    programArguments: args,
    ...(typeof top.WorkingDirectory === "string" ? { workingDirectory: top.WorkingDirectory } : {}),
    environment,
    sourcePath,
    ...(typeof top.Label === "string" ? { label: top.Label } : {}),
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_, e: string) => {
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "quot") return '"';
    if (e === "apos") return "'";
    if (e === "amp") return "&";
    return String.fromCodePoint(e[1] === "x" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}
