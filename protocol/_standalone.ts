/**
 * Post-processing of ajv's standalone output so it is a clean ES module: ajv still emits
 * `require("ajv/dist/runtime/…")` for its runtime helpers even with `code.esm`, which Node's ESM loader
 * rejects. Private to `protocol/`.
 */

const RUNTIME_REQUIRE = /const (func\d+) = require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)\.default;/gi;

/**
 * Rewrites runtime `require`s into imports hoisted to the top, and breaks the one-line output into one
 * top-level statement per line so diffs of the generated file stay readable.
 */
export function toEsmModule(code: string): string {
  const imports: string[] = [];
  let body = code.replace(RUNTIME_REQUIRE, (_all, name: string, specifier: string) => {
    // Bun's default import of these CJS files is exports.default; Node's is module.exports. Accept both.
    imports.push(
      `import * as ${name}_module from "${specifier}.js";\n` +
        `const ${name} = typeof ${name}_module.default === "function" ? ${name}_module.default : ${name}_module.default.default;`,
    );
    return "";
  });
  if (body.includes("require(")) throw new Error("ajv standalone output still contains require(); extend toEsmModule");
  body = body.replace(/^"use strict";/, "");
  // Statement boundaries ajv emits at top level; none of these sequences occur inside its string literals.
  body = body
    .replace(/;(export const |const schema\d+ = |const pattern\d+ = |function validate\d+\()/g, ";\n$1")
    .replace(/}(function validate\d+\(|export const )/g, "}\n$1");
  return `${imports.join("\n")}\n${body.trim()}\n`;
}
