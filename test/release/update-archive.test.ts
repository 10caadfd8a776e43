/**
 * `runUpdate` fetching the compressed release: it takes the best archive SHA256SUMS lists (.tar.zst, then
 * .tar.gz, then the uncompressed binary), checks the archive and the unpacked binary, and changes nothing
 * when either check or the unpacking fails. New "releases" are small shell scripts (test/helpers/release.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArchiveFormat } from "../../src/release/archive.ts";
import { runUpdate } from "../../src/release/update.ts";
import { freePort } from "../helpers/binary.ts";
import { fakeReleaseBinary, fakeServiceTools, releaseArchives, releaseFolder, type ServedFile, startReleaseServer } from "../helpers/release.ts";

const ASSET = "openclaw-linux-x64";
const OLD = fakeReleaseBinary("1.0.0");
const NEW = fakeReleaseBinary("2.0.0");
const cleanups: (() => void)[] = [];
let tools: ReturnType<typeof fakeServiceTools>;
let savedPath: string | undefined;

beforeAll(() => {
  // `gateway restart` is asked of the new binary; the fake answers "not-loaded" without touching systemctl.
  tools = fakeServiceTools();
  savedPath = process.env.PATH;
  process.env.PATH = `${tools.dir}:${savedPath ?? "/usr/bin:/bin"}`;
  cleanups.push(() => rmSync(tools.dir, { recursive: true, force: true }));
});
afterAll(() => {
  process.env.PATH = savedPath;
  for (const c of cleanups.reverse()) c();
});

/** A bin folder holding the old fake binary. */
function installed(): { bin: string; target: string } {
  const bin = mkdtempSync(join(tmpdir(), "openclaw-update-archive-"));
  cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
  const target = join(bin, "openclaw");
  writeFileSync(target, OLD);
  chmodSync(target, 0o755);
  return { bin, target };
}

function serve(files: Record<string, ServedFile>) {
  const s = startReleaseServer(files);
  cleanups.push(() => s.stop());
  return s;
}

async function update(base: string, target: string, formats?: readonly ArchiveFormat[]) {
  const lines: string[] = [];
  const result = await runUpdate({ base, target, asset: ASSET, current: "1.0.0", port: freePort(), readyTimeoutMs: 2_000, log: (l) => lines.push(l), formats });
  return { result, lines };
}

describe("openclaw update, compressed", () => {
  test("fetches .tar.zst, else .tar.gz, else the uncompressed binary, and installs the unpacked file", async () => {
    const s = serve(await releaseFolder("latest", "2.0.0", { [ASSET]: NEW, ...(await releaseArchives(ASSET, NEW, ["tar.gz", "tar.zst"])) }));
    for (const [formats, fetched] of [
      [undefined, `${ASSET}.tar.zst`],
      [["tar.gz"], `${ASSET}.tar.gz`],
      [[], ASSET],
    ] as const) {
      const { bin, target } = installed();
      const before = s.requests.length;
      const { result } = await update(s.base, target, formats);
      expect(result).toMatchObject({ action: "updated", from: "1.0.0", to: "2.0.0" });
      expect(s.requests.slice(before)).toEqual(["/releases/latest/VERSION", "/releases/latest/SHA256SUMS", `/releases/latest/${fetched}`]);
      expect(readFileSync(target, "utf8")).toBe(NEW);
      expect(readdirSync(bin).sort()).toEqual(["openclaw", "openclaw.prev"]);
    }
  });

  test("a release that lists only archives updates", async () => {
    const s = serve(await releaseFolder("latest", "2.0.0", await releaseArchives(ASSET, NEW, ["tar.gz"])));
    const { target } = installed();
    expect((await update(s.base, target)).result).toMatchObject({ action: "updated", to: "2.0.0" });
    expect(readFileSync(target, "utf8")).toBe(NEW);
  });

  describe("failures change nothing and leave no temp file", () => {
    async function refused(files: Record<string, ServedFile>, message: RegExp) {
      const s = serve(files);
      const { bin, target } = installed();
      const err = await update(s.base, target).then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(message);
      expect(err?.message).toContain("Nothing was changed.");
      expect(readFileSync(target, "utf8")).toBe(OLD);
      expect(readdirSync(bin)).toEqual(["openclaw"]);
    }

    test("archive checksum mismatch", async () => {
      const files = await releaseFolder("latest", "2.0.0", { [ASSET]: NEW, ...(await releaseArchives(ASSET, NEW, ["tar.zst"])) }, { [`${ASSET}.tar.zst`]: "a".repeat(64) });
      await refused(files, new RegExp(`^Checksum mismatch for ${ASSET}\\.tar\\.zst: expected a{64}`));
    });

    test("the unpacked binary is not the one SHA256SUMS lists", async () => {
      const other = await releaseArchives(ASSET, fakeReleaseBinary("6.6.6"), ["tar.gz"]);
      const files = await releaseFolder("latest", "2.0.0", { [ASSET]: NEW, ...other });
      await refused(files, new RegExp(`^Checksum mismatch for ${ASSET} unpacked from ${ASSET}\\.tar\\.gz`));
    });

    test("an archive that does not unpack", async () => {
      const files = await releaseFolder("latest", "2.0.0", { [`${ASSET}.tar.gz`]: new Blob([Bun.gzipSync(Buffer.from("no tar here"))]) });
      await refused(files, new RegExp(`^Could not unpack ${ASSET}\\.tar\\.gz: not a usable tar\\.gz archive`));
    });
  });
});

