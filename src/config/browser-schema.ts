/**
 * Config schema of the browser control service (`browser.*`): the managed Chromium profiles the agent
 * drives. Referenced from schema.ts; validators are precompiled by `bun run protocol:gen`.
 *
 * Known keys are strict so a typo is an error. Keys upstream accepts that we do not act on yet
 * (`evaluateEnabled`, `snapshotDefaults`, `ssrfPolicy`, profile `driver: "extension"`) are accepted so an
 * upstream config keeps loading.
 */
import { type Static, Type as T } from "@sinclair/typebox";

const literals = <const L extends readonly string[]>(values: L) => T.Unsafe<L[number]>(T.Union(values.map((v) => T.Literal(v))));

/** Profile names: lower-case letters, digits, `-`, `_` (they become folder names under the state dir). */
export const BROWSER_PROFILE_NAME_PATTERN = "^[a-z0-9_-]{1,64}$";

const Port = T.Integer({ minimum: 1, maximum: 65535 });
const HexColor = T.String({ pattern: "^#?[0-9a-fA-F]{6}$", description: "#RRGGBB" });
const Millis = T.Integer({ minimum: 0 });

/** One `browser.profiles.<name>` entry. Without `cdpUrl` the gateway launches and owns the browser. */
export const BrowserProfileConfigSchema = T.Object(
  {
    cdpPort: T.Optional(Port),
    cdpUrl: T.Optional(T.String({ minLength: 1, description: "Attach to a running browser's DevTools endpoint (http[s]://host:port) instead of launching one." })),
    color: T.Optional(HexColor),
    driver: T.Optional(literals(["openclaw", "clawd", "extension"] as const)),
  },
  { additionalProperties: false },
);

/** The `browser` block. Every key is optional: no block means one auto-created `openclaw` profile. */
export const BrowserConfigSchema = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "Start the browser control service with the gateway (default true)." })),
    defaultProfile: T.Optional(T.String({ pattern: BROWSER_PROFILE_NAME_PATTERN })),
    profiles: T.Optional(
      T.Record(T.String({ pattern: BROWSER_PROFILE_NAME_PATTERN }), BrowserProfileConfigSchema, {
        additionalProperties: false,
        description: "Profile name (a-z, 0-9, -, _) → settings.",
      }),
    ),
    executablePath: T.Optional(T.String({ minLength: 1 })),
    headless: T.Optional(T.Boolean()),
    noSandbox: T.Optional(T.Boolean()),
    attachOnly: T.Optional(T.Boolean({ description: "Never launch a browser; only attach to one already listening on the profile's CDP port." })),
    color: T.Optional(HexColor),
    cdpUrl: T.Optional(T.String({ minLength: 1, description: "Remote CDP endpoint of the default profile." })),
    cdpPortRangeStart: T.Optional(Port),
    extraArgs: T.Optional(T.Array(T.String())),
    remoteCdpTimeoutMs: T.Optional(Millis),
    remoteCdpHandshakeTimeoutMs: T.Optional(Millis),
    localLaunchTimeoutMs: T.Optional(T.Integer({ minimum: 1, maximum: 120_000 })),
    actionTimeoutMs: T.Optional(T.Integer({ minimum: 1 })),
    allowPrivate: T.Optional(
      T.Boolean({
        description:
          "Let the managed browser load private, loopback and link-local addresses for every caller (default false: only operator.admin callers may). File-only: config writes over the protocol cannot change it.",
      }),
    ),
    // Accepted for upstream compatibility; not acted on yet.
    evaluateEnabled: T.Optional(T.Boolean()),
    snapshotDefaults: T.Optional(T.Object({ mode: T.Optional(T.Literal("efficient")) }, { additionalProperties: false })),
    ssrfPolicy: T.Optional(T.Record(T.String(), T.Unknown())),
  },
  { additionalProperties: false },
);

/** A `browser.profiles.<name>` entry. */
export type BrowserProfileConfig = Static<typeof BrowserProfileConfigSchema>;
/** The `browser` block. */
export type BrowserConfig = Static<typeof BrowserConfigSchema>;
