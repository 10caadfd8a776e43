/**
 * `openclaw pairing list|approve|reject`: the DM pairing queue of the channels (strangers who sent the
 * bot a message get an 8-character code; an operator approves it here). Through the running gateway.
 */
import { defineCommand } from "citty";
import { callGateway, formatAge, printTable } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

interface PairingList {
  requests: { channel: string; code: string; id: string; accountId: string; meta: Record<string, string>; createdAt: number; expiresAt: number }[];
  approved: { channel: string; id: string; approvedAt: number; meta: Record<string, string> }[];
}

const CHANNEL_ARG = { channel: { type: "positional", description: "telegram | whatsapp", required: true } } as const;
const CODE_ARG = { code: { type: "positional", description: "The 8-character pairing code", required: true } } as const;

const list = defineCommand({
  meta: { name: "list", description: "List pending pairing requests (and approved senders)" },
  args: { channel: { type: "positional", description: "telegram | whatsapp (default: all)", required: false }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<PairingList>(args, "channels.pairing.list", args.channel ? { channel: args.channel } : {});
    if (args.json) return printJson(res);
    const now = Date.now();
    printTable(
      ["CHANNEL", "CODE", "SENDER", "NAME", "REQUESTED", "EXPIRES IN"],
      res.requests.map((r) => [r.channel, r.code, r.id, [r.meta.name, r.meta.username && `@${r.meta.username}`].filter(Boolean).join(" "), formatAge(r.createdAt, now), `${Math.max(0, Math.round((r.expiresAt - now) / 60_000))}m`]),
      "No pending pairing requests.",
    );
    if (res.approved.length > 0) {
      process.stdout.write("\n");
      printTable(["CHANNEL", "APPROVED SENDER", "NAME", "APPROVED"], res.approved.map((a) => [a.channel, a.id, a.meta.name ?? "", formatAge(a.approvedAt, now)]), "");
    }
  },
});

const approve = defineCommand({
  meta: { name: "approve", description: "Approve a pairing code: the sender may talk to the agent" },
  args: { ...CHANNEL_ARG, ...CODE_ARG, notify: { type: "boolean", description: "Tell the sender they were approved" }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ code: string; id: string; notified?: boolean; notifyError?: string }>(args, "channels.pairing.approve", {
      channel: args.channel,
      code: args.code,
      ...(args.notify && { notify: true }),
    });
    if (args.json) return printJson(res);
    process.stdout.write(`Approved ${args.channel} sender ${res.id} (code ${res.code}).${res.notified ? " They were notified." : ""}\n`);
    if (res.notifyError) process.stderr.write(`Could not notify the sender: ${res.notifyError}\n`);
  },
});

const reject = defineCommand({
  meta: { name: "reject", description: "Reject a pairing code" },
  args: { ...CHANNEL_ARG, ...CODE_ARG, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ code: string; id: string }>(args, "channels.pairing.reject", { channel: args.channel, code: args.code });
    if (args.json) return printJson(res);
    process.stdout.write(`Rejected ${args.channel} pairing code ${res.code} (sender ${res.id}).\n`);
  },
});

/** `openclaw pairing …` */
export const pairingCommand = defineCommand({
  meta: { name: "pairing", description: "Approve or reject DM pairing requests from channel users" },
  subCommands: { list, approve, reject },
});
