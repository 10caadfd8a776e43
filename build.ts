/**
 * Builds the self-contained `openclaw` binary.
 *
 *   bun run build.ts                          this host → dist/openclaw (the fast everyday build)
 *   bun run build.ts --target T [--outfile F] one Bun target, e.g. bun-linux-arm64
 *   bun run build.ts --all [--musl]           every release binary → dist/openclaw-<os>-<arch>[.exe],
 *                                             plus dist/SHA256SUMS, dist/VERSION, dist/install.sh, dist/install.ps1
 *
 * `--all` leaves dist/ laid out as a release folder (src/release/layout.ts): publish it as is. Beside each
 * binary it writes the compressed archives the installers fetch (src/release/archive.ts): `.tar.gz`, `.tar.zst`,
 * `.tar.xz` when the `xz` tool is on this host, and `.zip` for Windows.
 * Code is split into chunks (loaded when first imported, so an idle gateway maps less of the binary), and the
 * npm packages in LAZY_PACKAGES are bundled on their own and embedded as plain minified JS without bytecode
 * (see there).
 * The source map is not embedded in the binary (it would add ~9 MB to every download and is only read for
 * stack traces); it is written beside it as `<binary>.map` (entry) and `<binary>.maps/` (chunks, lazy packages),
 * from a first pass that emits the same code.
 * Cross targets need the Bun runtime for that platform; Bun fetches it from the npm registry
 * (`@oven/bun-<os>-<arch>`) on first use and caches it in ~/.bun/install/cache.
 * The version (package.json) and the git commit (`OPENCLAW_BUILD_COMMIT`, else `git rev-parse --short HEAD`,
 * else "unknown") are embedded and shown by `openclaw --version`. Validators are precompiled by
 * `protocol:gen` and committed, so nothing is compiled at start-up.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "./package.json" with { type: "json" };
import { type ArchiveFormat, archiveName, memberName, tarOneFile, zipOneFile } from "./src/release/archive.ts";
import { assetFor, assetForBunTarget, formatSha256Sums, MUSL_TARGETS, RELEASE_TARGETS, type ReleaseTarget } from "./src/release/layout.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { target: { type: "string" }, outfile: { type: "string" }, all: { type: "boolean" }, musl: { type: "boolean" } },
});
const commit = resolveCommit();

/**
 * Packages an idle gateway never runs, each ~4 MB of minified JS: Baileys with its base64 wasm bridge
 * (WhatsApp) and Playwright (browser control). Compiled with the rest they would take ~2.3× their size
 * again as bytecode (~20 MB of the binary). Instead each is bundled on its own, embedded zstd-compressed
 * (~1/4 of its size) as a plain file, and on first use decompressed and imported from a blob: URL: one
 * decompression and one parse (~0.1 s) when the feature is first needed, nothing before.
 */
const LAZY_PACKAGES: readonly { name: string; file: string }[] = [
  { name: "@whiskeysockets/baileys", file: "baileys" },
  { name: "playwright-core", file: "playwright-core" },
];

interface LazyBundle {
  name: string;
  file: string;
  js: string;
  map: string;
  exports: string[];
}

let lazyBuilt: Promise<LazyBundle[]> | undefined;

if (values.all) {
  if (values.target || values.outfile) fail("--all builds every target into dist/; it takes no --target or --outfile");
  await buildRelease(values.musl ? [...RELEASE_TARGETS, ...MUSL_TARGETS] : RELEASE_TARGETS);
} else {
  const outfile = values.outfile ?? "dist/openclaw";
  const asset = values.target ? assetForBunTarget(values.target) : assetFor(process.platform, process.arch);
  const started = performance.now();
  const built = await compileWithMap({ outfile, target: values.target, asset, bytecode: true });
  if (!built.ok) fail(built.error);
  console.log(`built ${outfile} (${commit}) in ${Math.round(performance.now() - started)} ms`);
}

// --- internal ---

