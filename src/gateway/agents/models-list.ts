import type { MethodHandler } from "../context.ts";
import type { AgentsHost } from "./_host.ts";

/** `models.list`: the models of every configured provider, as `{id, name, provider, …}`. */
export const modelsList: MethodHandler<"models.list", AgentsHost> = (ctx) => {
  const providers = ctx.host.config.models?.providers ?? {};
  const models = Object.entries(providers).flatMap(([provider, p]) =>
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
