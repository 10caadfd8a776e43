/**
 * `openclaw cron status|list|add|edit|rm|run|runs`: scheduled jobs of the running gateway. A job either
 * queues a system event for the main session (`--system-event`) or runs an isolated agent turn
 * (`--message`), once (`--at`), on an interval (`--every`) or on a cron expression (`--cron`).
 */
import { defineCommand } from "citty";
import { CliError } from "../../errors.ts";
import type { CronAddParams, CronJob, CronRunLogEntry, CronUpdateParams } from "../../protocol/generated/types.ts";
import { parseDuration } from "../../util/duration.ts";
import { type Call, callGateway, printTable, withCalls } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

type Args = Record<string, string | boolean | string[] | undefined>;

const JOB_ARG = { id: { type: "positional", description: "Job id, a unique id prefix, or the job's name", required: true } } as const;

const SCHEDULE_ARGS = {
  at: { type: "string", description: 'Run once at an ISO time ("2026-03-01T09:00:00Z") or after a duration ("20m")' },
  every: { type: "string", description: 'Run on an interval: "30s", "10m", "2h", "1d"' },
  cron: { type: "string", description: 'Run on a cron expression: "0 9 * * 1-5"' },
  tz: { type: "string", description: 'Time zone of --cron (IANA, e.g. "Europe/Berlin"; default UTC)' },
} as const;

const PAYLOAD_ARGS = {
  "system-event": { type: "string", description: "Queue this text as a system event for the main session" },
  message: { type: "string", description: "Run an isolated agent turn with this message" },
  wake: { type: "string", description: "For --system-event: now | next-heartbeat (default)" },
  agent: { type: "string", description: "Agent id (default: the default agent)" },
  model: { type: "string", description: "For --message: model ref (provider/model) for this job" },
  thinking: { type: "string", description: "For --message: off | minimal | low | medium | high" },
  "timeout-seconds": { type: "string", description: "For --message: run timeout in seconds" },
  deliver: { type: "boolean", description: "For --message: send the reply to a chat (--channel, --to)" },
  channel: { type: "string", description: 'Delivery channel: "last" (default: the main session\'s last chat) or a channel id' },
  to: { type: "string", description: "Delivery recipient (chat id, E.164 number)" },
  "best-effort-deliver": { type: "boolean", description: "A failed delivery does not fail the run" },
} as const;

