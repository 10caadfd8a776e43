/**
 * Config schema of the agent's tool policy: `tools.*` (profile, allow/alsoAllow/deny with groups and `*`,
 * `tools.fs`, `tools.web.fetch`) and the per-agent override `agents.list[].tools`. Referenced from
 * schema.ts; validators are precompiled by `bun run protocol:gen`. Keys owned by subsystems that land later
 * (exec, elevated, media, byProvider, …) are accepted and checked by their owners.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** Tool profiles (base allowlists), as upstream names them. */
export const TOOL_PROFILES = ["minimal", "coding", "messaging", "full"] as const;
/** A tool profile. */
export type ToolProfile = (typeof TOOL_PROFILES)[number];

const Profile = T.Unsafe<ToolProfile>(T.Union(TOOL_PROFILES.map((p) => T.Literal(p)), { description: "Base tool allowlist: minimal, coding, messaging or full." }));
const Names = (description: string) => T.Optional(T.Array(T.String({ minLength: 1 }), { description }));

const policyFields = {
  profile: T.Optional(Profile),
  allow: Names('Only these tools (names, "group:<name>", "*" wildcards); every allow list on the way must pass.'),
  alsoAllow: Names("Tools added to the profile's allowlist."),
  deny: Names("Tools never offered (deny wins over allow)."),
};

const Fs = T.Object(
  { allowOutside: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "Absolute folders the file tools may reach besides the workspace." })) },
  { additionalProperties: false },
);

const WebFetch = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "Offer web_fetch (default true)." })),
    allowPrivate: T.Optional(T.Boolean({ description: "Let web_fetch reach private, loopback and link-local addresses (default false)." })),
    maxChars: T.Optional(T.Integer({ minimum: 1, description: "Text cut (default 50000)." })),
    maxBytes: T.Optional(T.Integer({ minimum: 1, description: "Body cut (default 2 MB)." })),
    timeoutSeconds: T.Optional(T.Number({ exclusiveMinimum: 0, description: "Whole-fetch timeout (default 20)." })),
  },
  // Upstream keys not used here yet (maxCharsCap, userAgent, readability, firecrawl, …) still load.
  { additionalProperties: true },
);

/** `tools`. */
export const ToolsConfigSchema = T.Object(
  {
    ...policyFields,
    fs: T.Optional(Fs),
    web: T.Optional(T.Object({ fetch: T.Optional(WebFetch), search: T.Optional(T.Record(T.String(), T.Unknown())) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

/** `agents.list[].tools`: the agent's policy over the defaults in `tools`. */
export const AgentToolsSchema = T.Object({ ...policyFields, fs: T.Optional(Fs) }, { additionalProperties: true });

/** `tools`. */
export type ToolsConfig = Static<typeof ToolsConfigSchema>;
/** `agents.list[].tools`. */
export type AgentToolsConfig = Static<typeof AgentToolsSchema>;
