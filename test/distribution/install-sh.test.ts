/**
 * install.sh end to end: a local release folder serves the host binary (dist/openclaw) and the script
 * installs it into a temp HOME, the way `curl -fsSL <base>/install.sh | sh` would.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { assetFor } from "../../src/release/layout.ts";
import { ensureBinary, tempHome } from "../helpers/binary.ts";
import { tarOneFile } from "../../src/release/archive.ts";
import { BROKEN_BINARY, fakeReleaseBinary, fakeServiceTools, releaseArchives, releaseFolder, type ReleaseServer, sha256Of, startReleaseServer } from "../helpers/release.ts";

const INSTALL_SH = resolve(import.meta.dir, "../../install.sh");
const ASSET = assetFor(process.platform, process.arch) as string;
const VERSION = (await Bun.file(resolve(import.meta.dir, "../../package.json")).json()).version as string;

// Each run downloads and hashes a ~150 MB binary.
setDefaultTimeout(60_000);

/** Serves the real host binary, uncompressed and as .tar.gz / .tar.zst (like a release folder). */
let server: ReleaseServer;
/** Serves a small shell-script stand-in, for the paths that do not need the real binary to run; no archives (an older release). */
let small: ReleaseServer;
let binary: Blob;
let binarySha: string;
const SMALL = fakeReleaseBinary(VERSION);
let tools: ReturnType<typeof fakeServiceTools>;
const homes: string[] = [];

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

/**
 * Runs install.sh like `curl … | sh -s -- args` (stdin is not a terminal), in `home`. Async on purpose:
 * the release server runs in this process, and a blocking spawn would stall it.
 */
