/**
 * A local release location for distribution tests: Bun.serve on port 0 serving folders laid out like
 * src/release/layout.ts (`/releases/latest/…`, `/releases/v0.2.0/…`), plus fake binaries and fake
 * service tools (`systemctl`, `loginctl`, `launchctl`) that record their calls.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { archiveName, memberName, tarOneFile } from "../../src/release/archive.ts";
import { formatSha256Sums } from "../../src/release/layout.ts";

/** A file the server hands out: text, a file on disk, or a bare HTTP status (404, 500, …). */
export type ServedFile = string | Blob | number;

/** A running release server. `files` maps `<folder>/<name>` (e.g. `latest/VERSION`) to content; edit it freely. */
export interface ReleaseServer {
  /** `http://127.0.0.1:<port>/releases/latest` */
  base: string;
  files: Map<string, ServedFile>;
  /** Paths requested so far, e.g. `/releases/latest/SHA256SUMS`. */
  requests: string[];
  stop(): void;
}

/** Starts the server; unknown paths answer 404. */
export function startReleaseServer(files: Record<string, ServedFile> = {}): ReleaseServer {
  const map = new Map(Object.entries(files));
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const file = path.startsWith("/releases/") ? map.get(path.slice("/releases/".length)) : undefined;
      if (file === undefined) return new Response("not found", { status: 404 });
      if (typeof file === "number") return new Response(`status ${file}`, { status: file });
      return new Response(file);
    },
  });
  return { base: `http://127.0.0.1:${server.port}/releases/latest`, files: map, requests, stop: () => server.stop(true) };
}

/** Lower-case hex SHA-256 of text, bytes or a file. */
export async function sha256Of(data: string | Blob): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(typeof data === "string" ? data : new Uint8Array(await data.arrayBuffer()));
  return hasher.digest("hex");
}

/**
 * The files of one release folder `dir` (`latest`, `v0.2.0`): VERSION, the binaries, and a SHA256SUMS
 * computed over them (pass `sums` to override digests, e.g. to corrupt one).
 */
export async function releaseFolder(dir: string, version: string, binaries: Record<string, string | Blob>, sums: Record<string, string> = {}): Promise<Record<string, ServedFile>> {
  const digests = new Map<string, string>();
  const out: Record<string, ServedFile> = { [`${dir}/VERSION`]: `${version}\n` };
  for (const [name, content] of Object.entries(binaries)) {
    digests.set(name, sums[name] ?? (await sha256Of(content)));
    out[`${dir}/${name}`] = content;
  }
  out[`${dir}/SHA256SUMS`] = formatSha256Sums(digests);
  return out;
}

/** Archive kinds a release folder can carry for a unix binary (install.sh picks among them). */
export type TarFormat = "tar.gz" | "tar.zst" | "tar.xz";

/**
 * The compressed archives of one release binary, laid out as build.ts writes them (a tar holding `openclaw`),
 * at fast compression levels (the format is what matters here, not the ratio).
 * @returns archive file name → content, to merge into `releaseFolder`'s binaries
 */
export async function releaseArchives(asset: string, content: string | Blob, formats: readonly TarFormat[] = ["tar.gz", "tar.zst", "tar.xz"]): Promise<Record<string, Blob>> {
  const data = typeof content === "string" ? new TextEncoder().encode(content) : new Uint8Array(await content.arrayBuffer());
  const tar = tarOneFile(memberName(asset), data, 0o755, Math.floor(Date.now() / 1000));
  const out: Record<string, Blob> = {};
  for (const format of formats) {
    if (format === "tar.gz") out[archiveName(asset, format)] = new Blob([Bun.gzipSync(tar, { level: 1 })]);
    else if (format === "tar.zst") out[archiveName(asset, format)] = new Blob([new Uint8Array(Bun.zstdCompressSync(tar, { level: 1 }))]);
    else {
      const p = Bun.spawnSync(["xz", "-0", "-T1", "-c"], { stdin: tar, stdout: "pipe", stderr: "pipe" });
      if (p.exitCode !== 0) throw new Error(`xz failed: ${p.stderr.toString()}`);
      out[archiveName(asset, format)] = new Blob([new Uint8Array(p.stdout)]);
    }
  }
  return out;
}

/**
 * A shell script that stands in for a new openclaw release: `--version` prints `<version> (fake)`;
 * `gateway restart --json` acts on `FAKE_RESTART` (`not-loaded` default, `restarted`, or `kill`: kill
 * `FAKE_GATEWAY_PID` and wait for it to exit, i.e. the service manager stopped the old gateway and the new
 * one never came up); `gateway install --help` fails like a build without that command.
 */
export function fakeReleaseBinary(version: string): string {
  return `#!/bin/sh
case "$1 $2" in
  "--version "*) echo "${version} (fake)"; exit 0 ;;
  "gateway restart")
    case "\${FAKE_RESTART:-not-loaded}" in
      restarted) echo '{"action":"restart","ok":true,"result":"restarted"}' ;;
      kill)
        kill "$FAKE_GATEWAY_PID" 2>/dev/null
        while kill -0 "$FAKE_GATEWAY_PID" 2>/dev/null; do sleep 0.05; done
        echo '{"action":"restart","ok":true,"result":"restarted"}' ;;
      *) echo '{"action":"restart","ok":true,"result":"not-loaded"}' ;;
    esac
    exit 0 ;;
esac
echo "Error: Unknown command \\"openclaw $1\\"." >&2
exit 1
`;
}

/** A "binary" that cannot start: prints to stderr and exits 1. */
export const BROKEN_BINARY = "#!/bin/sh\necho 'cannot execute: bad CPU type' >&2\nexit 1\n";

/**
 * A folder of fake service tools (`systemctl`, `loginctl`, `launchctl`, `schtasks`) that append
 * `<tool> <args>` to `<dir>/calls.log` and succeed. `systemctl` keeps one bit of state: after `enable`,
 * `is-enabled` and `show` report the unit enabled and running (until `disable`).
 * @returns the folder (put it first on PATH) and a reader for the recorded calls.
 */
export function fakeServiceTools(): { dir: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-fake-tools-"));
  const log = join(dir, "calls.log");
  const enabled = join(dir, "enabled");
  for (const tool of ["systemctl", "loginctl", "launchctl", "schtasks"]) {
    const script = `#!/bin/sh
echo "${tool} $*" >> "${log}"
case "${tool} $*" in
  *" enable "*) : > "${enabled}" ;;
  *" disable "*) rm -f "${enabled}" ;;
  *is-enabled*) if [ -e "${enabled}" ]; then echo enabled; exit 0; fi; echo disabled; exit 1 ;;
  "systemctl "*" show "*)
    if [ -e "${enabled}" ]; then
      printf 'LoadState=loaded\nUnitFileState=enabled\nActiveState=active\nSubState=running\nMainPID=4242\nExecMainStatus=0\nExecMainCode=0\nNRestarts=0\nResult=success\n'
    else
      printf 'LoadState=not-found\nUnitFileState=\nActiveState=inactive\nSubState=dead\nMainPID=0\n'
    fi ;;
  *show-user*) echo "Linger=yes" ;;
esac
exit 0
`;
    writeFileSync(join(dir, tool), script);
    chmodSync(join(dir, tool), 0o755);
  }
  return {
    dir,
    calls: () => {
      try {
        return readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}
