/**
 * The gateway's logger: one human line per event on stdout (timestamp, subsystem, message) and one JSON
 * line per event in the day's log file. Debug lines reach the console only with `--verbose`.
 *
 * Secrets are never passed in: callers log ids and counts, not tokens or message bodies. As a second fence,
 * fields whose names look secret (`token`, `password`, …) are replaced with "[redacted]" unless verbose.
 */
import { closeSync, fstatSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { resolveLogFile } from "../config/paths.ts";
import { LOG_LEVELS } from "../config/schema.ts";

/** A log level, lowest volume first. */
export type LogLevel = (typeof LOG_LEVELS)[number];
type Fields = Record<string, unknown>;

/** Where and how much to log. */
export interface LoggerOptions {
  /** Minimum level written to the file (default info). */
  level?: LogLevel;
  /** Mirror debug/trace to the console and keep secret-looking fields. */
  verbose?: boolean;
  /** Explicit log file; default `/tmp/openclaw/openclaw[-<fileTag>]-YYYY-MM-DD.log`, following the date. */
  file?: string;
  /** Names the default file after its gateway (`<profile>-<port>`), so gateways never share one. */
  fileTag?: string;
  /** Console writer (default stdout); tests pass a collector. */
  write?: (line: string) => void;
  /** Turn the file log off (tests, CLI clients). */
  noFile?: boolean;
}

const RANK: Record<LogLevel, number> = { silent: 0, fatal: 1, error: 2, warn: 3, info: 4, debug: 5, trace: 6 };
const SECRET_KEY = /token|password|secret|apikey|api_key|authorization/i;

/** A logger for one subsystem; `child("ws")` shares the sinks. */
export class Logger {
  readonly subsystem: string;
  private readonly opts: LoggerOptions;
  private readonly sink: Sink;

  constructor(subsystem: string, opts: LoggerOptions = {}, sink?: Logger["sink"]) {
    this.subsystem = subsystem;
    this.opts = opts;
    this.sink = sink ?? { checkedAt: 0, failed: false };
  }

  /** A logger for another subsystem writing to the same places. */
  child(subsystem: string): Logger {
    return new Logger(subsystem, this.opts, this.sink);
  }

  /** The current log file path, or undefined when file logging is off. */
  get file(): string | undefined {
    if (this.opts.noFile) return undefined;
    return this.opts.file ?? resolveLogFile(undefined, undefined, this.opts.fileTag);
  }

  get verbose(): boolean {
    return this.opts.verbose === true;
  }

  error(msg: string, fields?: Fields): void {
    this.log("error", msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    this.log("warn", msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    this.log("info", msg, fields);
  }
  debug(msg: string, fields?: Fields): void {
    this.log("debug", msg, fields);
  }

  /** Writes one event at `level` to the console (info and above, or all with verbose) and the file. */
  log(level: LogLevel, msg: string, fields?: Fields): void {
    const consoleMax = this.verbose ? RANK.trace : RANK.info;
    const fileMax = this.verbose ? RANK.trace : RANK[this.opts.level ?? "info"];
    // Most debug lines go nowhere: decide that before formatting anything.
    if (RANK[level] > consoleMax && RANK[level] > fileMax) return;
    const time = new Date();
    const clean = fields && !this.verbose ? redact(fields) : fields;
    if (RANK[level] <= consoleMax) {
      const extra = clean && Object.keys(clean).length > 0 ? ` ${formatFields(clean)}` : "";
      const line = `${time.toISOString()} [${this.subsystem}] ${level === "info" ? "" : `${level}: `}${msg}${extra}`;
      (this.opts.write ?? writeStdout)(line);
    }
    if (RANK[level] <= fileMax) this.writeFile({ time: time.toISOString(), level, subsystem: this.subsystem, msg, ...clean });
  }

  private writeFile(record: Fields): void {
    const file = this.file;
    if (!file || this.sink.failed) return;
    try {
      const line = `${JSON.stringify(record)}\n`;
      try {
        writeSync(this.openFile(file), line);
      } catch {
        // The file may have been removed or its folder recreated: reopen once and retry.
        this.closeFile();
        writeSync(this.openFile(file), line);
      }
    } catch (err) {
      // A full disk or a read-only /tmp must not take the gateway down: say it once, keep the console.
      this.sink.failed = true;
      (this.opts.write ?? writeStdout)(`[logging] file log disabled: ${(err as Error).message}`);
    }
  }

  /** Closes the log file (its owner is done with this logger and every child); a later line reopens it. */
  close(): void {
    this.closeFile();
  }

  /** The open descriptor of `file` (appending); the day's file replaces yesterday's when the name changes. */
  private openFile(file: string): number {
    const sink = this.sink;
    if (sink.fd !== undefined && sink.file === file) {
      // At most once a second, make sure the path still names our file (removed, rotated away): else reopen.
      const now = Date.now();
      if (now - sink.checkedAt < FILE_CHECK_MS) return sink.fd;
      sink.checkedAt = now;
      if (statSync(file, { throwIfNoEntry: false })?.ino === sink.ino) return sink.fd;
    }
    this.closeFile();
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, "a");
    Object.assign(sink, { fd, file, ino: fstatSync(fd).ino, checkedAt: Date.now() });
    return fd;
  }

  private closeFile(): void {
    if (this.sink.fd === undefined) return;
    try {
      closeSync(this.sink.fd);
    } catch {
      // already closed
    }
    this.sink.fd = undefined;
    this.sink.file = undefined;
  }
}

/** The file sink every child of a logger shares: one descriptor kept open on the current file. */
interface Sink {
  file?: string;
  fd?: number;
  /** Inode of the open file, and when the path was last checked against it. */
  ino?: number;
  checkedAt: number;
  failed: boolean;
}

/** How often the log file's path is checked against the open descriptor. */
const FILE_CHECK_MS = 1000;

/** Replaces values of secret-looking keys with "[redacted]" (shallow). */
export function redact(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEY.test(k) && v !== undefined ? "[redacted]" : v;
  return out;
}

function formatFields(fields: Fields): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

function writeStdout(line: string): void {
  writeOut(`${line}\n`);
}

/** Set once a direct write to fd 1 failed: from then on everything goes through `process.stdout`, in order. */
let stdoutStream = false;

/**
 * Writes `text` to standard output. Bun builds `process.stdout` (a node stream) on first use, which costs
 * a starting gateway milliseconds before it answers; a plain write to fd 1 costs microseconds. When fd 1
 * refuses (a full non-blocking pipe, a closed reader), the rest and every later line go through
 * `process.stdout`, as before.
 */
export function writeOut(text: string): void {
  if (stdoutStream) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) {
      const n = writeSync(1, bytes, done);
      if (n <= 0) break;
      done += n;
    }
  } catch {
    // Fall through: the stream queues what the descriptor would not take now.
  }
  if (done === bytes.length) return;
  stdoutStream = true;
  process.stdout.write(bytes.subarray(done));
}
