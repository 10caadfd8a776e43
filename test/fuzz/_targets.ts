/**
 * The fuzz targets' input generators and property checks, shared by test/fuzz/*.test.ts (short CI runs) and
 * bench/soak/fuzz.ts (long runs): request frames for every protocol method, and config files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { METHODS, UNADVERTISED_METHODS } from "../../protocol/methods.ts";
import { resolveGatewaySettings } from "../../src/config/gateway-settings.ts";
import { parseConfigText } from "../../src/config/load.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { CliError, ConfigError } from "../../src/errors.ts";
import { authorize } from "../../src/gateway/frames.ts";
import { checkConfig, checkParams, checkRequestFrame } from "../../src/protocol/index.ts";
import { generate, loadProtocolDefinitions, mutateText, mutateValue, NASTY_STRINGS, paramsDefinitionName, type Rng } from "./_gen.ts";

/** The default seed; override with FUZZ_SEED. */
export const DEFAULT_SEED = 20260212;

// --- request frames ---

export const ALL_METHODS = [...METHODS, ...UNADVERTISED_METHODS];
export const DEFS = loadProtocolDefinitions();

/** One generated request frame as text, and what was meant by it (for replay on failure). */
export function generateFrameText(rng: Rng, index: number): string {
  const method = rng.chance(0.9) ? rng.pick(ALL_METHODS) : rng.pick([...NASTY_STRINGS, "connect", "node.invoke.result", "health "]);
  const params = generate(DEFS[paramsDefinitionName(method)] ?? {}, rng, DEFS);
  capWaits(params);
  let frame: unknown = { type: "req", id: `f${index}`, method, ...(params !== undefined && rng.chance(0.95) && { params }) };
  for (let m = rng.chance(0.5) ? rng.int(1, 3) : 0; m > 0; m--) frame = mutateValue(frame, rng);
  let text = JSON.stringify(frame) ?? "null";
  if (rng.chance(0.15)) text = mutateText(text, rng);
  return text;
}

/** Methods that wait by design get short waits, so "answered" can be checked within the test. */
function capWaits(params: unknown): void {
  if (!params || typeof params !== "object") return;
  const p = params as Record<string, unknown>;
  for (const k of ["timeoutMs", "timeout"]) if (typeof p[k] === "number") p[k] = Math.min(p[k] as number, k === "timeout" ? 1 : 200);
}


const SCOPE_SETS: readonly string[][] = [[], ["operator.read"], ["operator.write"], ["operator.admin"], ["operator.pairing", "operator.approvals"], ["__proto__"]];

/**
 * Runs one frame text through the pure validators (parse, checkRequestFrame, checkParams, authorize).
 * @returns what happened: "not-json", "invalid-frame", "invalid-params", "valid"; throws only on a bug.
 */
export function checkFrameInput(text: string): "not-json" | "invalid-frame" | "invalid-params" | "valid" {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not-json";
  }
  const checked = checkRequestFrame(value);
  if (!checked.ok) {
    if (typeof checked.message !== "string") throw new Error("checkRequestFrame failure without a message");
    return "invalid-frame";
  }
  const res = checkParams(checked.frame.method, checked.frame.params);
  // Messages may quote the input (e.g. an unknown method name) but never blow it up.
  if (!res.ok && res.message.length > 20 * text.length + 10_000) throw new Error(`error message of ${res.message.length} chars for ${text.length} chars of input`);
  for (const scopes of SCOPE_SETS) {
    for (const role of ["operator", "node"] as const) {
      const denied = authorize({ role, scopes: [...scopes] }, checked.frame.method);
      if (denied !== undefined && typeof denied !== "string") throw new Error("authorize returned a non-string");
    }
  }
  return res.ok ? "valid" : "invalid-params";
}

// --- config files ---

export const FUZZ_ENV = { TEST_GW_TOKEN: "fuzz-token-0123456789abcdef", HOME: "/tmp/fuzz-home", EMPTY: "" };


