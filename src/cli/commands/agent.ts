import { defineCommand } from "citty";
import { GatewayRequestError, GatewayTransportError } from "../../client/gateway-client.ts";
import { connectAsOwner } from "../../client/owner-connect.ts";
import { resolveIdentityPath } from "../../config/paths.ts";
import type { AgentEvent, AgentRunFinal } from "../../protocol/generated/types.ts";
import { resolveCallTarget } from "../../client/target.ts";
import { CliError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import { printJson } from "./_rpc.ts";

const DEFAULT_TIMEOUT_S = 600;
/** Extra wait for the final answer beyond the run timeout (queueing, persistence). */
const FINAL_GRACE_MS = 30_000;

/**
 * `openclaw agent --message TEXT`: one agent turn through the running gateway. Streams the reply to
 * stdout as it arrives (from `agent` events) and exits when the final answer comes; `--json` prints only
 * the final payload. Session: `--session-id` > `--to` (per `session.dmScope`) > `--agent`'s main session.
 * `--deliver` also sends the reply to `--channel`/`--to` (default: the session's last chat); a reply that
 * could not be delivered is reported on stderr, the run still counts as done.
 */
export const agentCommand = defineCommand({
  meta: { name: "agent", description: "Run one agent turn via the gateway and print the reply" },
  args: {
    message: { type: "string", alias: "m", description: "Message to send (required)" },
    to: { type: "string", alias: "t", description: "Recipient number (E.164); picks the DM session" },
    "session-id": { type: "string", description: "Use an existing session by id" },
    agent: { type: "string", description: "Agent id (default: the default agent)" },
    thinking: { type: "string", description: "off | minimal | low | medium | high" },
    channel: { type: "string", description: "Channel for --to routing and --deliver (telegram, whatsapp or last)" },
    deliver: { type: "boolean", description: "Send the reply to --channel/--to, or to the session's last chat" },
    json: { type: "boolean", description: "Print the final result as JSON" },
    timeout: { type: "string", description: `Run timeout in seconds (default ${DEFAULT_TIMEOUT_S})` },
    url: { type: "string", description: "Gateway WebSocket URL" },
    port: { type: "string", description: "Port of a local gateway (default: this profile's running gateway, else config)" },
    token: { type: "string", description: "Gateway token" },
    password: { type: "string", description: "Gateway password" },
  },
  async run({ args }) {
    const message = args.message?.trim();
    if (!message) throw new CliError("--message is required", { hint: 'Example: openclaw agent --message "hello"' });
    const timeoutS = args.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(args.timeout);
    if (!Number.isInteger(timeoutS) || timeoutS <= 0) throw new CliError(`Invalid --timeout "${args.timeout}" (expected seconds, a positive integer)`);
    const runId = crypto.randomUUID();
    const target = resolveCallTarget({ url: args.url, port: args.port, token: args.token, password: args.password });
    let streamed = false;
    const client = await connectAsOwner({
      url: target.url,
      token: target.token,
      password: target.password,
      clientVersion: VERSION,
      onEvent: (ev) => {
        const p = ev.payload as AgentEvent | undefined;
        const delta = p?.data?.delta;
        if (args.json || ev.event !== "agent" || p?.runId !== runId || p.stream !== "assistant" || typeof delta !== "string" || !delta) return;
        process.stdout.write(delta);
        streamed = true;
      },
    }, { identityPath: resolveIdentityPath() }).catch((err) => {
      // Reported by cli/failure.ts with the URL dialled and advice that fits local or remote mode.
      if (err instanceof GatewayRequestError) err.remote = target.source === "gateway.remote.url";
      throw err;
    });
    let final: AgentRunFinal;
    try {
      final = await client.request<AgentRunFinal>(
        "agent",
        {
          message,
          idempotencyKey: runId,
          timeout: timeoutS,
          ...(args.to && { to: args.to }),
          ...(args["session-id"] && { sessionId: args["session-id"] }),
          ...(args.agent && { agentId: args.agent }),
          ...(args.thinking && { thinking: args.thinking }),
          ...(args.channel && { channel: args.channel }),
          ...(args.deliver && { deliver: true }),
        },
        { expectFinal: true, timeoutMs: timeoutS * 1000 + FINAL_GRACE_MS },
      );
    } catch (err) {
      if (streamed) process.stdout.write("\n");
      if (err instanceof GatewayRequestError) throw new CliError(err.message, { code: err.code });
      if (err instanceof GatewayTransportError) throw new CliError(err.message, { code: "UNAVAILABLE" });
      throw err;
    } finally {
      client.close();
    }
    if (args.json) return printJson(final);
    if (streamed) process.stdout.write("\n");
    else for (const p of final.result?.payloads ?? []) if (p.text) process.stdout.write(`${p.text}\n`);
    if (final.summary === "aborted") process.stderr.write("(run aborted)\n");
    if (final.delivery?.ok === false) process.stderr.write(`(reply not delivered: ${final.delivery.error ?? "unknown error"})\n`);
    else if (final.delivery?.ok) process.stderr.write(`(delivered to ${final.delivery.channel} ${final.delivery.to})\n`);
  },
});
