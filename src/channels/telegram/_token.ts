/**
 * Where a Telegram account's bot token comes from (channels.md §3): `botToken` > `tokenFile` >
 * `TELEGRAM_BOT_TOKEN` (default account only). The source is reported in status; the token never is.
 */
import { readFileSync } from "node:fs";
import { expandHome } from "../../config/paths.ts";
import type { TelegramAccountConfig } from "../../config/channels-schema.ts";
import { DEFAULT_ACCOUNT_ID } from "../channel.ts";

/** A resolved token and where it came from; `token` is undefined with source "none". */
export interface TelegramToken {
  token?: string;
  source: "config" | "file" | "env" | "none";
  /** Why no token was found (unreadable file), for status. */
  error?: string;
}

/** Resolves the token of one account. Never throws: an unreadable file is reported in `error`. */
export function resolveTelegramToken(account: TelegramAccountConfig, accountId: string, env: Record<string, string | undefined> = process.env): TelegramToken {
  const fromConfig = account.botToken?.trim();
  if (fromConfig) return { token: fromConfig, source: "config" };
  if (account.tokenFile) {
    try {
      const token = readFileSync(expandHome(account.tokenFile, env), "utf8").trim();
      if (token) return { token, source: "file" };
      return { source: "none", error: `tokenFile ${account.tokenFile} is empty` };
    } catch (err) {
      return { source: "none", error: `cannot read tokenFile ${account.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }
  const fromEnv = accountId === DEFAULT_ACCOUNT_ID ? env.TELEGRAM_BOT_TOKEN?.trim() : undefined;
  if (fromEnv) return { token: fromEnv, source: "env" };
  return { source: "none" };
}

/** The bot id part of a token (`<id>:<secret>`), used to key per-bot state without storing the token. */
export function botIdOf(token: string): string {
  return token.split(":")[0] ?? "";
}
