/**
 * Config schema of the webhook surface (`hooks.*`, http.md §6): token, path, body cap, mappings with
 * `{{path}}` templates, presets and transforms. Referenced from schema.ts; validators are precompiled by
 * `bun run protocol:gen`.
 *
 * Known keys are strict so a typo is an error. `hooks.gmail` (the Gmail watcher) and `hooks.internal`
 * (upstream's internal event hooks) belong to subsystems that are not here yet: accepted as objects so an
 * upstream config keeps loading, not acted on.
 */
import { type Static, Type as T } from "@sinclair/typebox";

const literals = <const L extends readonly string[]>(values: L) => T.Unsafe<L[number]>(T.Union(values.map((v) => T.Literal(v))));

/** Default `hooks.path`. */
export const DEFAULT_HOOKS_PATH = "/hooks";
/** Default `hooks.maxBodyBytes` (256 KiB). */
export const DEFAULT_HOOKS_MAX_BODY_BYTES = 262_144;
/** Presets that add built-in mappings. */
export const HOOK_PRESETS = ["gmail"] as const;

/**
 * A transform module path: relative to `hooks.transformsDir`, no `..`, no absolute or URL-like forms, so a
 * mapping can only load code from the directory the operator chose.
 */
const SAFE_RELATIVE_MODULE = "^(?![\\\\/])(?!~)(?![^:]*:)(?!.*(^|[\\\\/])\\.\\.([\\\\/]|$)).+$";

/** One `hooks.mappings[]` entry: which requests it matches and the action it builds from the payload. */
export const HookMappingSchema = T.Object(
  {
    id: T.Optional(T.String()),
    match: T.Optional(
      T.Object(
        {
          path: T.Optional(T.String({ description: "Sub-path below hooks.path (`gmail` matches POST /hooks/gmail)." })),
          source: T.Optional(T.String({ description: "Only when the payload's `source` equals this." })),
        },
        { additionalProperties: false },
      ),
    ),
    action: T.Optional(literals(["agent", "wake"] as const)),
    wakeMode: T.Optional(literals(["now", "next-heartbeat"] as const)),
    name: T.Optional(T.String()),
    agentId: T.Optional(T.String({ minLength: 1 })),
    sessionKey: T.Optional(T.String({ description: "Template; default hook:<uuid> (a fresh session per request)." })),
    messageTemplate: T.Optional(T.String({ description: "Agent message; `{{path.to.field}}` reads the payload." })),
    textTemplate: T.Optional(T.String({ description: "Wake text; `{{path.to.field}}` reads the payload." })),
    deliver: T.Optional(T.Boolean()),
    allowUnsafeExternalContent: T.Optional(T.Boolean()),
    channel: T.Optional(T.String({ minLength: 1, description: '"last" or a channel id (whatsapp, telegram).' })),
    to: T.Optional(T.String()),
    model: T.Optional(T.String()),
    thinking: T.Optional(T.String()),
    timeoutSeconds: T.Optional(T.Integer({ minimum: 1 })),
    transform: T.Optional(
      T.Object(
        {
          module: T.String({ minLength: 1, pattern: SAFE_RELATIVE_MODULE, description: "Module relative to hooks.transformsDir (no absolute paths, no ..)." }),
          export: T.Optional(T.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The `hooks` block. Hooks are off unless `enabled` is true, and then `token` is required. */
export const HooksConfigSchema = T.Object(
  {
    enabled: T.Optional(T.Boolean()),
    token: T.Optional(T.String({ description: "Shared secret callers send as Authorization: Bearer or X-OpenClaw-Token." })),
    path: T.Optional(T.String({ minLength: 1, description: `Base path (default ${DEFAULT_HOOKS_PATH}); "/" is refused.` })),
    maxBodyBytes: T.Optional(T.Integer({ minimum: 1, description: `Largest accepted payload (default ${DEFAULT_HOOKS_MAX_BODY_BYTES}).` })),
    allowedSessionKeyPrefixes: T.Optional(
      T.Array(T.String({ minLength: 1 }), { description: 'Prefixes a caller-supplied sessionKey must start with (default ["hook:"]).' }),
    ),
    presets: T.Optional(T.Array(literals(HOOK_PRESETS))),
    transformsDir: T.Optional(T.String({ description: "Where transform modules live (default: the config file's folder)." })),
    mappings: T.Optional(T.Array(HookMappingSchema)),
    // Owned by subsystems that are not here yet; accepted so upstream configs keep loading.
    gmail: T.Optional(T.Record(T.String(), T.Unknown())),
    internal: T.Optional(T.Record(T.String(), T.Unknown())),
  },
  { additionalProperties: false },
);

/** A `hooks.mappings[]` entry. */
export type HookMappingConfig = Static<typeof HookMappingSchema>;
/** The `hooks` block. */
export type HooksConfig = Static<typeof HooksConfigSchema>;

/**
 * The start-up checks of the `hooks` block (also applied per request, so a hot reload cannot open hooks
 * without a token).
 * @returns the user-facing problem, or undefined when hooks may run (or are off).
 */
export function checkHooksConfig(hooks: HooksConfig | undefined): string | undefined {
  if (hooks?.enabled !== true) return undefined;
  const token = hooks.token?.trim();
  // "undefined"/"null" are template or shell accidents, refused like the gateway's own placeholder secrets.
  if (!token || token === "undefined" || token === "null") return "hooks.enabled requires hooks.token";
  if (normalizeHooksPath(hooks.path) === "/") return 'hooks.path may not be "/" (it would shadow every other route); use e.g. "/hooks"';
  return undefined;
}

/** `hooks.path` with one leading slash and no trailing slash (`hooks/` → `/hooks`); default `/hooks`. */
export function normalizeHooksPath(path: string | undefined): string {
  const trimmed = (path ?? DEFAULT_HOOKS_PATH).trim();
  if (!trimmed) return DEFAULT_HOOKS_PATH;
  const withSlash = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, "") || "/" : withSlash;
}
