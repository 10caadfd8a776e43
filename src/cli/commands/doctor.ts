import { defineCommand } from "citty";
import { type DoctorCheck, runDoctor } from "./_doctor-checks.ts";
import { printJson } from "./_rpc.ts";

const MARK: Record<DoctorCheck["level"], string> = { ok: "✓", info: "·", warn: "!", error: "✗" };

/**
 * `openclaw doctor [--fix] [--json]`: audits config, the installed service (drift, linger, modes), stale
 * locks, the state DB and the gateway port. Exit 1 when an error remains (after `--fix`).
 */
export const doctorCommand = defineCommand({
  meta: { name: "doctor", description: "Check config, the service, locks, state DB and port; --fix repairs what is safe" },
  args: {
    fix: { type: "boolean", alias: "repair", description: "Repair what is safe: stale locks, drifted unit, file modes, linger" },
    json: { type: "boolean", description: "Print JSON" },
    yes: { type: "boolean", description: "Accepted for upstream compatibility (doctor never prompts)" },
    "non-interactive": { type: "boolean", description: "Accepted for upstream compatibility (doctor never prompts)" },
  },
  async run({ args }) {
    const checks = await runDoctor({ fix: Boolean(args.fix) });
    const remaining = checks.filter((c) => c.level === "error" && !c.fixed);
    if (args.json) {
      printJson({ ok: remaining.length === 0, fixed: checks.filter((c) => c.fixed).length, checks });
      return remaining.length === 0 ? 0 : 1;
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    for (const c of checks) {
      const mark = c.fixed ? "✓" : MARK[c.level];
      let line = `${mark} ${c.id}: ${c.message}`;
      if (c.fixed) line += `  → fixed (${c.fix})`;
      else if (c.fixError) line += `  → fix failed: ${c.fixError}`;
      else if (c.fix && !args.fix) line += `  (--fix: ${c.fix})`;
      out(line);
    }
    const fixable = checks.filter((c) => c.fix && !c.fixed).length;
    if (!args.fix && fixable > 0) out(`\n${fixable} issue(s) can be repaired: openclaw doctor --fix`);
    return remaining.length === 0 ? 0 : 1;
  },
});
