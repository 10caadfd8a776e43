/**
 * Audits an installed service against what `install` would write now: drift (binary, port, token, env),
 * a missing binary (the symlinked-install trap), a missing PATH, secrets in files others can read.
 * Used by `gateway status` (configAudit) and `doctor`.
 */
import { existsSync } from "node:fs";
import { fileMode } from "./_files.ts";
import { diffDefinition, formatDrift } from "./definition.ts";
import type { InstalledCommand, Service, ServiceDefinition } from "./service.ts";

/** One finding. `code` is stable (`gateway-port-drift`); `message` may change. */
export interface AuditIssue {
  code: string;
  message: string;
  level: "error" | "recommended";
  /** What `doctor --fix` does about it, when it can. */
  fix?: "reinstall" | "chmod";
  /** For `chmod`: the file and the mode to set. */
  path?: string;
  mode?: number;
}

/**
 * Compares `installed` (null: nothing installed, no issues) with `expected`.
 * @returns the issues, most serious first.
 */
export function auditService(service: Service, installed: InstalledCommand | null, expected: ServiceDefinition): AuditIssue[] {
  if (!installed) return [];
  const issues: AuditIssue[] = [];
  const binary = installed.programArguments[0];
  if (binary && isAbsolute(binary) && !existsSync(binary)) {
    issues.push({ code: "gateway-binary-missing", message: `The service runs ${binary}, which no longer exists (upgraded or moved?).`, level: "error", fix: "reinstall" });
  }
  if (!installed.environment?.PATH && expected.environment.PATH) {
    issues.push({ code: "gateway-path-missing", message: "Gateway service PATH is not set; the daemon should use a minimal PATH.", level: "recommended", fix: "reinstall" });
  }
  for (const d of diffDefinition(installed, expected)) {
    if (d.field === "path" && !installed.environment?.PATH) continue;
    issues.push({ code: `gateway-${d.field.replace(/^environment\./, "env-").replace(/[^A-Za-z0-9-]/g, "-").toLowerCase()}-drift`, message: `Service ${formatDrift(d)}`, level: d.level, fix: "reinstall" });
  }
  for (const file of service.render(expected)) {
    if (!file.secret) continue;
    const mode = fileMode(file.path);
    if (mode !== undefined && process.platform !== "win32" && (mode & 0o077) !== 0) {
      issues.push({ code: "gateway-secret-file-mode", message: `${file.path} holds the gateway token but is mode ${mode.toString(8).padStart(4, "0")}; it should be 0600.`, level: "error", fix: "chmod", path: file.path, mode: 0o600 });
    }
  }
  return issues.sort((a, b) => (a.level === b.level ? 0 : a.level === "error" ? -1 : 1));
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}
