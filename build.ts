/**
 * Builds the self-contained `openclaw` binary for this host (or `--target bun-<os>-<arch>` for another):
 * `bun run build.ts [--target T] [--outfile F]`. Validators are precompiled by `protocol:gen` and committed,
 * so nothing is compiled at start-up.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { target: { type: "string" }, outfile: { type: "string" } },
});
const outfile = values.outfile ?? "dist/openclaw";
const started = performance.now();
const result = await Bun.build({
  entrypoints: ["src/main.ts"],
  compile: {
    outfile,
    ...(values.target && { target: values.target as Bun.Build.CompileTarget }),
    // A gateway must not pick up .env or bunfig.toml from whatever folder it is started in.
    autoloadDotenv: false,
    autoloadBunfig: false,
  },
  minify: true,
  sourcemap: "linked",
  bytecode: true,
  format: "esm",
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
