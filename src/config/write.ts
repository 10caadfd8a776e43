/**
 * Writes config files: atomically (temp file + rename), owner-only (0600, folder 0700), never over an
 * existing file unless asked. Also builds the configs that `setup` and `--dev` create.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { OpenClawConfig } from "./schema.ts";

/** A new gateway token: 32 random bytes as 64 hex characters. */
export function generateToken(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Writes `config` as JSON (valid JSON5) to `path`.
 * @throws Error with code EEXIST when the file exists and `overwrite` is false.
 */
export function writeConfigFile(path: string, config: OpenClawConfig, opts: { overwrite?: boolean } = {}): void {
  if (!opts.overwrite && existsSync(path)) {
    const err = new Error(`config already exists at ${path}`);
    (err as NodeJS.ErrnoException).code = "EEXIST";
    throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The config `openclaw setup` writes: local mode, loopback, a fresh token, the workspace. */
export function buildSetupConfig(opts: { workspace: string; token?: string }): OpenClawConfig {
  return {
    gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: opts.token ?? generateToken() } },
    agents: { defaults: { workspace: opts.workspace } },
  };
}

/**
 * The config `openclaw --dev gateway` creates when the dev profile has none. With `generateSecret: false`
 * (a token came from --token or the environment) no token is written, so that one stays in force.
 */
export function buildDevConfig(opts: { workspace: string; generateSecret?: boolean }): OpenClawConfig {
  const auth = opts.generateSecret === false ? { mode: "token" as const } : { mode: "token" as const, token: generateToken() };
  return {
    gateway: { mode: "local", bind: "loopback", auth },
    agents: {
      defaults: { workspace: opts.workspace, skipBootstrap: true },
      list: [{ id: "dev", default: true, name: "C3-PO", identity: { name: "C3-PO", emoji: "🤖" } }],
    },
  };
}
