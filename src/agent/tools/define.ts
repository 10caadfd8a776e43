/**
 * `defineTool` and binding a definition to a run: argument validation (ajv, compiled once per schema on
 * first use), output caps with a truncation marker, and the short preview events carry.
 */
import type { TSchema } from "@sinclair/typebox";
import type { ErrorObject, ValidateFunction } from "ajv";
import {
  type AgentTool,
  DEFAULT_TOOL_MAX_CHARS,
  DEFAULT_TOOL_PREVIEW_CHARS,
  type PortName,
  type ToolCallContext,
  type ToolDefinition,
  type ToolOutput,
  type ToolParameters,
  type ToolPorts,
  type ToolResult,
  type ToolRunContext,
} from "./types.ts";

/** Identity helper for type inference: `execute` gets `Static<parameters>` and exactly the ports in `needs`. */
export function defineTool<P extends TSchema, N extends PortName = never>(def: ToolDefinition<P, N>): ToolDefinition<P, N> {
  return def;
}

/** Thrown for arguments that do not match a tool's schema; the message names the fields. */
export class ToolArgumentsError extends Error {
  constructor(
    tool: string,
    readonly problems: string[],
  ) {
    super(`invalid arguments for ${tool}: ${problems.join("; ")}`);
    this.name = "ToolArgumentsError";
  }
}

/** The ports of `needs` missing from `ports` (empty when the tool can be offered). */
export function missingPorts(def: { needs: readonly PortName[] }, ports: ToolPorts): PortName[] {
  return def.needs.filter((n) => ports[n] === undefined || ports[n] === null);
}

/**
 * Binds a definition to a run's context and ports.
 * @throws Error when a needed port is missing (callers filter with {@link missingPorts} first).
 */
export function bindTool(def: ToolDefinition<TSchema, PortName>, run: ToolRunContext, ports: ToolPorts): AgentTool {
  const missing = missingPorts(def, ports);
  if (missing.length > 0) throw new Error(`tool ${def.name} needs ${missing.join(", ")}`);
  const parameters = toPlainSchema(def.parameters) as ToolParameters;
  const maxChars = def.caps?.maxChars ?? DEFAULT_TOOL_MAX_CHARS;
  const previewChars = def.caps?.previewChars ?? DEFAULT_TOOL_PREVIEW_CHARS;
  const picked = Object.fromEntries([...def.needs, ...(def.uses ?? [])].filter((n) => ports[n] !== undefined && ports[n] !== null).map((n) => [n, ports[n]]));
  const tool: AgentTool = {
    name: def.name,
    description: def.description,
    ...(def.group && { group: def.group }),
    parameters,
    http: def.http === true,
    // Not async: validation and the tool's start run in the caller's tick, so an abort that follows the
    // call finds the tool's work already started and lets the tool handle it.
    run(args, opts) {
      const input = args ?? {};
      try {
        const problems = validate(def.parameters, input);
        if (problems.length > 0) throw new ToolArgumentsError(def.name, problems);
        if (opts.signal.aborted) throw new Error("aborted");
        const ctx = { ...run, ports: picked, signal: opts.signal, ...(opts.toolCallId && { toolCallId: opts.toolCallId }) } as ToolCallContext<PortName>;
        return def.execute(input as never, ctx).then((raw) => capOutput(typeof raw === "string" ? { text: raw } : raw, maxChars, previewChars));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async execute(args, opts) {
      const out = await tool.run(args, opts);
      const notes = (out.images ?? []).map((img) => `[image ${img.mimeType}, ${Buffer.byteLength(img.data, "base64")} bytes]`);
      return [out.text, ...notes].filter(Boolean).join("\n");
    },
  };
  return tool;
}

/**
 * Cuts `result.text` at `maxChars` with a marker saying how much was kept.
 * @example capOutput({ text: "x".repeat(10) }, 4, 2).text // "xxxx\n\n[output truncated: 4 of 10 characters shown]"
 */
export function capOutput(result: ToolResult, maxChars: number, previewChars = DEFAULT_TOOL_PREVIEW_CHARS): ToolOutput {
  const full = result.text ?? "";
  const truncated = full.length > maxChars;
  const text = truncated ? `${full.slice(0, maxChars)}\n\n[output truncated: ${maxChars} of ${full.length} characters shown]` : full;
  const preview = text.length > previewChars ? `${text.slice(0, previewChars)}…` : text;
  return { text, ...(result.images?.length && { images: result.images }), truncated, preview };
}

// --- internal ---

const compiled = new WeakMap<object, ValidateFunction>();
let ajvInstance: { compile(schema: object): ValidateFunction } | undefined;

// ajv is loaded on the first call (a synchronous require, still bundled), so gateway start-up does not pay
// for the compiler; each schema is compiled once.
function validate(schema: TSchema, value: unknown): string[] {
  let fn = compiled.get(schema);
  if (!fn) {
    const Ajv = (require("ajv") as typeof import("ajv")).default;
    ajvInstance ??= new Ajv({ strict: false, allErrors: true, verbose: true });
    fn = ajvInstance.compile(toPlainSchema(schema) as object);
    compiled.set(schema, fn);
  }
  if (fn(value)) return [];
  return dedupe((fn.errors ?? []).map(describeError));
}

function describeError(e: ErrorObject): string {
  const field = e.instancePath ? e.instancePath.slice(1).replaceAll("/", ".") : "";
  const at = (name: string) => (field ? `${field}.${name}` : name);
  switch (e.keyword) {
    case "required":
      return `missing required field "${at(String(e.params.missingProperty))}"`;
    case "additionalProperties":
      return `unknown field "${at(String(e.params.additionalProperty))}"`;
    case "type":
      return `"${field || "(arguments)"}" must be ${e.params.type === "integer" ? "an integer" : `a ${e.params.type}`}`;
    case "enum":
      return `unknown ${field || "value"} ${JSON.stringify(e.data)} (use ${(e.params.allowedValues as unknown[]).map(String).join(", ")})`;
    default:
      return `"${field || "(arguments)"}" ${e.message ?? "is invalid"}`;
  }
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A TypeBox schema as plain JSON (no symbol keys), which is what the model and ajv see. */
function toPlainSchema(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema));
}
