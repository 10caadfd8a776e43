/**
 * The `gateway.cmd` the scheduled task runs, and the two quoting layers every line passes through:
 * cmd.exe's batch parser (`%` expansion, `^` escapes, `& | < > ( )` outside quotes) and then the program's
 * own argv split (MSVC rules: `\"` inside quotes, backslashes doubled before a quote).
 */
import type { InstalledCommand, ServiceDefinition } from "../service.ts";

/** Paths the script writes to besides the gateway itself. */
export interface ScriptPaths {
  stdout: string;
  stderr: string;
  /** Present while the service is stopped on purpose: the loop exits instead of restarting. */
  stopFile: string;
}

/**
 * Renders the script (CRLF line endings: cmd.exe mis-parses labels and `goto` in LF-only batch files).
 * The loop restarts the gateway 5 s after any exit unless `gateway stop` left `stopFile`, so a crash is
 * recovered even though Task Scheduler's own restart-on-failure only covers a task that fails to start.
 * @throws Error when a value contains a line break (cannot be expressed in a batch file).
 */
export function renderScript(def: ServiceDefinition, paths: ScriptPaths): string {
  const q = (path: string) => escapeForCmd(quoteWindowsArg(path, true));
  const lines = [
    "@echo off",
    // rem lines are not tokenised, but `%` is still expanded in them.
    `rem ${def.description.replace(/%/g, "%%")}`,
    "rem Written by `openclaw gateway install`; reinstalling overwrites it.",
    // Delayed expansion would eat `!` in values; extensions are needed for `if exist` on quoted paths.
    "setlocal EnableExtensions DisableDelayedExpansion",
    `cd /d ${q(def.workingDirectory)}`,
  ];
  for (const [key, value] of Object.entries(def.environment)) {
    if (/[\r\n]/.test(value)) throw new Error(`environment value of ${key} contains a line break`);
    lines.push(`set ${key}=${escapeForCmd(value)}`);
  }
  lines.push(
    `if exist ${q(paths.stopFile)} del /q ${q(paths.stopFile)}`,
    ":run",
    `${commandLine(def.programArguments)} 1>> ${q(paths.stdout)} 2>> ${q(paths.stderr)}`,
    `if exist ${q(paths.stopFile)} exit /b 0`,
    // `timeout` refuses to run without console input; ping is the portable sleep.
    "ping -n 6 127.0.0.1 >nul",
    "goto run",
  );
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * Reads a script we wrote back into the `service.command` shape.
 * @returns null when it has no `:run` command line.
 */
export function parseScript(text: string, sourcePath: string): InstalledCommand | null {
  const lines = text.split(/\r?\n/);
  const environment: Record<string, string> = {};
  let workingDirectory: string | undefined;
  let programArguments: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const set = /^set ([^=\s]+)=(.*)$/i.exec(line);
    if (set) environment[set[1]] = unescapeForCmd(set[2]);
    else if (/^cd \/d /i.test(line)) workingDirectory = splitWindowsArgs(unescapeForCmd(line.slice(6)))[0];
    else if (line === ":run" && lines[i + 1]) {
      const cmd = unescapeForCmd(lines[i + 1].replace(/ 1>> .*$/, ""));
      programArguments = splitWindowsArgs(cmd);
    }
  }
  if (!programArguments) return null;
  return { programArguments, ...(workingDirectory ? { workingDirectory } : {}), environment, sourcePath };
}

/** The program's command line as a batch-file line. */
export function commandLine(args: string[]): string {
  return escapeForCmd(args.map((a) => quoteWindowsArg(a)).join(" "));
}

/**
 * Quotes one argument for the MSVC/CommandLineToArgvW split: wrapped in quotes when it has whitespace,
 * quotes or cmd metacharacters (or `always`); inner quotes become `\"`, backslashes before a quote double.
 */
export function quoteWindowsArg(arg: string, always = false): string {
  if (!always && arg !== "" && !/[\s"&|<>()^%!,;=]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const c of arg) {
    if (c === "\\") {
      slashes++;
      continue;
    }
    if (c === '"') out += `${"\\".repeat(slashes * 2 + 1)}"`;
    else out += `${"\\".repeat(slashes)}${c}`;
    slashes = 0;
  }
  return `${out}${"\\".repeat(slashes * 2)}"`;
}

/**
 * Makes text survive cmd.exe's batch parser unchanged: `%` → `%%` everywhere (expansion happens even
 * inside quotes); outside quotes `^ & | < > ( )` get a caret. Every `"` toggles cmd's quote state, exactly
 * as cmd.exe tracks it, so a value with one stray quote stays safe.
 */
export function escapeForCmd(text: string): string {
  let out = "";
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (c === "%") out += "%%";
    else if (!quoted && "^&|<>()".includes(c)) out += `^${c}`;
    else out += c;
  }
  return out;
}

/** Inverse of {@link escapeForCmd}. */
export function unescapeForCmd(text: string): string {
  let out = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (c === "%" && text[i + 1] === "%") {
      out += "%";
      i++;
    } else if (c === "^" && !quoted && i + 1 < text.length) {
      out += text[++i];
    } else out += c;
  }
  return out;
}

/** The MSVC argv split (what the gateway binary sees). */
export function splitWindowsArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== " " && line[i] !== "\t"))) {
      let slashes = 0;
      while (line[i] === "\\") {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        arg += "\\".repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) arg += '"';
        else quoted = !quoted;
        i++;
      } else {
        arg += "\\".repeat(slashes);
        if (i < line.length && (quoted || (line[i] !== " " && line[i] !== "\t"))) arg += line[i++];
      }
    }
    args.push(arg);
  }
  return args;
}