async function buildRelease(targets: readonly ReleaseTarget[]): Promise<void> {
  mkdirSync("dist", { recursive: true });
  const sums = new Map<string, string>();
  for (const t of targets) {
    const outfile = join("dist", t.asset);
    const started = performance.now();
    let built = await compileWithMap({ outfile, target: t.bunTarget, asset: t.asset, bytecode: true });
    let note = "";
    if (!built.ok && !isRuntimeFetchError(built.error)) {
      // Bytecode is produced by this host's JavaScriptCore; if a target refuses it, ship plain source
      // (only start-up gets slower).
      const retry = await compileWithMap({ outfile, target: t.bunTarget, asset: t.asset, bytecode: false });
      if (retry.ok) note = ` (without --bytecode: ${firstLine(built.error)})`;
      built = retry;
    }
    if (!built.ok) fail(`${t.bunTarget}: ${built.error}`);
    sums.set(t.asset, await sha256(outfile));
    const sizes = [`${mb(statSync(outfile).size)}`];
    for (const [format, file] of await writeArchives(t.asset)) {
      sums.set(archiveName(t.asset, format), await sha256(file));
      sizes.push(`${format} ${mb(statSync(file).size)}`);
    }
    console.log(`built ${outfile}  ${sizes.join(", ")}  ${Math.round(performance.now() - started)} ms${note}`);
  }
  for (const script of ["install.sh", "install.ps1"]) {
    copyFileSync(script, join("dist", script));
    sums.set(script, await sha256(join("dist", script)));
  }
  writeFileSync("dist/VERSION", `${pkg.version}\n`);
  writeFileSync("dist/SHA256SUMS", formatSha256Sums(sums));
  console.log(`wrote dist/SHA256SUMS (${sums.size} files) and dist/VERSION (${pkg.version}, ${commit})`);
}

/**
 * The binary without an embedded source map, and its maps beside it: `<outfile>.map` for the entry module,
 * `<outfile>.maps/` for the chunks (`chunk-<hash>.js.map`, named like the chunk in the binary) and the lazy
 * packages (`<file>.js.map`). A first pass with linked maps, whose binary is thrown away, writes them; the
 * code and chunk names it maps are the same as the second pass emits without maps (only the trailing
 * `//# debugId` comments differ).
 */
async function compileWithMap(opts: { outfile: string; target?: string; asset?: string; bytecode: boolean }): Promise<{ ok: true } | { ok: false; error: string }> {
  const scratchDir = join(dirname(opts.outfile), `.map-pass-${basename(opts.outfile)}`);
  const mapsDir = `${opts.outfile}.maps`;
  rmSync(scratchDir, { recursive: true, force: true });
  try {
    const mapped = await compile({ ...opts, outfile: join(scratchDir, "openclaw"), sourcemap: "linked" });
    if (!mapped.ok) return mapped;
    rmSync(mapsDir, { recursive: true, force: true });
    mkdirSync(mapsDir, { recursive: true });
    for (const name of readdirSync(scratchDir)) {
      if (name === "openclaw.map") renameSync(join(scratchDir, name), `${opts.outfile}.map`);
      else if (name.endsWith(".map")) renameSync(join(scratchDir, name), join(mapsDir, name));
    }
    for (const b of await lazyBundles()) copyFileSync(b.map, join(mapsDir, `${b.file}.js.map`));
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  const built = await compile({ ...opts, sourcemap: "none" });
  if (built.ok) checkChunkNames(opts.outfile, mapsDir);
  return built;
}

/** Warns when a chunk map names a chunk the binary does not hold (the two passes split differently). */
function checkChunkNames(outfile: string, mapsDir: string): void {
  const binary = readFileSync(outfile);
  const missing = readdirSync(mapsDir)
    .filter((n) => n.startsWith("chunk-"))
    .filter((n) => binary.indexOf(`/${n.replace(/\.map$/, "")}`) < 0);
  if (missing.length) console.warn(`warning: ${outfile} holds no chunk named like ${missing.join(", ")}; its maps in ${mapsDir} may not match`);
}


/**
 * Bundles each of LAZY_PACKAGES into dist/.lazy/out/<file>.js (+ .js.map), once per build.ts run. The entries
 * live in another folder (dist/.lazy/src): Bun's resolver caches a folder's listing when it first reads it,
 * so the folder the compile resolves the bundles in must not be read before they are all written.
 */
function lazyBundles(): Promise<LazyBundle[]> {
  lazyBuilt ??= (async () => {
    rmSync(join("dist", ".lazy"), { recursive: true, force: true });
    const dir = join("dist", ".lazy", "out");
    const src = join("dist", ".lazy", "src");
    mkdirSync(dir, { recursive: true });
    mkdirSync(src, { recursive: true });
    const out: LazyBundle[] = [];
    for (const pkg of LAZY_PACKAGES) {
      // The entry lives under the project so that the package resolves from node_modules.
      const entry = join(src, `${pkg.file}.ts`);
      writeFileSync(entry, `export * from ${JSON.stringify(pkg.name)};
export { default } from ${JSON.stringify(pkg.name)};
`);
      const result = await Bun.build({
        entrypoints: [entry],
        outdir: dir,
        naming: `${pkg.file}.js`,
        target: "bun",
        format: "esm",
        minify: true,
        sourcemap: "external",
        metafile: true,
        plugins: [stubOptionalDeps()],
      });
      if (!result.success) fail(`bundling ${pkg.name}: ${result.logs.map(String).join("\n")}`);
      const meta = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint);
      if (!meta) fail(`bundling ${pkg.name}: no metafile entry for the output`);
      const js = resolve(dir, `${pkg.file}.js`);
      writeFileSync(`${js}.zst`, Bun.zstdCompressSync(readFileSync(js), { level: 19 }));
      out.push({ ...pkg, js, map: join(dir, `${pkg.file}.js.map`), exports: meta.exports ?? [] });
    }
    return out;
  })();
  return lazyBuilt;
}

