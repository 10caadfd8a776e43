/**
 * Config keys that only the file may change: those that make the gateway start a program, load code, pick
 * the binary or flags of a process it spawns, write a file of its choosing, or set environment variables
 * that such processes read. A client holding `operator.admin` may read them and write the rest of the
 * config (`config.set`/`patch`/`apply`), but a change to any of these over the protocol is refused: an
 * admin token must not turn into running commands as the gateway's user.
 *
 * Audit of the schema (schema.ts and the *-schema.ts files): `browser.executablePath`, `browser.extraArgs`
 * (e.g. `--renderer-cmd-prefix`), `browser.noSandbox`, the attach endpoints `browser.cdpUrl` and
 * `browser.profiles.*.cdpUrl`, `browser.allowPrivate` (the browser's network rule); `hooks.transformsDir`
 * and `hooks.mappings[].transform` (modules the gateway imports); `logging.file` (a path the gateway
 * appends to, e.g. a shell profile); `env` entries that steer program or library loading (`PATH`,
 * `LD_*`, `DYLD_*`, `NODE_OPTIONS`, …); `tools.exec.{host, node, safeBins, pathPrepend, security, ask,
 * sandbox.*}` and the same under `agents.list[].tools.exec` (where and what the agent runs); `secrets` (its file
 * providers name files of the gateway's user whose content skill SecretRefs hand to the agent's commands).
 * Everything else is data the gateway interprets itself.
 */

/** One refused change. */
export interface FileOnlyChange {
  /** Dotted path of the key (`browser.extraArgs`, `hooks.mappings.0.transform`, `env.LD_PRELOAD`). */
  path: string;
  /** Why the key is file-only. */
  why: string;
}

// `*` matches any one key or array index.
const FILE_ONLY: readonly { path: string[]; why: string }[] = [
  { path: ["browser", "executablePath"], why: "chooses the program the gateway starts" },
  { path: ["browser", "extraArgs"], why: "command-line flags of a program the gateway starts" },
  { path: ["browser", "noSandbox"], why: "turns off the browser's sandbox" },
  { path: ["browser", "cdpUrl"], why: "attaches the gateway to an outside browser" },
  { path: ["browser", "profiles", "*", "cdpUrl"], why: "attaches the gateway to an outside browser" },
  { path: ["browser", "allowPrivate"], why: "lets the browser reach private and loopback addresses" },
  { path: ["hooks", "transformsDir"], why: "where the gateway loads code from" },
  { path: ["hooks", "mappings", "*", "transform"], why: "code the gateway loads" },
  { path: ["logging", "file"], why: "a file the gateway writes to" },
  { path: ["secrets"], why: "files and variables the gateway reads secrets from and hands to the agent's commands" },
  ...execRules(["tools", "exec"]),
  ...execRules(["agents", "list", "*", "tools", "exec"]),
];

// `tools.exec` (and per agent): where commands run and which programs run without asking.
function execRules(at: string[]): { path: string[]; why: string }[] {
  return [
    { path: [...at, "host"], why: "moves the agent's commands off the sandbox onto a real host" },
    { path: [...at, "node"], why: "chooses the machine the agent's commands run on" },
    { path: [...at, "safeBins"], why: "programs the agent may run on the gateway host without approval" },
    { path: [...at, "pathPrepend"], why: "folders programs are looked up in" },
    { path: [...at, "security"], why: "the exec approval policy" },
    { path: [...at, "ask"], why: "the exec approval policy" },
    { path: [...at, "sandbox", "network"], why: "lets sandboxed commands reach the network" },
    { path: [...at, "sandbox", "memoryLimitMb"], why: "a resource limit of sandboxed commands" },
  ];
}

// Variables that make a program or runtime load other code, or pick which program runs.
const LOADER_ENV = /^(PATH|LD_.*|DYLD_.*|NODE_OPTIONS|NODE_PATH|BUN_OPTIONS|BUN_CONFIG_.*|SHELL|BASH_ENV|ENV|ZDOTDIR|PYTHONPATH|PYTHONSTARTUP|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB|GIT_.*|EDITOR|VISUAL|BROWSER|CHROME_.*|OPENCLAW_.*|HOME|XDG_.*|TMPDIR)$/i;

/**
 * The file-only keys whose value differs between `before` (the file as written now; `undefined` when it
 * does not parse) and `after` (what a client wants written). Values are compared as written (`${VAR}`
 * references unsubstituted), so writing back an unchanged config passes.
 * @returns every refused change, in schema order; empty when none.
 */
export function findFileOnlyChanges(before: unknown, after: unknown): FileOnlyChange[] {
  const out: FileOnlyChange[] = [];
  for (const rule of FILE_ONLY) {
    const paths = new Set([...expand(before, rule.path), ...expand(after, rule.path)]);
    for (const p of paths) {
      if (!sameJson(get(before, p), get(after, p))) out.push({ path: p.join("."), why: rule.why });
    }
  }
  const envBefore = asRecord(asRecord(before)?.env) ?? {};
  const envAfter = asRecord(asRecord(after)?.env) ?? {};
  for (const key of new Set([...Object.keys(envBefore), ...Object.keys(envAfter)])) {
    if (LOADER_ENV.test(key) && !sameJson(envBefore[key], envAfter[key])) out.push({ path: `env.${key}`, why: "an environment variable that changes which code programs load" });
  }
  return out;
}

// --- internal ---

function expand(root: unknown, pattern: string[]): string[][] {
  let frontier: { value: unknown; path: string[] }[] = [{ value: root, path: [] }];
  for (const seg of pattern) {
    const next: { value: unknown; path: string[] }[] = [];
    for (const { value, path } of frontier) {
      if (value === null || typeof value !== "object") continue;
      const keys = seg === "*" ? Object.keys(value) : Object.hasOwn(value, seg) ? [seg] : [];
      for (const k of keys) next.push({ value: (value as Record<string, unknown>)[k], path: [...path, k] });
    }
    frontier = next;
  }
  return frontier.map((f) => f.path);
}

function get(root: unknown, path: string[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function asRecord(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}
