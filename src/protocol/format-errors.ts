/**
 * Turns ajv's `ErrorObject[]` into text: the one-line wire format upstream clients expect for frames and
 * params, and per-key issues a human can act on for config files.
 */
import type { ErrorObject } from "ajv";
import { DURATION_HINT, DURATION_PATTERN } from "../util/duration.ts";

/** Patterns whose ajv message ("must match pattern …") is replaced by words a user can act on. */
const PATTERN_HINTS: Readonly<Record<string, string>> = { [DURATION_PATTERN]: DURATION_HINT };

/** One problem in a config file: where (`gateway.port`, `agents.list[0].id`) and what. */
export type ConfigIssue = { path: string; message: string };

/** Path shown for problems with the document itself (e.g. the file is an array). */
export const ROOT_PATH = "(root)";

/**
 * Formats ajv errors the way upstream gateways do: `at <instancePath>: <message>` (just `<message>` at the
 * root), unknown keys as `at <path|root>: unexpected property '<key>'`, duplicates dropped, joined by "; ".
 * Returns "unknown validation error" for an empty or missing list.
 * @example formatValidationErrors(validateSendParams.errors)
 * // "must have required property 'message'; must have required property 'idempotencyKey'"
 */
export function formatValidationErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return "unknown validation error";
  const parts = new Set<string>();
  for (const error of errors) {
    const path = error.instancePath;
    const extra =
      error.keyword === "additionalProperties" ? (error.params as { additionalProperty?: unknown }).additionalProperty : undefined;
    if (typeof extra === "string" && extra.trim()) {
      parts.add(`${path ? `at ${path}` : "at root"}: unexpected property '${extra}'`);
      continue;
    }
    const message = error.message?.trim() ? error.message : "validation error";
    parts.add(path ? `at ${path}: ${message}` : message);
  }
  return [...parts].join("; ");
}

/**
 * Turns config validation errors into one issue per problem. The several errors ajv reports for a union
 * collapse into one: `must be one of: a, b` for literal unions, else the errors of the branch the value's
 * type selected, else `must be string or object`.
 */
export function toConfigIssues(errors: readonly ErrorObject[] | null | undefined): ConfigIssue[] {
  const issues = collectIssues(errors ?? []);
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// --- internal ---

function collectIssues(errors: readonly ErrorObject[]): ConfigIssue[] {
  const unions = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  // Outermost unions only; inner ones are handled when their branch is selected.
  const outer = unions.filter((u) => !unions.some((v) => v !== u && isInside(u, v)));
  const consumed = new Set<ErrorObject>();
  const replacements = new Map<ErrorObject, ConfigIssue[]>();
  for (const union of outer) {
    const branch = errors.filter((e) => isInside(e, union));
    for (const e of branch) consumed.add(e);
    replacements.set(union, collapseUnion(union, branch));
  }
  const issues: ConfigIssue[] = [];
  for (const error of errors) {
    const replacement = replacements.get(error);
    if (replacement) issues.push(...replacement);
    else if (!consumed.has(error)) issues.push(toIssue(error));
  }
  return issues;
}

/** Whether `error` belongs to a branch of `union`: below it in the schema and at or below it in the data. */
function isInside(error: ErrorObject, union: ErrorObject): boolean {
  if (error === union || !error.schemaPath.startsWith(`${union.schemaPath}/`)) return false;
  const at = union.instancePath;
  return error.instancePath === at || error.instancePath.startsWith(`${at}/`);
}

function collapseUnion(union: ErrorObject, branch: ErrorObject[]): ConfigIssue[] {
  const path = union.instancePath;
  const here = branch.filter((e) => e.instancePath === path);
  const deeper = branch.filter((e) => e.instancePath !== path);
  const constants = here.filter((e) => e.keyword === "const").map((e) => (e.params as { allowedValue: unknown }).allowedValue);
  const onlyLiterals = here.every((e) => e.keyword === "const" || e.keyword === "type");
  if (deeper.length === 0 && constants.length > 0 && onlyLiterals) {
    return [{ path: toConfigPath(path), message: `must be one of: ${[...new Set(constants)].join(", ")}` }];
  }
  // The value had the right type for some branch and failed inside it: report that branch's errors.
  if (deeper.length > 0) return collectIssues(deeper);
  const constraints = here.filter((e) => e.keyword !== "type");
  if (constraints.length > 0) return collectIssues(constraints);
  const types = [...new Set(here.map((e) => String((e.params as { type: unknown }).type)))];
  const message = types.length > 0 ? `must be ${types.join(" or ")}` : "has an unsupported shape";
  return [{ path: toConfigPath(path), message }];
}

function toIssue(error: ErrorObject): ConfigIssue {
  const params = error.params as Record<string, unknown>;
  const at = error.instancePath;
  switch (error.keyword) {
    case "additionalProperties":
      return { path: toConfigPath(at, String(params.additionalProperty)), message: `unknown key "${params.additionalProperty}"` };
    case "required":
      return { path: toConfigPath(at, String(params.missingProperty)), message: "is required" };
    case "enum":
      return { path: toConfigPath(at), message: `must be one of: ${(params.allowedValues as unknown[]).join(", ")}` };
    case "const":
      return { path: toConfigPath(at), message: `must be ${JSON.stringify(params.allowedValue)}` };
    case "minLength": {
      const message = params.limit === 1 ? "must not be empty" : `must be at least ${params.limit} characters`;
      return { path: toConfigPath(at), message };
    }
    case "maxLength":
      return { path: toConfigPath(at), message: `must be at most ${params.limit} characters` };
    case "pattern": {
      const hint = PATTERN_HINTS[String(params.pattern)];
      return { path: toConfigPath(at), message: hint ?? error.message ?? `must match ${params.pattern}` };
    }
    default:
      return { path: toConfigPath(at), message: error.message ?? `fails ${error.keyword}` };
  }
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** `/agents/list/0/id` → `agents.list[0].id`; odd keys are quoted: `models.providers["my.host"]`. */
function toConfigPath(instancePath: string, child?: string): string {
  const segments = instancePath === "" ? [] : instancePath.slice(1).split("/").map(unescapePointer);
  if (child !== undefined) segments.push(child);
  let out = "";
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out || ROOT_PATH;
}
