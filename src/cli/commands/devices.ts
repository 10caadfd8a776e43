/**
 * `openclaw devices list|approve|reject|revoke|rotate`: paired devices (operators and nodes), their pairing
 * requests and tokens, through the running gateway.
 */
import { defineCommand } from "citty";
import type { DevicePairListResult } from "../../protocol/generated/types.ts";
import { callGateway, formatAge, printTable, shortId } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

const list = defineCommand({
  meta: { name: "list", description: "List pending pairing requests and paired devices" },
  args: { ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<DevicePairListResult>(args, "device.pair.list", {});
    if (args.json) return printJson(res);
    if (res.pending.length > 0) {
      process.stdout.write(`Pending (${res.pending.length}):\n`);
      printTable(
        ["REQUEST", "DEVICE", "NAME", "ROLE", "SCOPES", "IP", "AGE"],
        res.pending.map((p) => [p.requestId, shortId(p.deviceId), p.displayName ?? "-", p.role, (p.commands ? p.commands.map((c) => `cmd:${c}`) : (p.scopes ?? [])).join(",") || "-", p.remoteIp ?? "-", `${formatAge(p.ts)}${p.isRepair ? " (repair)" : ""}`]),
        "",
      );
      process.stdout.write("\n");
    }
    printTable(
      ["DEVICE", "NAME", "PLATFORM", "ROLES", "SCOPES", "TOKENS", "APPROVED"],
      res.paired.map((d) => [shortId(d.deviceId), d.displayName ?? "-", d.platform ?? "-", (d.roles ?? (d.role ? [d.role] : [])).join(",") || "-", d.scopes?.join(",") || "-", (d.tokens ?? []).map((t) => t.role).join(",") || "-", formatAge(d.approvedAtMs)]),
      "No paired devices.",
    );
  },
});

const approve = defineCommand({
  meta: { name: "approve", description: "Approve a device pairing request" },
  args: { requestId: { type: "positional", description: "Request id (see `openclaw devices list`)", required: true }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ requestId: string; device: { deviceId: string; role?: string } }>(args, "device.pair.approve", { requestId: args.requestId });
    if (args.json) return printJson(res);
    process.stdout.write(`Approved ${res.device.role === "node" ? "node" : "device"} ${res.device.deviceId}.\n`);
  },
});

const reject = defineCommand({
  meta: { name: "reject", description: "Reject a device pairing request" },
  args: { requestId: { type: "positional", description: "Request id", required: true }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ requestId: string; deviceId: string }>(args, "device.pair.reject", { requestId: args.requestId });
    if (args.json) return printJson(res);
    process.stdout.write(`Rejected pairing request ${res.requestId} (device ${res.deviceId}).\n`);
  },
});

const TOKEN_ARGS = {
  device: { type: "string", description: "Device id (node id for nodes)", required: true },
  role: { type: "string", description: "operator or node", required: true },
} as const;

const revoke = defineCommand({
  meta: { name: "revoke", description: "Revoke a device's token for a role; its sessions are closed" },
  args: { ...TOKEN_ARGS, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ deviceId: string; role: string }>(args, "device.token.revoke", { deviceId: args.device, role: args.role });
    if (args.json) return printJson(res);
    process.stdout.write(`Revoked the ${res.role} token of ${res.deviceId}.\n`);
  },
});

const rotate = defineCommand({
  meta: { name: "rotate", description: "Replace a device's token for a role and print the new one" },
  args: { ...TOKEN_ARGS, scope: { type: "string", description: "Comma-separated scopes (default: the current token's)" }, ...RPC_ARGS },
  async run({ args }) {
    const scopes = args.scope?.split(",").map((s) => s.trim()).filter(Boolean);
    const res = await callGateway<{ deviceId: string; role: string; token: string; scopes: string[] }>(args, "device.token.rotate", { deviceId: args.device, role: args.role, ...(scopes && { scopes }) });
    if (args.json) return printJson(res);
    process.stdout.write(`New ${res.role} token for ${res.deviceId} (scopes: ${res.scopes.join(",") || "none"}):\n${res.token}\n`);
  },
});

/** `openclaw devices …`. */
export const devicesCommand = defineCommand({
  meta: { name: "devices", description: "Manage paired devices, pairing requests and device tokens" },
  subCommands: { list, approve, reject, revoke, rotate },
});