/** Hand-written configs that exercise JSON5 and substitution, from the spec and the fixtures. */
export const CONFIG_SEEDS: readonly string[] = [
  readFileSync(join(import.meta.dir, "../fixtures/config/valid.json5"), "utf8"),
  `{ gateway: { mode: "local", auth: { token: "replace-with-48-hex" } }, agents: { defaults: { workspace: "~/.openclaw/workspace" } } }`,
  `// full example
{
  env: { ANTHROPIC_API_KEY: "sk-ant-x" },
  gateway: { mode: "local", port: 18789, bind: "loopback", auth: { mode: "token", token: "\${TEST_GW_TOKEN}" },
    reload: { mode: "hybrid", debounceMs: 300 }, controlUi: { enabled: true, basePath: "/" },
    http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: false } } } },
  commands: { restart: true },
  canvasHost: { enabled: true, root: "~/.openclaw/canvas", liveReload: true },
  logging: { level: "info", file: "/tmp/openclaw/openclaw.log" },
  models: { mode: "merge", providers: { local: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: "none", api: "openai-completions", models: [{ id: "qwen2.5", name: "Qwen 2.5", contextWindow: 32768 }] } } },
  agents: { defaults: { workspace: "~/.openclaw/workspace", model: { primary: "anthropic/claude-opus-4-5", fallbacks: ["local/qwen2.5"] }, timeoutSeconds: 600 }, list: [{ id: "main", default: true }] },
  session: { dmScope: "main", reset: { mode: "daily", atHour: 4 } },
  hooks: { enabled: true, token: "hook-secret", path: "/hooks" },
  browser: { enabled: false },
}`,
  `{gateway:{mode:'local',port:0x4965,auth:{token:'$\${LITERAL}',},},}`,
  `{ gateway: { mode: "local", auth: { password: "\${MISSING_VAR}" } } }`,
  `{ gateway: { mode: "local", port: Infinity, bind: NaN } }`,
  `{ "__proto__": { "polluted": true }, "constructor": { "prototype": { "polluted": true } }, gateway: { mode: "local" } }`,
  `{ env: { "__proto__": "x", TEST_GW_TOKEN: "\${TEST_GW_TOKEN}" }, gateway: { mode: "local", auth: { token: "\${TEST_GW_TOKEN}\${TEST_GW_TOKEN}" } } }`,
  `{ gateway: { mode: "local", auth: { token: "line\\
continued" } } }`,
];

/** One generated config text. */
export function generateConfigText(rng: Rng): string {
  let text: string;
  if (rng.chance(0.4)) {
    text = rng.pick(CONFIG_SEEDS);
    if (rng.chance(0.5)) {
      try {
        let value: unknown = JSON5.parse(text);
        for (let m = rng.int(1, 3); m > 0; m--) value = mutateValue(value, rng);
        text = (rng.chance(0.5) ? JSON5.stringify(value) : JSON.stringify(value)) ?? "null";
      } catch {
        // a seed that does not parse (on purpose) is used as text
      }
    }
  } else {
    let value: unknown = generate(ConfigSchema as never, rng);
    for (let m = rng.chance(0.6) ? rng.int(1, 3) : 0; m > 0; m--) value = mutateValue(value, rng);
    text = (rng.chance(0.5) ? JSON5.stringify(value) : JSON.stringify(value)) ?? "null";
  }
  for (let m = rng.chance(0.3) ? rng.int(1, 2) : 0; m > 0; m--) text = mutateText(text, rng);
  return text;
}

/** Runs one input through the loader and the settings step; returns a problem description or undefined. */
export function checkConfigInput(text: string): string | undefined {
  let config: unknown;
  try {
    config = parseConfigText(text, "fuzz.json5", FUZZ_ENV);
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    return `parseConfigText threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 200)}`;
  }
  if (({} as Record<string, unknown>).polluted !== undefined || (Object.prototype as Record<string, unknown>).isAdmin !== undefined) return "prototype polluted";
  if (!checkConfig(config).ok) return "returned a config that fails the schema";
  try {
    resolveGatewaySettings({ config: config as never, configExists: true, env: {} });
  } catch (err) {
    if (!(err instanceof CliError)) return `resolveGatewaySettings threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 200)}`;
  }
  return undefined;
}