/**
 * Resolves each lazy package to a small module (dist/.lazy/out/<file>.shim.js) that reads the embedded,
 * compressed bundle (a `file` import: stored as is in the binary), imports it from a blob: URL and
 * re-exports its names. Its importers are themselves loaded lazily (src/channels/manager.ts,
 * src/browser/pw-session.ts), so the top-level await runs only then. The bundles are self-contained (no
 * relative imports), so the URL is revoked once the import has finished.
 */
function lazyPackages(bundles: LazyBundle[]): Bun.BunPlugin {
  const shims = new Map<string, string>();
  for (const b of bundles) {
    const names = b.exports.filter((n) => n !== "default" && /^[A-Za-z_$][\w$]*$/.test(n));
    const shim = b.js.replace(/\.js$/, ".shim.js");
    writeFileSync(
      shim,
      [
        `import file from ${JSON.stringify(`./${basename(b.js)}.zst`)} with { type: "file" };`,
        "const code = Bun.zstdDecompressSync(await Bun.file(file).bytes());",
        'const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));',
        "let m;",
        "try {",
        "  m = await import(url);",
        "} finally {",
        "  URL.revokeObjectURL(url);",
        "}",
        "export default m.default;",
        names.length ? `export const { ${names.join(", ")} } = m;` : "",
        "",
      ].join("\n"),
    );
    shims.set(b.name, shim);
  }
  const filter = new RegExp(`^(${bundles.map((b) => b.name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})$`);
  return {
    name: "lazy-packages",
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: shims.get(args.path) as string }));
    },
  };
}

/**
 * The compressed archives of one built binary (src/release/archive.ts), written beside it.
 * zstd at level 19 with a long window; xz only when the `xz` tool is installed (Bun has no xz encoder).
 */
