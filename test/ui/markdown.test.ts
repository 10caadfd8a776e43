/**
 * The control UI's Markdown parser (src/ui/app/markdown.ts): the tree it builds for the constructs model
 * replies use, and that link targets other than http/https/mailto never become links.
 */
import { describe, expect, test } from "bun:test";
import { parseInlines, parseMarkdown, safeHref } from "../../src/ui/app/markdown.ts";

const text = (t: string) => ({ t: "text" as const, text: t });

describe("blocks", () => {
  test("paragraphs, headings, rules; single newlines are line breaks", () => {
    expect(parseMarkdown("# Title\n\nfirst line\nsecond\n\n---\n### Sub ###")).toEqual([
      { t: "h", level: 1, children: [text("Title")] },
      { t: "p", children: [text("first line"), { t: "br" }, text("second")] },
      { t: "hr" },
      { t: "h", level: 3, children: [text("Sub")] },
    ]);
  });

  test("fenced code keeps its text verbatim, including markup; an unclosed fence runs to the end", () => {
    expect(parseMarkdown("```ts\nconst a = **b**;\n<script>x</script>\n```\nafter")).toEqual([
      { t: "code", lang: "ts", text: "const a = **b**;\n<script>x</script>" },
      { t: "p", children: [text("after")] },
    ]);
    expect(parseMarkdown("~~~\npartial\nstill code")).toEqual([{ t: "code", lang: "", text: "partial\nstill code" }]);
    // a language tag with odd characters keeps only the safe ones
    expect(parseMarkdown('```js"onload=x\ny\n```')[0]).toEqual({ t: "code", lang: "jsonloadx", text: "y" });
  });

  test("bullet and ordered lists, nested, with a start number; a list may follow a paragraph line", () => {
    expect(parseMarkdown("Steps:\n3. one\n4. two\n   - a\n   - b\n5. three")).toEqual([
      { t: "p", children: [text("Steps:")] },
      {
        t: "list",
        ordered: true,
        start: 3,
        items: [
          [{ t: "p", children: [text("one")] }],
          [{ t: "p", children: [text("two")] }, { t: "list", ordered: false, start: 1, items: [[{ t: "p", children: [text("a")] }], [{ t: "p", children: [text("b")] }]] }],
          [{ t: "p", children: [text("three")] }],
        ],
      },
    ]);
    // blank lines between items keep one list; a different marker starts another
    expect(parseMarkdown("- a\n\n- b\n+ c").map((b) => (b.t === "list" ? b.items.length : b.t))).toEqual([2, 1]);
  });

  test("blockquotes hold blocks", () => {
    expect(parseMarkdown("> quoted **x**\n> - item")).toEqual([
      { t: "quote", blocks: [{ t: "p", children: [text("quoted "), { t: "strong", children: [text("x")] }] }, { t: "list", ordered: false, start: 1, items: [[{ t: "p", children: [text("item")] }]] }] },
    ]);
  });

  test("pipe tables with alignment; a short row is padded, a long one cut; a table may follow a paragraph line", () => {
    expect(parseMarkdown("Results:\n| name | n |\n|:--|--:|\n| `a` | 1 |\n| b \\| c |\n| d | 2 | extra |\n\nafter")).toEqual([
      { t: "p", children: [text("Results:")] },
      {
        t: "table",
        align: ["left", "right"],
        head: [[text("name")], [text("n")]],
        rows: [
          [[{ t: "code", text: "a" }], [text("1")]],
          [[text("b | c")], []],
          [[text("d")], [text("2")]],
        ],
      },
      { t: "p", children: [text("after")] },
    ]);
    // not a table: cell counts differ, or no delimiter row
    expect(parseMarkdown("a | b\n---").map((b) => b.t)).toEqual(["p", "hr"]);
    expect(parseMarkdown("a | b\nc | d").map((b) => b.t)).toEqual(["p"]);
  });

  test("deep nesting is bounded (no stack overflow on hostile input)", () => {
    expect(() => parseMarkdown(`${"> ".repeat(5000)}x`)).not.toThrow();
    expect(() => parseMarkdown(`${"[".repeat(5000)}x${"](http://a)".repeat(5000)}`)).not.toThrow();
    expect(() => parseMarkdown("*".repeat(20000))).not.toThrow();
  });
});

describe("inlines", () => {
  test("bold, italic, bold-italic, strikethrough, inline code", () => {
    expect(parseInlines("**b** *i* ***bi*** ~~s~~ `a*b*` __u__ _e_")).toEqual([
      { t: "strong", children: [text("b")] },
      text(" "),
      { t: "em", children: [text("i")] },
      text(" "),
      { t: "strong", children: [{ t: "em", children: [text("bi")] }] },
      text(" "),
      { t: "del", children: [text("s")] },
      text(" "),
      { t: "code", text: "a*b*" },
      text(" "),
      { t: "strong", children: [text("u")] },
      text(" "),
      { t: "em", children: [text("e")] },
    ]);
  });

  test("snake_case, lone stars and escapes stay text", () => {
    expect(parseInlines("snake_case_name 2 * 3 * 4 \\*not\\*")).toEqual([text("snake_case_name 2 * 3 * 4 *not*")]);
  });

  test("links, autolinks and bare URLs keep safe targets only", () => {
    expect(parseInlines("[docs](https://example.com/a_(b) 'title') <mailto:a@b.c> see http://x.test/p.")).toEqual([
      { t: "link", href: "https://example.com/a_(b)", children: [text("docs")] },
      text(" "),
      { t: "link", href: "mailto:a@b.c", children: [text("mailto:a@b.c")] },
      text(" see "),
      { t: "link", href: "http://x.test/p", children: [text("http://x.test/p")] },
      text("."),
    ]);
    // unsafe targets keep only their label, as text
    expect(parseInlines("[click](javascript:alert(1)) [d](data:text/html,x) [r](/relative)")).toEqual([text("click"), text(" "), text("d"), text(" "), text("r")]);
    expect(parseInlines("![img](https://e.test/i.png)")).toEqual([{ t: "link", href: "https://e.test/i.png", children: [text("img")] }]);
  });

  test("raw HTML is text", () => {
    expect(parseInlines('<img src=x onerror="alert(1)"><script>alert(2)</script>')).toEqual([text('<img src=x onerror="alert(1)"><script>alert(2)</script>')]);
  });
});

test("safeHref: only absolute http, https and mailto", () => {
  expect(safeHref("https://a.test/x?y=1")).toBe("https://a.test/x?y=1");
  expect(safeHref("mailto:me@a.test")).toBe("mailto:me@a.test");
  for (const bad of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", " javascript:x", "data:text/html,<b>", "vbscript:x", "/rel", "//host/x", "file:///etc/passwd", ""]) {
    expect(safeHref(bad)).toBeUndefined();
  }
});
