/**
 * Config schema of secret references: the SecretRef object `{source, provider?, id}` that credential fields
 * accept instead of a plain string, and `secrets.{providers, defaults}` naming where refs are read. Referenced
 * from schema.ts and skills-schema.ts; validators are precompiled by `bun run protocol:gen`. Sources and id
 * rules are the upstream's; this gateway resolves `env` and `file` refs (config/secret-ref.ts), `exec` and
 * `store` refs load but do not resolve.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** The sources a SecretRef may name. */
export const SECRET_SOURCES = ["env", "file", "exec", "store"] as const;
/** A SecretRef source. */
export type SecretSource = (typeof SECRET_SOURCES)[number];

const sourceOf = (description: string) => T.Unsafe<SecretSource>({ type: "string", enum: [...SECRET_SOURCES], description });
const ProviderName = T.String({ pattern: "^[a-z][a-z0-9_-]{0,63}$", description: "A provider alias of secrets.providers (default: the source's default)." });

/** `{source, provider?, id}`: a credential read from somewhere else at run time. */
export const SecretRefSchema = T.Object(
  {
    source: sourceOf("Where the secret lives: env, file, exec or store."),
    provider: T.Optional(ProviderName),
    id: T.String({ minLength: 1, maxLength: 512, description: "The secret's name in that source: an env variable, a JSON pointer (/a/b) or value for a file." }),
  },
  { additionalProperties: false },
);

/** A credential field: a plain string or a {@link SecretRefSchema}. */
export const SecretInput = (description: string) => T.Union([T.String(), SecretRefSchema], { description });

const SecretProvider = T.Object(
  {
    source: sourceOf("The source this provider serves."),
    allowlist: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "env: only these variable names may be read ([] = none)." })),
    path: T.Optional(T.String({ minLength: 1, description: "file: the secrets file (a private regular file of this user)." })),
    mode: T.Optional(T.Unsafe<"json" | "singleValue">({ type: "string", enum: ["json", "singleValue"], description: 'file: "json" (ids are JSON pointers, default) or "singleValue" (the whole file; id "value").' })),
    maxBytes: T.Optional(T.Integer({ minimum: 1, maximum: 16 * 1024 * 1024, description: "file: largest file read (default 1 MiB)." })),
  },
  // Keys of sources this gateway does not resolve (exec: command, args, …) still load.
  { additionalProperties: true },
);

/** `secrets`. */
export const SecretsConfigSchema = T.Object(
  {
    providers: T.Optional(T.Record(T.String({ pattern: "^[a-z][a-z0-9_-]{0,63}$" }), SecretProvider, { description: "Named places secrets are read from." })),
    defaults: T.Optional(
      T.Object(
        { env: T.Optional(ProviderName), file: T.Optional(ProviderName), exec: T.Optional(ProviderName), store: T.Optional(ProviderName) },
        { additionalProperties: false, description: "The provider a ref without one uses, per source." },
      ),
    ),
  },
  { additionalProperties: true },
);

/** A SecretRef as validated. */
export type SecretRef = Static<typeof SecretRefSchema>;
/** `secrets` as validated. */
export type SecretsConfig = Static<typeof SecretsConfigSchema>;
