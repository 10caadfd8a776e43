/**
 * `openclaw channels login|logout|status`: link WhatsApp by QR code, remove a linked session, and show
 * every channel account's state. All through the running gateway.
 */
import { defineCommand } from "citty";
import qrcode from "qrcode-terminal";
import { CliError } from "../../errors.ts";
import { formatAge, printTable, withCalls } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

interface LoginStatus {
  accountId: string;
  connected: boolean;
  qr?: string;
  message: string;
}

interface AccountSnapshot {
  accountId: string;
  enabled?: boolean;
  configured?: boolean;
  linked?: boolean;
  running?: boolean;
  connected?: boolean;
  mode?: string;
  tokenSource?: string;
  reconnectAttempts?: number;
  lastError?: string | null;
  lastInboundAt?: number | null;
  lastOutboundAt?: number | null;
  self?: { e164?: string } | null;
  probe?: { ok?: boolean; bot?: { username?: string }; error?: string };
}

const DEFAULT_LOGIN_TIMEOUT_MS = 180_000;

const login = defineCommand({
  meta: { name: "login", description: "Link WhatsApp: shows a QR code to scan in WhatsApp → Linked Devices" },
  args: {
    channel: { type: "string", description: "Channel to link (only whatsapp links by QR)", default: "whatsapp" },
    account: { type: "string", description: "Account id (default: the default account)" },
    force: { type: "boolean", description: "Relink even when already linked (drops the current link)" },
    verbose: { type: "boolean", description: "Print the raw QR payload too" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    if (args.channel !== "whatsapp") throw new CliError(`${args.channel} does not link by QR code`, { hint: "Telegram uses a bot token: set channels.telegram.botToken (or TELEGRAM_BOT_TOKEN)." });
    const deadline = Date.now() + DEFAULT_LOGIN_TIMEOUT_MS;
    const account = args.account ? { accountId: args.account } : {};
    await withCalls({ ...args, timeout: undefined }, async (call) => {
      let status = await call<LoginStatus>("web.login.start", { ...account, ...(args.force && { force: true }), timeoutMs: 30_000 }, 40_000);
      let shown: string | undefined;
      for (;;) {
        if (status.connected) {
          process.stdout.write(`\n✅ WhatsApp ${status.message}.\n`);
          return;
        }
        if (status.qr && status.qr !== shown) {
          shown = status.qr;
          process.stdout.write(`\nScan this QR code in WhatsApp → Settings → Linked Devices → Link a device:\n\n${renderQr(status.qr)}\n`);
          if (args.verbose) process.stdout.write(`${status.qr}\n`);
        } else if (!status.qr && !/waiting/.test(status.message)) {
          throw new CliError(`WhatsApp login failed: ${status.message}`);
        }
        if (Date.now() > deadline) throw new CliError("WhatsApp login timed out; run `openclaw channels login` again");
        status = await call<LoginStatus>("web.login.wait", { ...account, timeoutMs: 60_000 }, 70_000);
      }
    });
  },
});

const logout = defineCommand({
  meta: { name: "logout", description: "Remove a channel account's linked session (WhatsApp credentials)" },
  args: {
    channel: { type: "string", description: "Channel (default whatsapp)", default: "whatsapp" },
    account: { type: "string", description: "Account id (default: the default account)" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    const res = await withCalls(args, (call) => call<{ channel: string; accountId: string; cleared: boolean }>("channels.logout", { channel: args.channel, ...(args.account && { accountId: args.account }) }));
    if (args.json) return printJson(res);
    process.stdout.write(res.cleared ? `Logged out ${res.channel} account ${res.accountId}; credentials removed.\n` : `${res.channel} account ${res.accountId} was not linked.\n`);
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Show the state of every channel account" },
  args: { probe: { type: "boolean", description: "Check credentials against the service first" }, ...RPC_ARGS },
  async run({ args }) {
    const res = await withCalls(args, (call) => call<{ channelOrder: string[]; channelLabels: Record<string, string>; channelAccounts: Record<string, AccountSnapshot[]> }>("channels.status", args.probe ? { probe: true } : {}));
    if (args.json) return printJson(res);
    const now = Date.now();
    const rows = res.channelOrder.flatMap((ch) =>
      (res.channelAccounts[ch] ?? []).map((a) => [res.channelLabels[ch] ?? ch, a.accountId, describeState(a), describeDetail(a), a.lastInboundAt ? formatAge(a.lastInboundAt, now) : "-", a.lastError ?? ""]),
    );
    printTable(["CHANNEL", "ACCOUNT", "STATE", "DETAIL", "LAST IN", "LAST ERROR"], rows, "No channels configured.");
  },
});

/** `openclaw channels …` */
export const channelsCommand = defineCommand({
  meta: { name: "channels", description: "Link, unlink and inspect messaging channels (Telegram, WhatsApp)" },
  subCommands: { login, logout, status },
});

// --- internal ---

function renderQr(data: string): string {
  let out = "";
  qrcode.generate(data, { small: true }, (text) => (out = text));
  return out;
}

function describeState(a: AccountSnapshot): string {
  if (a.enabled === false) return "disabled";
  if (a.configured === false) return "not configured";
  if (a.linked === false) return "not linked";
  if (a.connected) return "connected";
  if (a.running) return a.reconnectAttempts ? `reconnecting (${a.reconnectAttempts})` : "connecting";
  return "stopped";
}

// Where a token came from, with the setting that holds it (the token itself is never shown).
const TOKEN_SOURCES: Record<string, string> = { env: "env (TELEGRAM_BOT_TOKEN)", config: "config (botToken)", file: "file (tokenFile)" };

function describeDetail(a: AccountSnapshot): string {
  if (a.self?.e164) return a.self.e164;
  const bot = a.probe?.bot?.username ? `@${a.probe.bot.username}` : "";
  return [a.mode, bot, a.tokenSource && a.tokenSource !== "none" ? `token: ${TOKEN_SOURCES[a.tokenSource] ?? a.tokenSource}` : ""].filter(Boolean).join(" ");
}
