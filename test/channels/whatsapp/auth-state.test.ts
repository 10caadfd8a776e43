/**
 * Crash safety of the WhatsApp credential store: atomic writes, a kill between write and rename, backup
 * restore, ordered writes and read-your-writes for keys.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openAuthState, readCreds } from "../../../src/channels/whatsapp/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "openclaw-auth-"));
  dirs.push(d);
  return join(d, "default");
}

describe("auth state", () => {
  test("a process killed between writing the temp file and the rename leaves the previous creds.json intact", async () => {
    const dir = tempDir();
    const script = resolve(import.meta.dir, "../../fixtures/channels/auth-crash-writer.ts");
    const proc = Bun.spawn([process.execPath, script, dir], { stdout: "pipe", stderr: "pipe" });
    await proc.exited;
    expect(proc.signalCode).toBe("SIGKILL");
    expect(await new Response(proc.stdout).text()).not.toContain("not reached");

    // The new version sits in a temp file; creds.json still holds the old one, whole.
    const leftovers = readdirSync(dir).filter((n) => n.endsWith(".tmp"));
    expect(leftovers).toHaveLength(1);
    expect(readFileSync(join(dir, leftovers[0]), "utf8")).toContain("second@s.whatsapp.net");
    expect(JSON.parse(readFileSync(join(dir, "creds.json"), "utf8")).me.id).toBe("first@s.whatsapp.net");

    const reopened = openAuthState(dir);
    expect(reopened.restored).toBe(true);
    expect(reopened.state.creds.me?.id).toBe("first@s.whatsapp.net");
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  test("an unreadable creds.json falls back to creds.json.bak (the previous good copy)", async () => {
    const dir = tempDir();
    const auth = openAuthState(dir);
    Object.assign(auth.state.creds, { me: { id: "v1@s.whatsapp.net" } });
    await auth.saveCreds();
    Object.assign(auth.state.creds, { me: { id: "v2@s.whatsapp.net" } });
    await auth.saveCreds();
    expect(JSON.parse(readFileSync(join(dir, "creds.json.bak"), "utf8")).me.id).toBe("v1@s.whatsapp.net");
    writeFileSync(join(dir, "creds.json"), '{"noiseKey": {"priv');
    expect(readCreds(dir)?.me?.id).toBe("v1@s.whatsapp.net");
    expect(openAuthState(dir).state.creds.me?.id).toBe("v1@s.whatsapp.net");
  });

  test("writes are serialized in call order; keys read back at once, Buffers survive, deletes apply", async () => {
    const dir = tempDir();
    const auth = openAuthState(dir);
    const key = { keyPair: { public: Buffer.from([1, 2, 3]), private: Buffer.from([4, 5, 6]) }, keyId: 7 };
    const writes = [
      auth.state.keys.set({ "pre-key": { "1": key.keyPair as never } }),
      auth.state.keys.set({ "pre-key": { "1": null as never, "2": key.keyPair as never } }),
      auth.saveCreds(),
    ];
    // Read-your-writes before the disk caught up.
    expect(await auth.state.keys.get("pre-key", ["1", "2"])).toEqual({ "2": key.keyPair as never });
    await Promise.all(writes);
    expect(existsSync(join(dir, "pre-key-1.json"))).toBe(false);
    const fresh = openAuthState(dir);
    const got = await fresh.state.keys.get("pre-key", ["2"]);
    expect(Buffer.isBuffer((got["2"] as any).public)).toBe(true);
    expect([...(got["2"] as any).public]).toEqual([1, 2, 3]);
    expect(await fresh.clear()).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
