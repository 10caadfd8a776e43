/**
 * Config schema of the HTTP APIs on the gateway port (http.md §3–§5): `gateway.http.endpoints.*` (the
 * OpenAI-compatible endpoints, off by default) and `gateway.tools` (the `/tools/invoke` policy).
 * Referenced from schema.ts; validators are precompiled by `bun run protocol:gen`.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** Default `gateway.http.endpoints.responses.maxBodyBytes` (20 MiB). */
export const DEFAULT_RESPONSES_MAX_BODY_BYTES = 20 * 1024 * 1024;
/** The `/v1/chat/completions` body cap (1 MiB, fixed upstream). */
export const CHAT_COMPLETIONS_MAX_BODY_BYTES = 1024 * 1024;

const Open = T.Record(T.String(), T.Unknown());

const ChatCompletionsEndpoint = T.Object(
  { enabled: T.Optional(T.Boolean({ description: "Serve POST /v1/chat/completions (default false)." })) },
  { additionalProperties: false },
);

const ResponsesEndpoint = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "Serve POST /v1/responses (default false)." })),
    maxBodyBytes: T.Optional(T.Integer({ minimum: 1, description: "Largest accepted request body (default 20 MiB)." })),
    // File and image inputs are refused for now; their limits are accepted so upstream configs keep loading.
    files: T.Optional(Open),
    images: T.Optional(Open),
  },
  { additionalProperties: false },
);

/** `gateway.http`. */
export const GatewayHttpSchema = T.Object(
  {
    endpoints: T.Optional(
      T.Object({ chatCompletions: T.Optional(ChatCompletionsEndpoint), responses: T.Optional(ResponsesEndpoint) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

/** `gateway.tools`: the `/tools/invoke` policy on top of the agent's own tool policy. */
export const GatewayToolsSchema = T.Object(
  {
    allow: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "Tools taken off the default HTTP deny list (sessions_spawn, exec, …)." })),
    deny: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "Tools never invokable over HTTP (added to the default deny list)." })),
  },
  { additionalProperties: false },
);

/** `gateway.http`. */
export type GatewayHttpConfig = Static<typeof GatewayHttpSchema>;
/** `gateway.tools`. */
export type GatewayToolsConfig = Static<typeof GatewayToolsSchema>;
