/**
 * The installer scripts: install.sh must stay POSIX sh and shellcheck-clean (skipped only where shellcheck
 * is missing outside CI; in CI (CI=true) a missing shellcheck is a failure, .ci/run installs it), and both
 * scripts must name the same default release location as `openclaw update`.
 */
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { DEFAULT_RELEASE_BASE } from "../../src/release/layout.ts";

const INSTALL_SH = resolve(import.meta.dir, "../../install.sh");
const INSTALL_PS1 = resolve(import.meta.dir, "../../install.ps1");
const shellcheck = Bun.which("shellcheck");
const inCi = process.env.CI === "true" || process.env.CI === "1";

test.skipIf(!shellcheck && !inCi)("shellcheck -s sh install.sh reports nothing", async () => {
  expect(shellcheck, "shellcheck is not installed (CI=true requires it; apt-get install shellcheck)").toBeTruthy();
  const p = Bun.spawn([shellcheck as string, "--shell=sh", "--severity=style", "--format=gcc", INSTALL_SH], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  expect(`${out}${err}`).toBe("");
  expect(code).toBe(0);
});

test("install.sh declares /bin/sh and uses no bash-only syntax that sh -n rejects", async () => {
  const text = await Bun.file(INSTALL_SH).text();
  expect(text.startsWith("#!/bin/sh\n")).toBe(true);
  // dash (Debian's /bin/sh) is the strictest common sh: a parse check there catches [[ ]], arrays, etc.
  const sh = Bun.which("dash") ?? "/bin/sh";
  const p = Bun.spawn([sh, "-n", INSTALL_SH], { stdout: "pipe", stderr: "pipe" });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  expect(err).toBe("");
  expect(code).toBe(0);
});

test("install.sh, install.ps1 and openclaw update share the default release location", async () => {
  expect(await Bun.file(INSTALL_SH).text()).toContain(`DEFAULT_BASE="${DEFAULT_RELEASE_BASE}"`);
  expect(await Bun.file(INSTALL_PS1).text()).toContain(`$DefaultBase = '${DEFAULT_RELEASE_BASE}'`);
});
