/**
 * A deliberately small reader of POSIX shell command lines for allowlist decisions: it splits a line into
 * simple commands (at `;`, `&&`, `||`, `|`, `&`, newlines) and their words, and gives up (returns an
 * `unsupported` reason) on anything whose effect it cannot see statically: command substitution, process
 * substitution, redirections, subshells and groups, variable or glob expansion in the command word, leading
 * variable assignments, here-docs. Giving up counts as an allowlist miss, never as a hit.
 */

/** One simple command: its words after quote removal. */
export interface SimpleCommand {
  argv: string[];
  /** Per word: whether the shell would still expand it (unquoted `$`, glob or `~` characters). */
  expands: boolean[];
}

/** The outcome: the simple commands, or why the line cannot be judged. */
export type ShellParse = { ok: true; commands: SimpleCommand[] } | { ok: false; reason: string };

/**
 * Splits `line` into simple commands. Pure.
 * @example parseShellCommands("ls -l | wc -l") // {ok: true, commands: [{argv: ["ls","-l"]}, {argv: ["wc","-l"]}]}
 */
export function parseShellCommands(line: string): ShellParse {
  const commands: SimpleCommand[] = [];
  let argv: string[] = [];
  let word = "";
  let inWord = false;
  // Per word: did it contain unquoted expansion characters ($ * ? [ ~ {) that the shell would rewrite?
  let expands = false;
  // A `|`, `&&` or `||` still waiting for its right-hand command.
  let pendingOperator = false;
  const wordExpands: boolean[] = [];
  const fail = (reason: string): ShellParse => ({ ok: false, reason });
  const endWord = () => {
    if (inWord) {
      argv.push(word);
      wordExpands.push(expands);
    }
    word = "";
    inWord = false;
    expands = false;
  };
  const endCommand = (): string | undefined => {
    endWord();
    if (argv.length === 0) return "empty command between operators";
    const why = checkSimple(argv, wordExpands);
    if (why) return why;
    commands.push({ argv, expands: [...wordExpands] });
    argv = [];
    wordExpands.length = 0;
    return undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\") {
      const next = line[i + 1];
      if (next === undefined) return fail("trailing backslash");
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
      i++;
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return fail("unterminated single quote");
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const d = line[j]!;
        if (d === "`" || (d === "$" && line[j + 1] === "(")) return fail("command substitution");
        if (d === "$") expands = true;
        if (d === "\\" && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1]!)) {
          j++;
          word += line[j];
          continue;
        }
        word += d;
      }
      if (j >= line.length) return fail("unterminated double quote");
      inWord = true;
      i = j;
      continue;
    }
    if (c === "`" || (c === "$" && line[i + 1] === "(")) return fail("command substitution");
    if ((c === "<" || c === ">") && line[i + 1] === "(") return fail("process substitution");
    if (c === "<" || c === ">") return fail("redirection");
    if (c === "(" || c === ")" || c === "{" || c === "}") return fail("subshell or group");
    if (c === "#" && !inWord) break;
    if (c === " " || c === "\t") {
      endWord();
      continue;
    }
    if (c === ";" || c === "\n" || c === "|" || c === "&") {
      const doubled = (c === "|" || c === "&") && line[i + 1] === c;
      if (doubled) i++;
      pendingOperator = c === "|" || doubled;
      if (argv.length === 0 && !inWord && (c === "\n" || c === ";") && commands.length === 0) continue;
      if (c === "\n" && argv.length === 0 && !inWord) continue;
      const why = endCommand();
      if (why) return fail(why);
      continue;
    }
    pendingOperator = false;
    if ("$*?[~".includes(c)) expands = true;
    word += c;
    inWord = true;
  }
  endWord();
  if (pendingOperator && argv.length === 0) return fail("operator without a command after it");
  if (argv.length > 0) {
    const why = endCommand();
    if (why) return fail(why);
  }
  if (commands.length === 0) return fail("no command");
  return { ok: true, commands };
}

function checkSimple(argv: string[], expands: boolean[]): string | undefined {
  const first = argv[0]!;
  if (expands[0]) return "expansion in the command name";
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) return "leading variable assignment";
  if (["if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "!", "[[", "eval", "exec", "source", "."].includes(first)) {
    return `shell construct ${JSON.stringify(first)}`;
  }
  return undefined;
}
