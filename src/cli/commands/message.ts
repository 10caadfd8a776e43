/**
 * `openclaw message send`: delivers a message on a channel through the running gateway (`send`).
 */
import { defineCommand } from "citty";
import { isAbsolute, resolve } from "node:path";
import { CliError } from "../../errors.ts";
import { callGateway } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

interface SendResult {
  runId: string;
  channel: string;
  messageId: string;
  chatId?: string;
  toJid?: string;
}

const send = defineCommand({
  meta: { name: "send", description: "Send a message (and/or media) on a channel" },
  args: {
    target: { type: "string", alias: "t", description: "Chat: Telegram chat id / @channel, WhatsApp E.164 number or group JID (required)" },
    message: { type: "string", alias: "m", description: "Text (Markdown); required unless --media is given" },
    media: { type: "string", description: "File path or http(s) URL to attach" },
    channel: { type: "string", description: "telegram | whatsapp (default: the only configured channel, else whatsapp)" },
    account: { type: "string", description: "Channel account id (default: the channel's default account)" },
    "gif-playback": { type: "boolean", description: "Send a video as a looping GIF" },
    "dry-run": { type: "boolean", description: "Print the request instead of sending it" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    if (!args.target?.trim()) throw new CliError("--target is required", { hint: 'Example: openclaw message send --channel telegram --target 123456789 --message "hi"' });
    const message = args.message ?? "";
    if (!message.trim() && !args.media) throw new CliError("--message is required unless --media is given");
    // The gateway reads local files itself (it runs on this machine): pass an absolute path.
    const media = args.media && !/^https?:\/\//i.test(args.media) && !isAbsolute(args.media) ? resolve(args.media) : args.media;
    const params = {
      to: args.target.trim(),
      message,
      ...(media && { mediaUrl: media }),
      ...(args.channel && { channel: args.channel }),
      ...(args.account && { accountId: args.account }),
      ...(args["gif-playback"] && { gifPlayback: true }),
      idempotencyKey: crypto.randomUUID(),
    };
    if (args["dry-run"]) return printJson({ method: "send", params });
    const res = await callGateway<SendResult>(args, "send", params);
    if (args.json) return printJson(res);
    process.stdout.write(`Sent via ${res.channel} to ${res.toJid ?? res.chatId ?? params.to} (message ${res.messageId})\n`);
  },
});

/** `openclaw message …` */
export const messageCommand = defineCommand({
  meta: { name: "message", description: "Send messages on the configured channels" },
  subCommands: { send },
});
