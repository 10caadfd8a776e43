import { expect, test } from "bun:test";
import { parseRefs } from "../../src/browser/pw-session.ts";

test("parseRefs: role, name (with escaped quotes) and iframe refs", () => {
  const snap = [
    "- generic [active] [ref=e1]:",
    '  - heading "Hello" [level=1] [ref=e2]',
    '  - button "Say \\"hi\\"" [ref=e3]',
    "  - textbox [ref=e4]",
    '  - link "Docs" [ref=e5] [cursor=pointer]:',
    "    - /url: /docs",
    "  - text: plain",
    '  - iframe [ref=e6]:',
    '    - button "Inner" [ref=f1e2]',
  ].join("\n");
  expect(parseRefs(snap)).toEqual({
    e1: { role: "generic" },
    e2: { role: "heading", name: "Hello" },
    e3: { role: "button", name: 'Say "hi"' },
    e4: { role: "textbox" },
    e5: { role: "link", name: "Docs" },
    e6: { role: "iframe" },
    f1e2: { role: "button", name: "Inner" },
  });
});
