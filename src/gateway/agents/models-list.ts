import type { MethodHandler } from "../context.ts";
import type { AgentsHost } from "./_host.ts";

/**
 * `models.list`: the models of every configured provider, as `{id, name, provider, …}`. v4's `provider`
 * keeps one provider's; every `view` is the configured catalog (we discover no other models), and the
 * other v4 flags are accepted and ignored (see the schema).
 */
export const modelsList: MethodHandler<"models.list", AgentsHost> = (ctx, params) => {
  const providers = ctx.host.config.models?.providers ?? {};
  const models = Object.entries(providers).filter(([provider]) => params.provider === undefined || provider === params.provider).flatMap(([provider, p]) =>
    (p.models ?? []).map((m) => ({
      id: m.id,
      name: m.name ?? m.id,
      provider,
      ...(m.contextWindow !== undefined && { contextWindow: m.contextWindow }),
      ...(m.reasoning !== undefined && { reasoning: m.reasoning }),
      ...(m.input !== undefined && { input: m.input }),
    })),
  );
  return { models };
};