async function install(h: string, args: string[] = [], opts: { env?: Record<string, string>; shell?: string } = {}) {
  const p = Bun.spawn([opts.shell ?? "sh", INSTALL_SH, ...args], {
    env: { PATH: `${tools.dir}:/usr/local/bin:/usr/bin:/bin`, HOME: h, TMPDIR: tmpdir(), SHELL: "/bin/bash", OPENCLAW_INSTALL_BASE: server.base, ...opts.env },
    cwd: h,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  const [code, stdout, stderr] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, stdout, stderr };
}

function run(file: string, args: string[], h: string) {
  const p = Bun.spawnSync([file, ...args], { env: { PATH: "/usr/bin:/bin", HOME: h }, cwd: h, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString().trim() };
}

/** Files in the bin folder: after a failure there must be nothing new, not even a hidden temp file. */
function binFiles(h: string, prefix = join(h, ".local")): string[] {
  const dir = join(prefix, "bin");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

beforeAll(async () => {
  binary = Bun.file(await ensureBinary());
  binarySha = await sha256Of(binary);
  tools = fakeServiceTools();
  server = startReleaseServer(await releaseFolder("latest", VERSION, { [ASSET]: binary, ...(await releaseArchives(ASSET, binary, ["tar.gz", "tar.zst"])) }, { [ASSET]: binarySha }));
  small = startReleaseServer({ ...(await releaseFolder("latest", VERSION, { [ASSET]: SMALL })), ...(await releaseFolder(`v${VERSION}`, VERSION, { [ASSET]: SMALL })) });
});
afterAll(() => {
  server.stop();
  small.stop();
  rmSync(tools.dir, { recursive: true, force: true });
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe("install.sh", () => {
  test("installs to ~/.local/bin, verifies, runs setup, says how to add it to PATH", async () => {
    const h = home();
    const r = await install(h, ["--no-service"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const dest = join(h, ".local", "bin", "openclaw");
    expect(binFiles(h)).toEqual(["openclaw"]);
    expect(statSync(dest).mode & 0o777).toBe(0o755);
    expect(statSync(dest).size).toBe(binary.size);
    const v = run(dest, ["--version"], h);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^${VERSION.replaceAll(".", "\\.")} \\(([0-9a-f]{4,40}|unknown)\\)$`));
    expect(r.stdout).toContain(`Installed openclaw ${v.stdout} at ${dest}`);
    expect(r.stdout).toContain(`${join(h, ".local", "bin")} is not on your PATH`);
    expect(r.stdout).toContain(`echo 'export PATH="${join(h, ".local", "bin")}:$PATH"' >> $HOME/.bashrc`);
    // setup ran: a config with a fresh token.
    const config = JSON.parse(readFileSync(join(h, ".openclaw", "openclaw.json"), "utf8"));
    expect(config.gateway.auth.token).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stdout).toContain(config.gateway.auth.token);
    // zstd is installed here, so the .tar.zst was fetched, not the uncompressed binary.
    expect(server.requests).toContain(`/releases/latest/${ASSET}.tar.zst`);
    expect(server.requests).not.toContain(`/releases/latest/${ASSET}`);
  });

  test("re-running upgrades in place, keeps openclaw.prev, and skips setup when a config exists", async () => {
    const h = home();
    expect((await install(h, ["--no-service"])).code).toBe(0);
    const dest = join(h, ".local", "bin", "openclaw");
    const configBefore = readFileSync(join(h, ".openclaw", "openclaw.json"), "utf8");
    const inodeBefore = statSync(dest).ino;

    const r = await install(h, ["--no-service"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Upgraded ${dest}`);
    expect(r.stdout).toContain("skipping openclaw setup");
    expect(binFiles(h)).toEqual(["openclaw", "openclaw.prev"]);
    // The old file became .prev (same inode: nothing was copied); the new one arrived by rename.
    expect(statSync(`${dest}.prev`).ino).toBe(inodeBefore);
    expect(statSync(dest).ino).not.toBe(inodeBefore);
    expect(run(`${dest}.prev`, ["--version"], h).code).toBe(0);
    expect(readFileSync(join(h, ".openclaw", "openclaw.json"), "utf8")).toBe(configBefore);
  });

  test("--prefix and --version pick the folder and the release; a release without archives is fetched uncompressed", async () => {
    const h = home();
    const prefix = join(h, "opt");
    const r = await install(h, ["--prefix", prefix, "--version", `v${VERSION}`, "--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: small.base } });
    expect(r.code).toBe(0);
    expect(binFiles(h, prefix)).toEqual(["openclaw"]);
    expect(small.requests).toContain(`/releases/v${VERSION}/SHA256SUMS`);
    expect(small.requests).toContain(`/releases/v${VERSION}/${ASSET}`);
    expect(existsSync(join(h, ".openclaw"))).toBe(false);
  });

  test("runs under bash too (`curl … | bash`)", async () => {
    const h = home();
    const r = await install(h, ["--no-setup", "--no-service"], { shell: "bash", env: { OPENCLAW_INSTALL_BASE: small.base } });
    expect(r.code).toBe(0);
    expect(binFiles(h)).toEqual(["openclaw"]);
  });

  test("installs the gateway service through `openclaw gateway install` (fake systemctl) and restarts it on upgrade", async () => {
    const h = home();
    const before = tools.calls().length;
    const r = await install(h, []);
    const hasInstall = Bun.spawnSync([join(h, ".local", "bin", "openclaw"), "gateway", "install", "--help"], { env: { HOME: h, PATH: "/usr/bin:/bin" } }).exitCode === 0;
    if (!hasInstall) {
      // A build from before the service commands: the installer says so and still succeeds.
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("no 'gateway install' yet");
      return;
    }
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const calls = tools.calls().slice(before);
    expect(calls).toContain("systemctl --user enable openclaw-gateway.service");
    expect(readFileSync(join(h, ".config", "systemd", "user", "openclaw-gateway.service"), "utf8")).toContain(`ExecStart=${join(h, ".local", "bin", "openclaw")} gateway`);

    const again = await install(h, []);
    expect(again.code).toBe(0);
    expect(tools.calls().slice(before + calls.length).filter((c) => c.includes("restart openclaw-gateway.service")).length).toBeGreaterThan(0);
  });

  describe("compressed downloads", () => {
    /** A release folder with the fake binary uncompressed and in all three archive kinds. */
    async function archived(extra: Record<string, string | Blob> = {}, sums: Record<string, string> = {}) {
      return startReleaseServer(await releaseFolder("latest", VERSION, { [ASSET]: SMALL, ...(await releaseArchives(ASSET, SMALL)), ...extra }, sums));
    }

    /** A PATH folder with everything /usr/bin and /bin hold except the named tools. */
    function pathWithout(...tools: string[]): string {
      const dir = home();
      const bin = join(dir, "path");
      mkdirSync(bin);
      for (const from of ["/usr/bin", "/bin"]) {
        for (const name of readdirSync(from)) {
          if (tools.some((t) => name === t || name.startsWith(`${t}`)) || existsSync(join(bin, name))) continue;
          symlinkSync(join(from, name), join(bin, name));
        }
      }
      return bin;
    }

    test("takes .tar.zst, else .tar.xz, else .tar.gz, by the decompressors the machine has", async () => {
      const s = await archived();
      try {
        const cases: [string, string][] = [
          [`${tools.dir}:/usr/bin:/bin`, "tar.zst"],
          [`${tools.dir}:${pathWithout("zstd", "unzstd")}`, "tar.xz"],
          [`${tools.dir}:${pathWithout("zstd", "unzstd", "xz", "unxz")}`, "tar.gz"],
        ];
        for (const [path, format] of cases) {
          const h = home();
          const before = s.requests.length;
          const r = await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: s.base, PATH: path } });
          expect({ format, code: r.code, stderr: r.stderr }).toEqual({ format, code: 0, stderr: "" });
          const fetched = s.requests.slice(before).filter((q) => !q.endsWith("/SHA256SUMS"));
          expect(fetched).toEqual([`/releases/latest/${ASSET}.${format}`]);
          expect(run(join(h, ".local", "bin", "openclaw"), ["--version"], h).stdout).toBe(`${VERSION} (fake)`);
          expect(statSync(join(h, ".local", "bin", "openclaw")).mode & 0o777).toBe(0o755);
          expect(binFiles(h)).toEqual(["openclaw"]);
        }
      } finally {
        s.stop();
      }
    });

    test("OPENCLAW_INSTALL_FORMATS picks the kinds to try; none fetches the uncompressed binary", async () => {
      const s = await archived();
      try {
        for (const [formats, want] of [["gz", `${ASSET}.tar.gz`], ["xz gz", `${ASSET}.tar.xz`], ["none", ASSET]] as const) {
          const h = home();
          const before = s.requests.length;
          const r = await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: s.base, OPENCLAW_INSTALL_FORMATS: formats } });
          expect(r.code).toBe(0);
          expect(s.requests.slice(before)).toEqual(["/releases/latest/SHA256SUMS", `/releases/latest/${want}`]);
        }
      } finally {
        s.stop();
      }
    });

    test("a release that lists only archives installs", async () => {
      const files = await releaseFolder("latest", VERSION, await releaseArchives(ASSET, SMALL));
      const s = startReleaseServer(files);
      try {
        const h = home();
        const r = await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: s.base } });
        expect(r.code).toBe(0);
        expect(run(join(h, ".local", "bin", "openclaw"), ["--version"], h).stdout).toBe(`${VERSION} (fake)`);
      } finally {
        s.stop();
      }
    });

    test("archive checksum mismatch: nothing installed", async () => {
      const s = await archived({}, { [`${ASSET}.tar.zst`]: "e".repeat(64) });
      try {
        const h = home();
        const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: s.base } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`checksum mismatch for ${ASSET}.tar.zst: expected ${"e".repeat(64)}`);
        expect(r.stderr).toContain("Nothing was installed.");
        expect(binFiles(h)).toEqual([]);
        expect(existsSync(join(h, ".openclaw"))).toBe(false);
      } finally {
        s.stop();
      }
    });

    test("an archive whose binary is not the one SHA256SUMS lists: nothing installed", async () => {
      // The archive itself matches its checksum, but it holds another binary than the uncompressed one listed.
      const other = await releaseArchives(ASSET, fakeReleaseBinary("6.6.6"), ["tar.gz"]);
      const s = await archived({ [`${ASSET}.tar.gz`]: other[`${ASSET}.tar.gz`] });
      try {
        const h = home();
        const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: s.base, OPENCLAW_INSTALL_FORMATS: "gz" } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`checksum mismatch for ${ASSET} unpacked from ${ASSET}.tar.gz`);
        expect(binFiles(h)).toEqual([]);
      } finally {
        s.stop();
      }
    });

    test("an archive that does not unpack, or holds no openclaw: nothing installed", async () => {
      const notTar = new Blob([Bun.gzipSync(Buffer.from("not a tar at all\n"))]);
      const wrongName = new Blob([Bun.gzipSync(tarOneFile("evil", Buffer.from(SMALL)))]);
      const notGzip = "plain bytes, no gzip header\n";
      for (const bad of [notTar, wrongName, notGzip]) {
        // Listed without the uncompressed binary, so only the unpacking can catch it.
        const s = startReleaseServer(await releaseFolder("latest", VERSION, { [`${ASSET}.tar.gz`]: bad }));
        try {
          const h = home();
          const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: s.base } });
          expect(r.code).toBe(1);
          expect(r.stderr).toContain(`could not unpack ${ASSET}.tar.gz`);
          expect(r.stderr).toContain("Nothing was installed.");
          expect(binFiles(h)).toEqual([]);
        } finally {
          s.stop();
        }
      }
    });
  });

  describe("failures leave nothing installed", () => {
    test("checksum mismatch", async () => {
      const h = home();
      const bad = startReleaseServer(await releaseFolder("latest", VERSION, { [ASSET]: SMALL }, { [ASSET]: "0".repeat(64) }));
      try {
        const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: bad.base } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`checksum mismatch for ${ASSET}: expected ${"0".repeat(64)}`);
        expect(r.stderr).toContain("Nothing was installed.");
        expect(binFiles(h)).toEqual([]);
        expect(existsSync(join(h, ".openclaw"))).toBe(false);
      } finally {
        bad.stop();
      }
    });

    test("checksum mismatch on upgrade keeps the installed binary untouched", async () => {
      const h = home();
      expect((await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: small.base } })).code).toBe(0);
      const dest = join(h, ".local", "bin", "openclaw");
      const before = statSync(dest);
      const bad = startReleaseServer(await releaseFolder("latest", VERSION, { [ASSET]: SMALL }, { [ASSET]: "f".repeat(64) }));
      try {
        const r = await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: bad.base } });
        expect(r.code).toBe(1);
        expect(binFiles(h)).toEqual(["openclaw"]);
        expect(statSync(dest).ino).toBe(before.ino);
        expect(statSync(dest).mtimeMs).toBe(before.mtimeMs);
      } finally {
        bad.stop();
      }
    });

    test("404 for the binary", async () => {
      const h = home();
      const files = await releaseFolder("latest", VERSION, { [ASSET]: SMALL });
      files[`latest/${ASSET}`] = 404;
      const gone = startReleaseServer(files);
      try {
        const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: gone.base } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`${gone.base}/${ASSET} answered HTTP 404. Nothing was installed.`);
        expect(binFiles(h)).toEqual([]);
      } finally {
        gone.stop();
      }
    });

    test("404 for an unknown --version", async () => {
      const h = home();
      const r = await install(h, ["--version", "9.9.9", "--no-service"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("/releases/v9.9.9/SHA256SUMS answered HTTP 404 (is 9.9.9 a published version?)");
      expect(binFiles(h)).toEqual([]);
    });

    test("unreachable release location", async () => {
      const h = home();
      const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: "http://127.0.0.1:1/releases/latest" } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("could not download http://127.0.0.1:1/releases/latest/SHA256SUMS");
      expect(binFiles(h)).toEqual([]);
    });

    test("a binary that does not run here", async () => {
      const h = home();
      const broken = startReleaseServer(await releaseFolder("latest", VERSION, { [ASSET]: BROKEN_BINARY }));
      try {
        const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_BASE: broken.base } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("the downloaded binary does not run on this machine: cannot execute: bad CPU type");
        expect(binFiles(h)).toEqual([]);
      } finally {
        broken.stop();
      }
    });

    test("musl is refused clearly unless a musl build is published", async () => {
      const h = home();
      const r = await install(h, ["--no-service"], { env: { OPENCLAW_INSTALL_LIBC: "musl" } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("this system uses musl libc (Alpine or similar)");
      expect(r.stderr).toContain(`publishes no musl build (${ASSET}-musl)`);
      expect(binFiles(h)).toEqual([]);

      // With a musl build in the folder, that one is taken.
      const musl = startReleaseServer(await releaseFolder("latest", VERSION, { [ASSET]: SMALL, [`${ASSET}-musl`]: SMALL }));
      try {
        const ok = await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_LIBC: "musl", OPENCLAW_INSTALL_BASE: musl.base } });
        expect(ok.code).toBe(0);
        expect(musl.requests).toContain(`/releases/latest/${ASSET}-musl`);
      } finally {
        musl.stop();
      }
    });

    test("unsupported OS and CPU", async () => {
      const h = home();
      const os = await install(h, [], { env: { OPENCLAW_INSTALL_OS: "FreeBSD" } });
      expect(os.code).toBe(1);
      expect(os.stderr).toContain("unsupported operating system: FreeBSD");
      const cpu = await install(h, [], { env: { OPENCLAW_INSTALL_ARCH: "riscv64" } });
      expect(cpu.code).toBe(1);
      expect(cpu.stderr).toContain("unsupported CPU architecture: riscv64");
      const win = await install(h, [], { env: { OPENCLAW_INSTALL_OS: "MINGW64_NT-10.0" } });
      expect(win.code).toBe(1);
      expect(win.stderr).toContain("install.ps1");
      expect(binFiles(h)).toEqual([]);
    });

    test("a bin folder that cannot be created or written", async () => {
      const h = home();
      writeFileSync(join(h, "not-a-dir"), "");
      const r = await install(h, ["--prefix", join(h, "not-a-dir"), "--no-service"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot create ${join(h, "not-a-dir", "bin")}`);
      if (process.getuid?.() === 0) return; // root writes anywhere
      mkdirSync(join(h, "ro", "bin"), { recursive: true, mode: 0o555 });
      const ro = await install(h, ["--prefix", join(h, "ro"), "--no-service"]);
      expect(ro.code).toBe(1);
      expect(ro.stderr).toContain("cannot write to");
    });

    test("unknown options are errors", async () => {
      const h = home();
      const r = await install(h, ["--bogus"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("unknown option: --bogus");
    });
  });

  test("an existing symlink at the destination is replaced by the file, the link target kept as .prev", async () => {
    const h = home();
    const dir = join(h, ".local", "bin");
    mkdirSync(dir, { recursive: true });
    const elsewhere = join(h, "dev-openclaw");
    writeFileSync(elsewhere, fakeReleaseBinary("0.0.1"), { mode: 0o755 });
    symlinkSync(elsewhere, join(dir, "openclaw"));
    const r = await install(h, ["--no-setup", "--no-service"], { env: { OPENCLAW_INSTALL_BASE: small.base } });
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, "openclaw")).isSymbolicLink()).toBe(false);
    expect(run(join(dir, "openclaw.prev"), ["--version"], h).stdout).toBe("0.0.1 (fake)");
    expect(readFileSync(elsewhere, "utf8")).toContain("0.0.1");
  });
});
