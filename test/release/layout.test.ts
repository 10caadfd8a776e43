import { describe, expect, test } from "bun:test";
import { assetFor, assetForBunTarget, compareVersions, DEFAULT_RELEASE_BASE, formatSha256Sums, isVersion, parseSha256Sums, RELEASE_TARGETS, resolveReleaseBase, versionDir } from "../../src/release/layout.ts";

describe("release layout", () => {
  test("the five published targets and their file names", () => {
    expect(RELEASE_TARGETS.map((t) => t.asset)).toEqual(["openclaw-linux-x64", "openclaw-linux-arm64", "openclaw-darwin-arm64", "openclaw-darwin-x64", "openclaw-windows-x64.exe"]);
    expect(assetFor("linux", "x64")).toBe("openclaw-linux-x64");
    expect(assetFor("darwin", "arm64")).toBe("openclaw-darwin-arm64");
    expect(assetFor("win32", "x64")).toBe("openclaw-windows-x64.exe");
    expect(assetFor("linux", "arm64", "musl")).toBe("openclaw-linux-arm64-musl");
    expect(assetFor("win32", "arm64")).toBeUndefined();
    expect(assetFor("freebsd", "x64")).toBeUndefined();
    expect(assetForBunTarget("bun-darwin-x64")).toBe("openclaw-darwin-x64");
    expect(assetForBunTarget("bun-linux-x64-baseline")).toBeUndefined();
  });

  test("base: flag > OPENCLAW_INSTALL_BASE > default; trailing slashes dropped; http(s) only", () => {
    expect(resolveReleaseBase(undefined, {})).toBe(DEFAULT_RELEASE_BASE);
    expect(resolveReleaseBase(undefined, { OPENCLAW_INSTALL_BASE: "http://127.0.0.1:9/r/latest/" })).toBe("http://127.0.0.1:9/r/latest");
    expect(resolveReleaseBase("https://mirror.example/latest", { OPENCLAW_INSTALL_BASE: "http://x/latest" })).toBe("https://mirror.example/latest");
    expect(() => resolveReleaseBase("file:///tmp/x", {})).toThrow("expected an http(s) URL");
  });

  test("a version's folder is the base's sibling v<version>", () => {
    expect(versionDir("https://openclaw-bun.dev/releases/latest", "0.2.0")).toBe("https://openclaw-bun.dev/releases/v0.2.0");
    expect(versionDir("http://127.0.0.1:8080/releases/latest/", "v1.0.0-rc.1")).toBe("http://127.0.0.1:8080/releases/v1.0.0-rc.1");
  });

  test("SHA256SUMS: parse sha256sum output (text and binary mode), render it back sorted", () => {
    const a = "a".repeat(64);
    const b = "B".repeat(64);
    const sums = parseSha256Sums(`${a}  openclaw-linux-x64\n${b} *openclaw-windows-x64.exe\r\nnot a line\n\n`);
    expect([...sums]).toEqual([
      ["openclaw-linux-x64", a],
      ["openclaw-windows-x64.exe", "b".repeat(64)],
    ]);
    expect(formatSha256Sums(new Map([["z", a], ["b", a]]))).toBe(`${a}  b\n${a}  z\n`);
    expect(parseSha256Sums(formatSha256Sums(sums))).toEqual(sums);
  });

  test("versions compare numerically; a release sorts after its pre-releases", () => {
    expect(compareVersions("0.10.0", "0.9.9")).toBeGreaterThan(0);
    expect(compareVersions("v1.2.3", "1.2.3")).toBe(0);
    expect(compareVersions("1.0.0-rc.1", "1.0.0")).toBeLessThan(0);
    expect(compareVersions("1.0.0-rc.10", "1.0.0-rc.9")).toBeGreaterThan(0);
    expect(isVersion("0.2.0")).toBe(true);
    expect(isVersion("v0.2.0-beta.1")).toBe(true);
    expect(isVersion("latest")).toBe(false);
    expect(isVersion("../../etc")).toBe(false);
  });
});
