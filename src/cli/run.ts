/**
 * A strict command runner over citty definitions. citty accepts unknown flags silently and runs a parent's
 * `run` together with its subcommand's; here unknown flags and commands are errors with a hint, and
 * exactly one command runs: `openclaw gateway` runs the gateway, `openclaw gateway status` runs only status.
 */
import { type ArgsDef, type CommandDef, parseArgs, renderUsage } from "citty";
import { CliError } from "../errors.ts";
import { applyProfileEnv } from "../config/paths.ts";
import { printFailure, toCliFailure } from "./failure.ts";

type AnyCommand = CommandDef<ArgsDef>;

/** Global flags, accepted before the command. */
export interface GlobalFlags {
  dev: boolean;
  profile?: string;
  noColor: boolean;
  version: boolean;
  help: boolean;
}

/** Output sinks, replaceable in tests. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * Runs the command line `argv` (without the program name) against `root`.
 * @returns the exit code.
 */
export async function runCli(root: AnyCommand, argv: string[], io: CliIO, version: string): Promise<number> {
  // Read before parsing so that even a parse error honours them.
  const json = argv.includes("--json");
  const verbose = argv.includes("--verbose");
  try {
    const { globals, rest } = splitGlobals(argv);
    if (globals.dev && globals.profile !== undefined) throw new CliError("Cannot combine --dev with --profile");
    if (globals.version) {
      io.out(version);
      return 0;
    }
    if (globals.noColor) process.env.NO_COLOR = "1";
    try {
      applyProfileEnv(process.env, globals.profile, globals.dev);
    } catch (e) {
      throw new CliError((e as Error).message, { hint: "Example: openclaw --profile work status" });
    }

    const chain: AnyCommand[] = [root];
    const names: string[] = [];
    let args = rest;
    for (;;) {
      const cmd = chain[chain.length - 1];
      const subs = await resolve(cmd.subCommands);
      const first = args[0];
      if (subs && first?.startsWith("-")) {
        // A parent's own flags may come before the command word (`browser --browser-profile work tabs`):
        // move them behind it so the subcommand, which declares them too, parses them.
        const lead = countOwnFlags((await resolve(cmd.args)) ?? {}, args);
        const word = args[lead];
        if (lead > 0 && word !== undefined && subs[word]) {
          args = [word, ...args.slice(0, lead), ...args.slice(lead + 1)];
          continue;
        }
      }
      if (!subs || first === undefined || first.startsWith("-")) break;
      const sub = subs[first];
      if (!sub) {
        if (hasPositional(await resolve(cmd.args))) break;
        const near = nearest(first, Object.keys(subs));
        throw new CliError(`Unknown command "openclaw ${[...names, first].join(" ")}".`, {
          hint: `${near ? `Did you mean \`openclaw ${[...names, near].join(" ")}\`? ` : ""}Run \`openclaw ${[...names, "--help"].join(" ")}\` to see the commands.`,
        });
      }
      chain.push(await resolve(sub));
      names.push(first);
      args = args.slice(1);
    }
    const cmd = chain[chain.length - 1];
    const parent = chain.length > 1 ? chain[chain.length - 2] : undefined;
    if (globals.help || args.includes("--help") || args.includes("-h")) {
      io.out(usageText(await renderUsage(cmd, parent)));
      return 0;
    }
    if (!cmd.run) {
      io.out(usageText(await renderUsage(cmd, parent)));
      return names.length === 0 ? 0 : 1;
    }
    const argsDef = (await resolve(cmd.args)) ?? {};
    // `--verbose` works on every command (it adds stack traces to errors); commands that declare it get it too.
    if (!("verbose" in argsDef)) args = args.filter((a) => a !== "--verbose");
    checkFlags(argsDef, args, names);
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs(args, argsDef);
    } catch (err) {
      throw new CliError(stripAnsi((err as Error).message), { hint: `Run \`openclaw ${names.join(" ")} --help\` for usage.` });
    }
    const code = await cmd.run({ rawArgs: args, args: parsed, cmd });
    return typeof code === "number" ? code : 0;
  } catch (err) {
    printFailure(toCliFailure(err), io, { json, verbose });
    return 1;
  }
}