const status = defineCommand({
  meta: { name: "status", description: "Show whether the scheduler runs, how many jobs there are and the next run" },
  args: { ...RPC_ARGS },
  async run({ args }) {
    const s = await callGateway<{ enabled: boolean; jobs: number; enabledJobs?: number; running?: number; nextWakeAtMs?: number | null; storePath?: string }>(args, "cron.status", {});
    if (args.json) return printJson(s);
    const out = (k: string, v: unknown) => process.stdout.write(`${k.padEnd(11)}${v === undefined || v === null ? "-" : String(v)}\n`);
    out("Scheduler", s.enabled ? "enabled" : "disabled (cron.enabled is false)");
    out("Jobs", s.enabledJobs === undefined ? s.jobs : `${s.jobs} (${s.enabledJobs} enabled)`);
    out("Running", s.running);
    out("Next run", s.nextWakeAtMs ? formatWhen(s.nextWakeAtMs) : undefined);
    out("Store", s.storePath);
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List jobs, soonest next run first" },
  args: { all: { type: "boolean", description: "Include disabled jobs" }, ...RPC_ARGS },
  async run({ args }) {
    const { jobs } = await callGateway<{ jobs: CronJob[] }>(args, "cron.list", { includeDisabled: args.all === true });
    if (args.json) return printJson({ jobs });
    printTable(
      ["ID", "NAME", "SCHEDULE", "NEXT", "LAST", "TARGET", ...(args.all ? ["ENABLED"] : [])],
      jobs.map((j) => [
        j.id.slice(0, 8),
        j.name,
        describeSchedule(j.schedule),
        j.state.nextRunAtMs === undefined ? "-" : formatWhen(j.state.nextRunAtMs),
        j.state.lastStatus ? `${j.state.lastStatus} ${formatWhen(j.state.lastRunAtMs)}` : "-",
        j.sessionTarget === "main" ? "main" : j.delivery?.mode === "announce" ? `isolated → ${j.delivery.channel ?? "last"}` : "isolated",
        ...(args.all ? [j.enabled ? "yes" : "no"] : []),
      ]),
      args.all ? "No jobs." : "No enabled jobs (--all shows disabled ones).",
    );
  },
});

const add = defineCommand({
  meta: { name: "add", description: "Add a job" },
  args: {
    name: { type: "string", description: "Job name", required: true },
    description: { type: "string", description: "What the job is for" },
    ...SCHEDULE_ARGS,
    ...PAYLOAD_ARGS,
    session: { type: "string", description: "main | isolated (default: main for --system-event, isolated for --message)" },
    disabled: { type: "boolean", description: "Add it disabled" },
    "delete-after-run": { type: "boolean", description: "For --at: delete the job after a successful run (the default)" },
    "keep-after-run": { type: "boolean", description: "For --at: keep the job, disabled, after it runs" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    const params = buildAddParams(args as Args);
    const job = await callGateway<CronJob>(args, "cron.add", params);
    if (args.json) return printJson(job);
    const next = job.state.nextRunAtMs === undefined ? "no run scheduled" : `next run ${formatWhen(job.state.nextRunAtMs)}`;
    process.stdout.write(`Added job "${job.name}" (${job.id}), ${describeSchedule(job.schedule)}; ${next}.\n`);
  },
});

const edit = defineCommand({
  meta: { name: "edit", description: "Change a job: only the flags given are changed" },
  args: {
    ...JOB_ARG,
    name: { type: "string", description: "New name" },
    description: { type: "string", description: "New description" },
    enable: { type: "boolean", description: "Enable the job" },
    disable: { type: "boolean", description: "Disable the job" },
    ...SCHEDULE_ARGS,
    ...PAYLOAD_ARGS,
    session: { type: "string", description: "main | isolated" },
    "delete-after-run": { type: "boolean", description: "For --at jobs: delete after a successful run" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    const patch = buildPatch(args as Args);
    if (Object.keys(patch).length === 0) throw new CliError("Nothing to change.", { hint: "Pass at least one flag, e.g. --disable or --every 1h." });
    const job = await withCalls(args, async (call) => call<CronJob>("cron.update", { id: await resolveJobId(call, args.id), patch }));
    if (args.json) return printJson(job);
    process.stdout.write(`Updated job "${job.name}" (${job.id}); ${job.enabled ? (job.state.nextRunAtMs === undefined ? "no run scheduled" : `next run ${formatWhen(job.state.nextRunAtMs)}`) : "disabled"}.\n`);
  },
});

const rm = defineCommand({
  meta: { name: "rm", description: "Remove a job and its run log" },
  args: { ...JOB_ARG, ...RPC_ARGS },
  async run({ args }) {
    const res = await withCalls(args, async (call) => {
      const id = await resolveJobId(call, args.id);
      return { id, ...(await call<{ ok: boolean; removed: boolean }>("cron.remove", { id })) };
    });
    if (args.json) return printJson(res);
    process.stdout.write(res.removed ? `Removed job ${res.id}.\n` : `No job ${res.id}.\n`);
  },
});

const run = defineCommand({
  meta: { name: "run", description: "Run a job now if it is due (--force: whether due or not); the outcome lands in `cron runs`" },
  args: { ...JOB_ARG, force: { type: "boolean", description: "Run even if the job is not due" }, ...RPC_ARGS },
  async run({ args }) {
    const res = await withCalls(args, async (call) => {
      const id = await resolveJobId(call, args.id);
      return { id, ...(await call<{ ok: boolean; ran: boolean; reason?: string }>("cron.run", { id, mode: args.force ? "force" : "due" })) };
    });
    if (args.json) return printJson(res);
    if (res.ran) process.stdout.write(`Started job ${res.id}; see \`openclaw cron runs ${res.id}\` for the outcome.\n`);
    else process.stdout.write(`Job ${res.id} not run: ${res.reason === "not-due" ? "not due yet (pass --force to run it anyway)" : "it is already running"}.\n`);
  },
});

const runs = defineCommand({
  meta: { name: "runs", description: "Show a job's run log, newest last" },
  args: { ...JOB_ARG, limit: { type: "string", description: "How many entries (1-5000)", default: "20" }, ...RPC_ARGS },
  async run({ args }) {
    const limit = Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new CliError(`Invalid --limit "${args.limit}" (expected 1-5000)`);
    const { entries } = await withCalls(args, async (call) => call<{ entries: CronRunLogEntry[] }>("cron.runs", { id: await resolveJobId(call, args.id), limit }));
    if (args.json) return printJson({ entries });
    printTable(
      ["FINISHED", "STATUS", "DURATION", "DETAIL"],
      entries.map((e) => [new Date(e.ts).toISOString(), e.status ?? "-", e.durationMs === undefined ? "-" : `${e.durationMs}ms`, oneLine(e.error ?? e.summary ?? "")]),
      "No runs yet.",
    );
  },
});

/** `openclaw cron …`. */
export const cronCommand = defineCommand({
  meta: { name: "cron", description: "Manage scheduled jobs (system events and isolated agent turns)" },
  subCommands: { status, list, add, edit, rm, remove: rm, run, runs },
});

// --- flag parsing ---

/**
 * Turns `cron add` flags into `cron.add` params.
 * @throws CliError for a missing or conflicting schedule or payload, or a bad value.
 */
export function buildAddParams(args: Args, now = Date.now()): CronAddParams {
  const schedule = scheduleOf(args, now);
  if (!schedule) throw new CliError("A schedule is required: --at, --every or --cron.");
  const payload = payloadOf(args);
  if (!payload) throw new CliError("A payload is required: --system-event TEXT or --message TEXT.");
  const sessionTarget = sessionOf(args) ?? (payload.kind === "systemEvent" ? "main" : "isolated");
  const delivery = deliveryOf(args);
  if (args["delete-after-run"] === true && args["keep-after-run"] === true) throw new CliError("Pass --delete-after-run or --keep-after-run, not both.");
  return {
    name: String(args.name),
    ...(str(args.description) !== undefined && { description: str(args.description) }),
    ...(str(args.agent) && { agentId: str(args.agent) }),
    ...(args.disabled === true && { enabled: false }),
    ...(args["delete-after-run"] === true && { deleteAfterRun: true }),
    ...(args["keep-after-run"] === true && { deleteAfterRun: false }),
    schedule,
    sessionTarget,
    wakeMode: wakeOf(args) ?? "next-heartbeat",
    payload,
    ...(delivery && { delivery: { mode: "announce", ...delivery } }),
  } as CronAddParams;
}

/**
 * Turns `cron edit` flags into a `cron.update` patch holding only what was given.
 * @throws CliError for conflicting flags or a bad value.
 */
export function buildPatch(args: Args, now = Date.now()): CronUpdateParams["patch"] {
  if (args.enable === true && args.disable === true) throw new CliError("Pass --enable or --disable, not both.");
  const schedule = scheduleOf(args, now);
  const payload = payloadOf(args, true);
  const delivery = deliveryOf(args, true);
  const patch: CronUpdateParams["patch"] = {
    ...(str(args.name) !== undefined && { name: str(args.name) }),
    ...(str(args.description) !== undefined && { description: str(args.description) }),
    ...(str(args.agent) !== undefined && { agentId: str(args.agent) }),
    ...(args.enable === true && { enabled: true }),
    ...(args.disable === true && { enabled: false }),
    ...(typeof args["delete-after-run"] === "boolean" && { deleteAfterRun: args["delete-after-run"] }),
    ...(schedule && { schedule }),
    ...(sessionOf(args) && { sessionTarget: sessionOf(args) }),
    ...(wakeOf(args) && { wakeMode: wakeOf(args) }),
    ...(payload && { payload }),
  };
  if (args.deliver === false) patch.delivery = { mode: "none" };
  else if (delivery) patch.delivery = { ...(args.deliver === true && { mode: "announce" as const }), ...delivery };
  return patch;
}

function scheduleOf(args: Args, now: number): CronAddParams["schedule"] | undefined {
  const given = (["at", "every", "cron"] as const).filter((k) => str(args[k]) !== undefined);
  if (given.length > 1) throw new CliError(`Pass one schedule, not ${given.map((g) => `--${g}`).join(" and ")}.`);
  if (str(args.tz) !== undefined && given[0] !== "cron") throw new CliError("--tz goes with --cron.");
  const at = str(args.at);
  if (at !== undefined) {
    const after = parseDuration(at.replace(/^\+/, ""));
    return { kind: "at", at: after !== undefined ? new Date(now + after).toISOString() : at };
  }
  const every = str(args.every);
  if (every !== undefined) {
    const ms = parseDuration(every);
    if (ms === undefined || ms <= 0) throw new CliError(`Invalid --every "${every}" (expected a duration such as 30s, 10m, 2h, 1d)`);
    return { kind: "every", everyMs: ms };
  }
  const expr = str(args.cron);
  if (expr !== undefined) return { kind: "cron", expr, ...(str(args.tz) && { tz: str(args.tz) }) };
  return undefined;
}

function payloadOf(args: Args, partial = false): CronAddParams["payload"] | undefined {
  const text = str(args["system-event"]);
  const message = str(args.message);
  if (text !== undefined && message !== undefined) throw new CliError("Pass --system-event or --message, not both.");
  if (text !== undefined) return { kind: "systemEvent", text };
  const timeout = str(args["timeout-seconds"]);
  const seconds = timeout === undefined ? undefined : Number(timeout);
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds > 0)) throw new CliError(`Invalid --timeout-seconds "${timeout}" (expected a positive integer)`);
  const turn = { ...(str(args.model) && { model: str(args.model) }), ...(str(args.thinking) && { thinking: str(args.thinking) }), ...(seconds && { timeoutSeconds: seconds }) };
  if (message !== undefined) return { kind: "agentTurn", message, ...turn };
  // An edit may change the turn's options without repeating its message.
  if (partial && Object.keys(turn).length > 0) return { kind: "agentTurn", ...turn } as CronAddParams["payload"];
  if (Object.keys(turn).length > 0) throw new CliError("--model, --thinking and --timeout-seconds go with --message.");
  return undefined;
}

function deliveryOf(args: Args, partial = false): { channel?: string; to?: string; bestEffort?: boolean } | undefined {
  const channel = str(args.channel);
  const to = str(args.to);
  const bestEffort = args["best-effort-deliver"] === true;
  const named = channel !== undefined || to !== undefined || bestEffort;
  if (named && (args.deliver === false || (!partial && args.deliver !== true))) throw new CliError("--channel, --to and --best-effort-deliver go with --deliver.");
  if (!named) return args.deliver === true ? {} : undefined;
  return { ...(channel && { channel }), ...(to && { to }), ...(bestEffort && { bestEffort: true }) };
}

function sessionOf(args: Args): "main" | "isolated" | undefined {
  const s = str(args.session);
  if (s === undefined) return undefined;
  if (s !== "main" && s !== "isolated") throw new CliError(`Invalid --session "${s}" (use main or isolated)`);
  return s;
}

function wakeOf(args: Args): "now" | "next-heartbeat" | undefined {
  const w = str(args.wake);
  if (w === undefined) return undefined;
  if (w !== "now" && w !== "next-heartbeat") throw new CliError(`Invalid --wake "${w}" (use now or next-heartbeat)`);
  return w;
}

function str(v: Args[string]): string | undefined {
  return typeof v === "string" ? v : undefined;
}

// --- output ---

/**
 * Finds the job meant by `query`: exact id, exact name, or a unique id prefix (4+ characters).
 * @throws CliError when nothing or more than one job matches.
 */
async function resolveJobId(call: Call, query: string): Promise<string> {
  const { jobs } = await call<{ jobs: CronJob[] }>("cron.list", { includeDisabled: true });
  const q = query.trim();
  const tiers = [jobs.filter((j) => j.id === q), jobs.filter((j) => j.name === q), jobs.filter((j) => q.length >= 4 && j.id.startsWith(q))];
  const hit = tiers.find((t) => t.length > 0);
  if (!hit) throw new CliError(`Unknown job "${q}".`, { hint: "Run `openclaw cron list --all` to see the jobs." });
  if (hit.length > 1) throw new CliError(`"${q}" matches ${hit.length} jobs: ${hit.map((j) => j.id).join(", ")}. Use the job id.`);
  return hit[0]!.id;
}

function describeSchedule(s: CronJob["schedule"]): string {
  if (s.kind === "at") return `at ${s.at}`;
  if (s.kind === "every") return `every ${formatInterval(s.everyMs)}`;
  return `cron "${s.expr}"${s.tz ? ` ${s.tz}` : ""}`;
}

function formatInterval(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** "in 5m", "3h ago", "now"; "-" when unknown. */
function formatWhen(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return "-";
  const d = Math.round((ms - now) / 1000);
  const abs = Math.abs(d);
  const text = abs < 60 ? `${abs}s` : abs < 3600 ? `${Math.floor(abs / 60)}m` : abs < 86_400 ? `${Math.floor(abs / 3600)}h` : `${Math.floor(abs / 86_400)}d`;
  if (abs < 1) return "now";
  return d > 0 ? `in ${text}` : `${text} ago`;
}

function oneLine(text: string, max = 80): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
