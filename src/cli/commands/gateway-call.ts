import { defineCommand } from "citty";
import JSON5 from "json5";
import { CliError } from "../../errors.ts";
import { printJson, RPC_ARGS, withGateway } from "./_rpc.ts";

/** `openclaw gateway call <method> --params JSON`: one request, prints the payload. */
export const gatewayCall = defineCommand({
  meta: { name: "call", description: "Call a gateway method and print its result" },
  args: {
    method: { type: "positional", description: "Method name, e.g. health", required: true },
    params: { type: "string", description: "Params as JSON (default {})", default: "{}" },
    "expect-final": { type: "boolean", description: "Wait for the final answer of a two-phase method" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    let params: unknown;
    try {
      params = JSON5.parse(args.params);
    } catch (err) {
      throw new CliError(`Invalid --params: not JSON (${(err as Error).message.replace(/^JSON5: /, "")})`);
    }
    const payload = await withGateway(args, (c, timeoutMs) => c.request(args.method, params, { timeoutMs, expectFinal: args["expect-final"] }));
    printJson(payload);
  },
});