async function writeArchives(asset: string): Promise<[ArchiveFormat, string][]> {
  const data = new Uint8Array(await Bun.file(join("dist", asset)).arrayBuffer());
  const tar = tarOneFile(memberName(asset), data, 0o755, Math.floor(Date.now() / 1000));
  const out: [ArchiveFormat, string][] = [];
  const put = async (format: ArchiveFormat, bytes: Uint8Array) => {
    const file = join("dist", archiveName(asset, format));
    await Bun.write(file, bytes);
    out.push([format, file]);
  };
  await put("tar.gz", Bun.gzipSync(tar, { level: 9 }));
  await put("tar.zst", await Bun.zstdCompress(tar, { level: 19 }));
  const xz = Bun.which("xz");
  if (xz) {
    const p = Bun.spawn([xz, "-9", "-T1", "-c"], { stdin: tar, stdout: "pipe", stderr: "pipe" });
    const [code, packed, err] = await Promise.all([p.exited, new Response(p.stdout).bytes(), new Response(p.stderr).text()]);
    if (code !== 0) fail(`xz exited ${code}: ${firstLine(err)}`);
    await put("tar.xz", packed);
  } else {
    console.log(`  (no xz on this host: ${archiveName(asset, "tar.xz")} not written; installers fall back to .tar.zst / .tar.gz)`);
  }
  if (asset.endsWith(".exe")) await put("zip", zipOneFile(memberName(asset), data, Date.now()));
  return out;
}

async function compile(opts: { outfile: string; target?: string; asset?: string; bytecode: boolean; sourcemap: "linked" | "none" }): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    const result = await Bun.build({
      entrypoints: ["src/main.ts"],
      compile: {
        outfile: opts.outfile,
        ...(opts.target && { target: opts.target as Bun.Build.CompileTarget }),
        // A gateway must not pick up .env or bunfig.toml from whatever folder it is started in.
        autoloadDotenv: false,
        autoloadBunfig: false,
      },
      define: {
        OPENCLAW_BUILD_COMMIT: JSON.stringify(commit),
        ...(opts.asset && { OPENCLAW_BUILD_ASSET: JSON.stringify(opts.asset) }),
      },
      minify: true,
      sourcemap: opts.sourcemap,
      bytecode: opts.bytecode,
      format: "esm",
      splitting: true,
      plugins: [stubOptionalDeps(), lazyPackages(await lazyBundles())],
    });
    if (result.success) return { ok: true };
    return { ok: false, error: result.logs.map(String).join("\n") || "build failed" };
  } catch (err) {
    // Bun.build throws an AggregateError for bundle errors and a plain error when a runtime cannot be fetched.
    const errors = err instanceof AggregateError ? err.errors : [err];
    return { ok: false, error: errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n") };
  }
}

/**
 * Baileys imports `sharp` / `jimp` (image thumbnails) and `link-preview-js` optionally, each inside a
 * catch. sharp is a native addon that cannot load from a compiled binary, so all three become a module
 * that throws, which Baileys reads as "not installed". The WhatsApp adapter never asks for thumbnails.
 */
function stubOptionalDeps(): Bun.BunPlugin {
  return {
    name: "stub-optional-deps",
    setup(build) {
      build.onResolve({ filter: /^(sharp|jimp|link-preview-js)$/ }, (args) => ({ path: args.path, namespace: "stub-optional" }));
      build.onLoad({ filter: /.*/, namespace: "stub-optional" }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not available in the openclaw binary`)});`,
        loader: "js",
      }));
    },
  };
}

function resolveCommit(): string {
  if (process.env.OPENCLAW_BUILD_COMMIT) return process.env.OPENCLAW_BUILD_COMMIT;
  try {
    const p = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: import.meta.dir, stdout: "pipe", stderr: "ignore" });
    const out = p.stdout.toString().trim();
    if (p.exitCode === 0 && /^[0-9a-f]{4,40}$/.test(out)) return out;
  } catch {
    // no git on PATH
  }
  return "unknown";
}

function isRuntimeFetchError(text: string): boolean {
  return /download|fetch|registry|HTTP|ENOTFOUND|ECONNREFUSED|failed to (extract|open)/i.test(text);
}

async function sha256(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  const reader = Bun.file(path).stream().getReader();
  for (let c = await reader.read(); !c.done; c = await reader.read()) hasher.update(c.value);
  return hasher.digest("hex");
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function firstLine(text: string): string {
  return text.split("\n")[0].slice(0, 160);
}

function fail(message: string): never {
  console.error(`build failed: ${message}`);
  if (/download|fetch|registry/i.test(message)) {
    console.error(`Cross targets need Bun's runtime for that platform from the npm registry (@oven/bun-<os>-<arch>@${Bun.version}); check registry access.`);
  }
  process.exit(1);
}