/**
 * Takes the global flags off the front of `argv` (up to the first command word).
 * @throws CliError for `--profile` without a value.
 */
export function splitGlobals(argv: string[]): { globals: GlobalFlags; rest: string[] } {
  const globals: GlobalFlags = { dev: false, noColor: false, version: false, help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--dev") globals.dev = true;
    else if (a === "--no-color") globals.noColor = true;
    else if (a === "-V" || a === "--version") globals.version = true;
    else if (a === "-h" || a === "--help") globals.help = true;
    else if (a === "--profile" || a.startsWith("--profile=")) {
      const value = a === "--profile" ? argv[++i] : a.slice("--profile=".length);
      if (value === undefined || value === "" || value.startsWith("-")) throw new CliError("--profile needs a name", { hint: "Example: openclaw --profile work gateway" });
      globals.profile = value;
    } else if (a.startsWith("-")) {
      throw new CliError(`Unknown option "${a}".`, { hint: "Global options: --dev, --profile <name>, --no-color, -V/--version, -h/--help." });
    } else break;
  }
  return { globals, rest: argv.slice(i) };
}

// --- internal ---

function checkFlags(def: ArgsDef, args: string[], names: string[]): void {
  const known = new Map<string, string>(); // flag spelling → type
  const positionals = Object.values(def).filter((d) => d.type === "positional").length;
  for (const [name, d] of Object.entries(def)) {
    if (d.type === "positional") continue;
    const type = d.type ?? "boolean";
    const alias = (d as { alias?: string | string[] }).alias;
    const spellings = [name, kebab(name), ...(Array.isArray(alias) ? alias : alias ? [alias] : [])];
    for (const s of spellings) known.set(s, type);
    if (type === "boolean") for (const s of spellings) known.set(`no-${s}`, "boolean");
  }
  let seenPositionals = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") break;
    if (!a.startsWith("-") || a === "-") {
      seenPositionals += 1;
      if (seenPositionals > positionals) {
        throw new CliError(`Unexpected argument "${a}" for "openclaw ${names.join(" ")}".`, { hint: `Run \`openclaw ${names.join(" ")} --help\` for usage.` });
      }
      continue;
    }
    const body = a.replace(/^--?/, "");
    const [flag, inline] = body.split(/=(.*)/s, 2);
    const type = known.get(flag);
    if (!type) {
      throw new CliError(`Unknown option "${a.split("=")[0]}" for "openclaw ${names.join(" ")}".`, { hint: `Run \`openclaw ${names.join(" ")} --help\` to see the options.` });
    }
    if (type !== "boolean" && inline === undefined) {
      const value = args[i + 1];
      if (value === undefined) throw new CliError(`Option "${a}" needs a value.`);
      i += 1;
    }
  }
}

/** How many leading tokens of `args` are flags (with their values) that `def` declares; 0 on anything else. */
function countOwnFlags(def: ArgsDef, args: string[]): number {
  let i = 0;
  while (i < args.length && args[i].startsWith("-") && args[i] !== "--") {
    const [flag, inline] = args[i].replace(/^--?/, "").split(/=(.*)/s, 2);
    const entry = Object.entries(def).find(([name, d]) => d.type !== "positional" && (name === flag || kebab(name) === flag));
    if (!entry) return 0;
    i += (entry[1].type ?? "boolean") !== "boolean" && inline === undefined ? 2 : 1;
  }
  return i;
}

/** Usage text with colour codes only when stdout is a terminal and colour is not turned off. */
function usageText(text: string): string {
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return colour ? text : stripAnsi(text);
}

/** The candidate closest to `word` by edit distance, when close enough to be a likely typo. */
export function nearest(word: string, candidates: string[]): string | undefined {
  const prefixed = word.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(word.toLowerCase())) : [];
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // Damerau (optimal string alignment): a swapped pair of letters ("sttaus") counts as one edit.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function hasPositional(def: ArgsDef | undefined): boolean {
  return Object.values(def ?? {}).some((d) => d.type === "positional");
}

async function resolve<T>(value: T | Promise<T> | (() => T) | (() => Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
