/**
 * Re-renders bench/results/latest.md from latest.json (after a change to report.ts; no measurement).
 *
 *   bun bench/render.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderMarkdown, type Results } from "./report.ts";

const dir = join(import.meta.dir, "results");
const results = JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as Results;
writeFileSync(join(dir, "latest.md"), renderMarkdown(results));
console.log("wrote bench/results/latest.md");
