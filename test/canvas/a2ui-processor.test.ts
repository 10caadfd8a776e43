/**
 * The DOM-free A2UI v0.8 processor: validation errors name the message (or line) and the field, a failing batch
 * leaves the old state untouched, data-model paths and template contexts resolve, BoundValue literals initialise
 * their paths, templates expand over arrays and maps, actions resolve their context, and hostile input is bounded.
 */
import { describe, expect, test } from "bun:test";
import {
  A2UI_LIMITS,
  type A2uiMessage,
  type A2uiState,
  type Action,
  applyA2uiMessages,
  buildRenderTree,
  createA2uiState,
  createUserAction,
  expandChildren,
  getDataValue,
  isSafeCssColor,
  parseA2uiJsonl,
  type RenderNode,
  resolveBoundValue,
  resolvePath,
  type Surface,
  setDataValue,
  toSafeMediaUrl,
  validateA2uiMessages,
} from "../../src/canvas/a2ui/app/processor.ts";

const text = (id: string, value: object) => ({ id, component: { Text: { text: value } } });
const column = (id: string, children: object) => ({ id, component: { Column: { children } } });
const update = (components: object[], surfaceId = "main") => ({ surfaceUpdate: { surfaceId, components } });
const begin = (root = "root", surfaceId = "main") => ({ beginRendering: { surfaceId, root } });
const data = (contents: object[], path?: string, surfaceId = "main") => ({ dataModelUpdate: { surfaceId, path, contents } });

function apply(messages: unknown[], state: A2uiState = createA2uiState()): A2uiState {
  return applyA2uiMessages(state, messages);
}

function surfaceOf(state: A2uiState, id = "main"): Surface {
  const surface = state.surfaces.get(id);
  if (!surface) throw new Error(`no surface ${id}`);
  return surface;
}

function flatten(node: RenderNode | undefined): string[] {
  if (!node) return [];
  const self = `${node.id}${node.itemKey === undefined ? "" : `#${node.itemKey}`}${node.refused ? `!${node.refused}` : ""}`;
  return [self, ...node.children.flatMap(flatten)];
}

describe("validateA2uiMessages", () => {
  test("a valid batch has no errors", () => {
    const batch = [
      update([column("root", { explicitList: ["t"] }), text("t", { literalString: "hi" }), { id: "x", weight: 2, component: { Chart: { any: 1 } } }]),
      data([{ key: "user", valueMap: [{ key: "name", valueString: "Ada" }, { key: "age", valueNumber: 36 }, { key: "ok", valueBoolean: true }] }]),
      begin(),
      { deleteSurface: { surfaceId: "old" } },
    ];
    expect(validateA2uiMessages(batch)).toEqual([]);
  });

  test("a non-array is refused with one error", () => {
    expect(validateA2uiMessages({ surfaceUpdate: {} })).toEqual(["A2UI: expected messages array"]);
    expect(validateA2uiMessages(undefined)).toEqual(["A2UI: expected messages array"]);
  });

  test("each message must be an object with exactly one known key", () => {
    const errors = validateA2uiMessages([7, null, [], {}, { foo: 1 }, { beginRendering: { surfaceId: "a", root: "r" }, deleteSurface: { surfaceId: "a" } }]);
    expect(errors).toEqual([
      "A2UI message 0: must be an object, got number",
      "A2UI message 1: must be an object, got null",
      "A2UI message 2: must be an object, got array",
      "A2UI message 3: must have exactly one of beginRendering, surfaceUpdate, dataModelUpdate, deleteSurface, got 0 (keys: none)",
      "A2UI message 4: must have exactly one of beginRendering, surfaceUpdate, dataModelUpdate, deleteSurface, got 0 (keys: foo)",
      "A2UI message 5: must have exactly one of beginRendering, surfaceUpdate, dataModelUpdate, deleteSurface, got 2 (beginRendering, deleteSurface)",
    ]);
  });

  test("surfaceId is required and non-empty; beginRendering needs a root", () => {
    expect(validateA2uiMessages([{ deleteSurface: {} }, { surfaceUpdate: { surfaceId: "", components: [] } }, { beginRendering: { surfaceId: 3 } }, { dataModelUpdate: "x" }])).toEqual([
      "A2UI message 0: deleteSurface.surfaceId is required",
      'A2UI message 1: surfaceUpdate.surfaceId must be a non-empty string, got ""',
      "A2UI message 2: beginRendering.surfaceId must be a non-empty string, got number",
      "A2UI message 2: beginRendering.root is required",
      "A2UI message 3: dataModelUpdate must be an object, got string",
    ]);
  });

  test("a component must have an id and exactly one component type with object props", () => {
    const errors = validateA2uiMessages([
      begin(),
      update([{ id: "a", component: {} }, { id: "b", component: { Text: { text: { literalString: "x" } }, Image: { url: { literalString: "y" } } } }, { component: { Divider: {} } }, { id: "d", component: { Text: "hi" } }, { id: "e" }, { id: "f", weight: "2", component: { Divider: {} } }]),
    ]);
    expect(errors).toEqual([
      "A2UI message 1: surfaceUpdate.components[0].component must have exactly one component type, got 0",
      "A2UI message 1: surfaceUpdate.components[1].component must have exactly one component type, got 2",
      "A2UI message 1: surfaceUpdate.components[2].id is required",
      "A2UI message 1: surfaceUpdate.components[3].component.Text must be an object, got string",
      "A2UI message 1: surfaceUpdate.components[4].component is required",
      "A2UI message 1: surfaceUpdate.components[5].weight must be a finite number, got string",
    ]);
    expect(validateA2uiMessages([{ surfaceUpdate: { surfaceId: "s", components: "x" } }])).toEqual(["A2UI message 0: surfaceUpdate.components must be an array, got string"]);
  });

  test("children must be an explicitList of ids or a template", () => {
    const errors = validateA2uiMessages([
      update([
        column("a", ["x"]),
        column("b", { explicitList: ["x"], template: { componentId: "t", dataBinding: "/items" } }),
        column("c", { explicitList: "x" }),
        column("d", { explicitList: ["ok", 5, ""] }),
        column("e", { template: { dataBinding: "/items" } }),
        column("f", { template: { componentId: "t", dataBinding: "/__proto__/x" } }),
        { id: "g", component: { Row: {} } },
        { id: "h", component: { Card: { child: ["x"] } } },
      ]),
    ]);
    expect(errors).toEqual([
      "A2UI message 0: surfaceUpdate.components[0].component.Column.children must be an object with explicitList or template, got array",
      "A2UI message 0: surfaceUpdate.components[1].component.Column.children must have exactly one of explicitList, template, got 2",
      "A2UI message 0: surfaceUpdate.components[2].component.Column.children.explicitList must be an array of component ids, got string",
      "A2UI message 0: surfaceUpdate.components[3].component.Column.children.explicitList[1] must be a non-empty string, got number",
      'A2UI message 0: surfaceUpdate.components[3].component.Column.children.explicitList[2] must be a non-empty string, got ""',
      "A2UI message 0: surfaceUpdate.components[4].component.Column.children.template.componentId is required",
      "A2UI message 0: surfaceUpdate.components[5].component.Column.children.template.dataBinding must not contain the segment __proto__",
      "A2UI message 0: surfaceUpdate.components[6].component.Row.children is required",
      "A2UI message 0: surfaceUpdate.components[7].component.Card.child must be a non-empty string, got array",
    ]);
  });

  test("BoundValues need a path or one well-typed literal", () => {
    const errors = validateA2uiMessages([
      update([
        text("a", "plain" as unknown as object),
        text("b", {}),
        text("c", { literalString: "x", literalNumber: 1 }),
        text("d", { literalNumber: "1" }),
        text("e", { path: 5 }),
        text("f", { literalArray: ["ok", { no: 1 }] }),
        { id: "g", component: { Button: { child: "a", action: { name: "go", context: [{ key: "k", value: { literalBoolean: "yes" } }, { value: { path: "/x" } }] } } } },
        { id: "h", component: { Tabs: { tabItems: [{ title: "T", child: "a" }] } } },
        { id: "i", component: { MultipleChoice: { selections: { path: "/s" }, options: [{ label: { literalString: "A" }, value: 1 }] } } },
      ]),
    ]);
    const at = "A2UI message 0: surfaceUpdate.components";
    expect(errors).toEqual([
      `${at}[0].component.Text.text must be a BoundValue object ({path} or {literalString}…), got string`,
      `${at}[1].component.Text.text must have a path or one of literalString, literalNumber, literalBoolean, literalArray`,
      `${at}[2].component.Text.text must have at most one literal, got literalString, literalNumber`,
      `${at}[3].component.Text.text.literalNumber must be a finite number, got string`,
      `${at}[4].component.Text.text.path must be a string, got number`,
      `${at}[5].component.Text.text.literalArray[1] must be a string, number or boolean, got object`,
      `${at}[6].component.Button.action.context[0].value.literalBoolean must be a boolean, got string`,
      `${at}[6].component.Button.action.context[1].key is required`,
      `${at}[7].component.Tabs.tabItems[0].title must be a BoundValue object ({path} or {literalString}…), got string`,
      `${at}[8].component.MultipleChoice.options[0].value must be a string, got number`,
    ]);
  });

  test("dataModelUpdate entries need a safe key and exactly one value", () => {
    const errors = validateA2uiMessages([
      { dataModelUpdate: { surfaceId: "main" } },
      data([{ valueString: "x" }, { key: "a", valueString: "x", valueNumber: 1 }, { key: "b" }, { key: "c", valueNumber: "1" }, { key: "d/e", valueBoolean: true }, { key: "__proto__", valueMap: [] }, { key: "f", valueMap: "x" }, { key: "g", valueMap: [{ key: "h", valueMap: [{ key: "i", valueBoolean: 1 }] }] }]),
      data([], "/__proto__"),
    ]);
    expect(errors).toEqual([
      "A2UI message 0: dataModelUpdate.contents is required",
      "A2UI message 1: dataModelUpdate.contents[0].key is required",
      "A2UI message 1: dataModelUpdate.contents[1] must have exactly one of valueString, valueNumber, valueBoolean, valueMap, got 2",
      "A2UI message 1: dataModelUpdate.contents[2] must have exactly one of valueString, valueNumber, valueBoolean, valueMap, got 0",
      "A2UI message 1: dataModelUpdate.contents[3].valueNumber must be a finite number, got string",
      'A2UI message 1: dataModelUpdate.contents[4].key must not contain "/" or be one of __proto__, prototype, constructor',
      'A2UI message 1: dataModelUpdate.contents[5].key must not contain "/" or be one of __proto__, prototype, constructor',
      "A2UI message 1: dataModelUpdate.contents[6].valueMap must be an array, got string",
      "A2UI message 1: dataModelUpdate.contents[7].valueMap[0].valueMap[0].valueBoolean must be a boolean, got number",
      "A2UI message 2: dataModelUpdate.path must not contain the segment __proto__",
    ]);
  });

  test("valueMap nesting is bounded", () => {
    let entry: object = { key: "leaf", valueString: "x" };
    for (let i = 0; i < A2UI_LIMITS.dataDepth + 1; i++) entry = { key: `k${i}`, valueMap: [entry] };
    const errors = validateA2uiMessages([data([entry])]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`is nested deeper than ${A2UI_LIMITS.dataDepth} levels`);
  });

  test("more than 1,000 components in one message is refused", () => {
    const components = Array.from({ length: 1001 }, (_, i) => text(`t${i}`, { literalString: "x" }));
    expect(validateA2uiMessages([update(components)])).toEqual(["A2UI message 0: surfaceUpdate.components has 1001 entries (limit 1000)"]);
  });
});

describe("parseA2uiJsonl", () => {
  test("one message per non-blank line; errors name the 1-based line", () => {
    const jsonl = [JSON.stringify(begin()), "", '{"beginRendering":{"surfaceId":"main"}}', "{oops", "   ", JSON.stringify({ deleteSurface: { surfaceId: "main" } })].join("\r\n");
    const { messages, errors } = parseA2uiJsonl(jsonl);
    expect(messages).toEqual([begin() as A2uiMessage, { deleteSurface: { surfaceId: "main" } }]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe("A2UI line 3: beginRendering.root is required");
    expect(errors[1]).toStartWith("A2UI line 4: invalid JSON (");
  });

  test("empty input has neither messages nor errors", () => {
    expect(parseA2uiJsonl("\n\n")).toEqual({ messages: [], errors: [] });
  });
});

describe("applyA2uiMessages", () => {
  test("builds surfaces in creation order with components, root, styles and data", () => {
    const state = apply([update([text("root", { path: "/title" })], "b"), data([{ key: "title", valueString: "Hi" }], undefined, "b"), begin("root", "b"), begin("r", "a")]);
    expect([...state.surfaces.keys()]).toEqual(["b", "a"]);
    const b = surfaceOf(state, "b");
    expect(b.root).toBe("root");
    expect(b.components.get("root")?.component).toEqual({ Text: { text: { path: "/title" } } });
    expect(b.data).toEqual({ title: "Hi" });
    const styled = apply([{ beginRendering: { surfaceId: "s", root: "r", styles: { primaryColor: "#ff0000", font: "Georgia" } } }]);
    expect(surfaceOf(styled, "s").styles).toEqual({ primaryColor: "#ff0000", font: "Georgia" });
  });

  test("throws on a non-array with the documented message", () => {
    expect(() => applyA2uiMessages(createA2uiState(), "nope")).toThrow(new Error("A2UI: expected messages array"));
  });

  test("upserts components by id", () => {
    const first = apply([update([text("a", { literalString: "one" }), text("b", { literalString: "two" })])]);
    const second = apply([update([text("a", { literalString: "uno" })])], first);
    expect(second.surfaces.get("main")?.components.get("a")?.component).toEqual({ Text: { text: { literalString: "uno" } } });
    expect(second.surfaces.get("main")?.components.size).toBe(2);
  });

  test("a failing batch throws naming index and field, and the state from before stays intact", () => {
    const before = apply([update([column("root", { explicitList: ["t"] }), text("t", { literalString: "kept" })]), data([{ key: "n", valueNumber: 1 }]), begin()]);
    const snapshot = structuredClone([...before.surfaces.entries()].map(([id, s]) => [id, s.root, [...s.components.entries()], s.data]));
    const bad = [{ deleteSurface: { surfaceId: "main" } }, data([{ key: "n", valueNumber: 2 }]), update([{ id: "x", component: {} }])];
    expect(() => applyA2uiMessages(before, bad)).toThrow("A2UI message 2: surfaceUpdate.components[0].component must have exactly one component type, got 0");
    expect(structuredClone([...before.surfaces.entries()].map(([id, s]) => [id, s.root, [...s.components.entries()], s.data]))).toEqual(snapshot);
  });

  test("applying never mutates the state it was given", () => {
    const before = apply([data([{ key: "n", valueNumber: 1 }]), update([text("t", { literalString: "x" })])]);
    const after = apply([data([{ key: "n", valueNumber: 2 }]), update([text("u", { literalString: "y" })]), { deleteSurface: { surfaceId: "gone" } }], before);
    expect(surfaceOf(before).data).toEqual({ n: 1 });
    expect([...surfaceOf(before).components.keys()]).toEqual(["t"]);
    expect(surfaceOf(after).data).toEqual({ n: 2 });
    expect([...surfaceOf(after).components.keys()]).toEqual(["t", "u"]);
  });

  test("deleteSurface removes a surface; deleting an unknown one is a no-op; a recreated one goes last", () => {
    const state = apply([begin("r", "a"), begin("r", "b"), begin("r", "c")]);
    const deleted = apply([{ deleteSurface: { surfaceId: "a" } }, { deleteSurface: { surfaceId: "nope" } }], state);
    expect([...deleted.surfaces.keys()]).toEqual(["b", "c"]);
    expect([...apply([begin("r", "a")], deleted).surfaces.keys()]).toEqual(["b", "c", "a"]);
    const recreated = apply([data([{ key: "x", valueString: "old" }], undefined, "b"), { deleteSurface: { surfaceId: "b" } }, begin("r", "b")], state);
    expect(surfaceOf(recreated, "b").data).toEqual({});
  });

  test("components across messages are limited per surface, and the state stays intact", () => {
    const batch = (from: number) => update(Array.from({ length: 600 }, (_, i) => text(`t${from + i}`, { literalString: "x" })));
    const state = apply([batch(0)]);
    expect(() => applyA2uiMessages(state, [begin(), batch(600)])).toThrow('A2UI message 1: surfaceUpdate would give surface "main" 1200 components (limit 1000)');
    expect(surfaceOf(state).components.size).toBe(600);
    expect(surfaceOf(state).root).toBeUndefined();
  });

  test("at most 100 surfaces", () => {
    const hundred = apply(Array.from({ length: A2UI_LIMITS.surfaces }, (_, i) => begin("r", `s${i}`)));
    expect(hundred.surfaces.size).toBe(100);
    expect(() => applyA2uiMessages(hundred, [begin("r", "one-more")])).toThrow('A2UI message 0: beginRendering would create surface "one-more" beyond the limit of 100 surfaces');
    expect(apply([{ deleteSurface: { surfaceId: "s0" } }, begin("r", "one-more")], hundred).surfaces.size).toBe(100);
  });
});

describe("data model", () => {
  test("dataModelUpdate sets keys under a path, with valueMap building nested maps", () => {
    const state = apply([
      data([{ key: "user", valueMap: [{ key: "name", valueString: "Ada" }, { key: "address", valueMap: [{ key: "city", valueString: "London" }] }] }]),
      data([{ key: "zip", valueString: "N1" }], "user/address"),
      data([{ key: "age", valueNumber: 36 }], "/user"),
      data([{ key: "items", valueMap: [{ key: "0", valueString: "a" }, { key: "1", valueString: "b" }] }], "/"),
    ]);
    const surface = surfaceOf(state);
    expect(surface.data).toEqual({ user: { name: "Ada", address: { city: "London", zip: "N1" }, age: 36 }, items: { "0": "a", "1": "b" } });
    expect(getDataValue(surface, "/user/address/city")).toBe("London");
    expect(getDataValue(surface, "/items/1")).toBe("b");
    expect(getDataValue(surface, "/user/missing/deeper")).toBeUndefined();
    // A later valueMap replaces the map at that key.
    const replaced = apply([data([{ key: "user", valueMap: [{ key: "name", valueString: "Grace" }] }])], state);
    expect(surfaceOf(replaced).data.user).toEqual({ name: "Grace" });
  });

  test("paths resolve relative to a data context", () => {
    expect(resolvePath("/a/b")).toBe("/a/b");
    expect(resolvePath("name", "/items/0")).toBe("/items/0/name");
    expect(resolvePath(".", "/items/0")).toBe("/items/0");
    expect(resolvePath("../1/name", "/items/0")).toBe("/items/1/name");
    expect(resolvePath("a//b/", "/")).toBe("/a/b");
    const surface = surfaceOf(apply([data([{ key: "items", valueMap: [{ key: "0", valueMap: [{ key: "name", valueString: "Apple" }] }] }])]));
    expect(getDataValue(surface, "name", "/items/0")).toBe("Apple");
    expect(getDataValue(surface, ".", "/items/0")).toEqual({ name: "Apple" });
  });

  test("setDataValue creates maps on the way, writes array items, and ignores unsafe segments", () => {
    const surface = surfaceOf(apply([begin()]));
    setDataValue(surface, "/form/name", "Ada");
    setDataValue(surface, "tags", ["a", "b"], "/form");
    setDataValue(surface, "/form/tags/1", "c");
    setDataValue(surface, "/__proto__/polluted", true);
    setDataValue(surface, "/form/constructor/prototype/x", 1);
    expect(surface.data).toEqual({ form: { name: "Ada", tags: ["a", "c"] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    setDataValue(surface, "/", { fresh: true });
    expect(surface.data).toEqual({ fresh: true });
  });

  test("a literal with a path initialises the path only when it is unset", () => {
    const surface = surfaceOf(apply([data([{ key: "set", valueString: "from server" }])]));
    expect(resolveBoundValue(surface, { path: "/set", literalString: "ignored" })).toBe("from server");
    expect(resolveBoundValue(surface, { path: "/form/name", literalString: "Bob" })).toBe("Bob");
    expect(getDataValue(surface, "/form/name")).toBe("Bob");
    expect(resolveBoundValue(surface, { path: "flag", literalBoolean: false }, "/items/0")).toBe(false);
    expect(getDataValue(surface, "/items/0/flag")).toBe(false);
    const list = resolveBoundValue(surface, { path: "/picked", literalArray: ["a"] });
    expect(list).toEqual(["a"]);
    (getDataValue(surface, "/picked") as string[]).push("b");
    expect(list).toEqual(["a"]);
    expect(resolveBoundValue(surface, { literalNumber: 4 })).toBe(4);
    expect(resolveBoundValue(surface, { path: "/nothing" })).toBeUndefined();
    expect(getDataValue(surface, "/nothing")).toBeUndefined();
    expect(resolveBoundValue(surface, undefined)).toBeUndefined();
  });
});

describe("templates", () => {
  const items = data([
    { key: "list", valueMap: [{ key: "0", valueMap: [{ key: "name", valueString: "Apple" }] }, { key: "1", valueMap: [{ key: "name", valueString: "Pear" }] }] },
    { key: "byId", valueMap: [{ key: "x", valueMap: [{ key: "name", valueString: "X" }] }, { key: "y", valueMap: [{ key: "name", valueString: "Y" }] }] },
  ]);

  test("expand once per array item or map key, each with its own data context", () => {
    const surface = surfaceOf(apply([items]));
    setDataValue(surface, "/array", ["p", "q", "r"]);
    const template = (dataBinding: string) => ({ template: { componentId: "row", dataBinding } });
    expect(expandChildren(surface, template("/array"))).toEqual([
      { id: "row", key: "0", context: "/array/0" },
      { id: "row", key: "1", context: "/array/1" },
      { id: "row", key: "2", context: "/array/2" },
    ]);
    expect(expandChildren(surface, template("/byId"))).toEqual([
      { id: "row", key: "x", context: "/byId/x" },
      { id: "row", key: "y", context: "/byId/y" },
    ]);
    expect(expandChildren(surface, template("list"), "/")).toHaveLength(2);
    expect(expandChildren(surface, template("/missing"))).toEqual([]);
    expect(expandChildren(surface, { explicitList: ["a", "b"] }, "/ctx")).toEqual([
      { id: "a", context: "/ctx" },
      { id: "b", context: "/ctx" },
    ]);
    expect(expandChildren(surface, undefined)).toEqual([]);
  });

  test("expansion stops at 1,000 items", () => {
    const surface = surfaceOf(apply([begin()]));
    setDataValue(surface, "/many", Array.from({ length: 5000 }, (_, i) => i));
    expect(expandChildren(surface, { template: { componentId: "c", dataBinding: "/many" } })).toHaveLength(A2UI_LIMITS.templateItems);
  });

  test("the render tree gives template items their context, and descendants the item key", () => {
    const state = apply([
      items,
      update([
        column("root", { explicitList: ["title", "rows"] }),
        text("title", { literalString: "Fruit" }),
        column("rows", { template: { componentId: "row", dataBinding: "/list" } }),
        { id: "row", component: { Card: { child: "name" } } },
        text("name", { path: "name" }),
      ]),
      begin(),
    ]);
    const tree = buildRenderTree(surfaceOf(state));
    expect(flatten(tree)).toEqual(["root", "title", "rows", "row#0", "name#0", "row#1", "name#1"]);
    const rows = tree?.children[1].children ?? [];
    expect(rows.map((r) => [r.context, r.children[0].context])).toEqual([
      ["/list/0", "/list/0"],
      ["/list/1", "/list/1"],
    ]);
    expect(new Set([...rows, ...rows.flatMap((r) => r.children)].map((n) => n.key)).size).toBe(4);
    expect(buildRenderTree(surfaceOf(apply([update([text("t", { literalString: "x" })])])))).toBeUndefined();
  });
});

describe("render tree limits", () => {
  test("a component that references itself or an ancestor becomes a refused leaf", () => {
    const state = apply([
      update([{ id: "root", component: { Card: { child: "root" } } }], "self"),
      begin("root", "self"),
      update([column("root", { explicitList: ["a"] }), { id: "a", component: { Button: { child: "b" } } }, column("b", { explicitList: ["root", "ok"] }), text("ok", { literalString: "fine" })], "loop"),
      begin("root", "loop"),
    ]);
    expect(flatten(buildRenderTree(surfaceOf(state, "self")))).toEqual(["root", "root!Recursive reference: root"]);
    expect(flatten(buildRenderTree(surfaceOf(state, "loop")))).toEqual(["root", "a", "b", "root!Recursive reference: root", "ok"]);
  });

  test("a template that contains itself terminates", () => {
    const surface = surfaceOf(apply([update([column("root", { template: { componentId: "root", dataBinding: "/kids" } })]), begin()]));
    setDataValue(surface, "/kids", [{ kids: [1] }]);
    expect(flatten(buildRenderTree(surface))).toEqual(["root", "root#0!Recursive reference: root"]);
  });

  test("nesting deeper than the render depth is refused", () => {
    const chain = Array.from({ length: 80 }, (_, i) => ({ id: `c${i}`, component: { Card: { child: `c${i + 1}` } } }));
    const nodes = flatten(buildRenderTree(surfaceOf(apply([update(chain), begin("c0")]))));
    expect(nodes).toHaveLength(A2UI_LIMITS.renderDepth + 2);
    expect(nodes.at(-2)).toBe(`c${A2UI_LIMITS.renderDepth}`);
    expect(nodes.at(-1)).toBe(`c${A2UI_LIMITS.renderDepth + 1}!Nested too deeply: c${A2UI_LIMITS.renderDepth + 1}`);
  });

  test("nested templates stop at the instance budget", () => {
    const surface = surfaceOf(apply([update([column("root", { template: { componentId: "row", dataBinding: "/rows" } }), column("row", { template: { componentId: "cell", dataBinding: "/cells" } }), text("cell", { literalString: "x" })]), begin()]));
    setDataValue(surface, "/rows", Array.from({ length: 1000 }, () => 0));
    setDataValue(surface, "/cells", Array.from({ length: 1000 }, () => 0));
    const nodes = flatten(buildRenderTree(surface));
    expect(nodes.filter((n) => !n.includes("!"))).toHaveLength(A2UI_LIMITS.renderedInstances);
    // root + 9 full rows of 1 + 1,000 = 9,010 nodes; row 9 then fits cells #0–#988, and cell #989 is refused.
    expect(nodes.filter((n) => n.includes("!"))).toEqual([`cell#989!Too many components (limit ${A2UI_LIMITS.renderedInstances})`]);
  });

  test("an unknown id stays in the tree without a type; an unknown type keeps its type and no children", () => {
    const tree = buildRenderTree(surfaceOf(apply([update([column("root", { explicitList: ["later", "chart"] }), { id: "chart", component: { Chart: { children: { explicitList: ["root"] } } } }]), begin()])));
    expect(tree?.children.map((c) => [c.id, c.type, c.children.length])).toEqual([
      ["later", undefined, 0],
      ["chart", "Chart", 0],
    ]);
  });
});

describe("actions", () => {
  test("context values resolve in the clicked component's data context; literals are themselves", () => {
    const surface = surfaceOf(apply([data([{ key: "form", valueMap: [{ key: "name", valueString: "Ada" }] }, { key: "items", valueMap: [{ key: "1", valueMap: [{ key: "label", valueString: "Pear" }] }] }])]));
    const action: Action = {
      name: "pick",
      context: [
        { key: "who", value: { path: "/form/name" } },
        { key: "item", value: { path: "label" } },
        { key: "whole", value: { path: "." } },
        { key: "n", value: { literalNumber: 3 } },
        { key: "on", value: { literalBoolean: true } },
        { key: "s", value: { literalString: "x" } },
        { key: "unset", value: { path: "/nope" } },
      ],
    };
    const userAction = createUserAction({ surface, action, sourceComponentId: "pickButton", context: "/items/1", id: "id-1", timestamp: "2025-01-01T00:00:00.000Z" });
    expect(userAction).toEqual({
      id: "id-1",
      name: "pick",
      surfaceId: "main",
      sourceComponentId: "pickButton",
      timestamp: "2025-01-01T00:00:00.000Z",
      context: { who: "Ada", item: "Pear", whole: { label: "Pear" }, n: 3, on: true, s: "x", unset: null },
    });
    // The action is a snapshot: later edits of the data model do not change it.
    setDataValue(surface, "/items/1/label", "Plum");
    expect(userAction.context?.whole).toEqual({ label: "Pear" });
  });

  test("context is omitted when the action has none", () => {
    const surface = surfaceOf(apply([begin()]));
    for (const action of [{ name: "go" }, { name: "go", context: [] }]) {
      const userAction = createUserAction({ surface, action, sourceComponentId: "b", id: "i", timestamp: "t" });
      expect(userAction).toEqual({ id: "i", name: "go", surfaceId: "main", sourceComponentId: "b", timestamp: "t" });
      expect("context" in userAction).toBe(false);
    }
  });
});

describe("sanitising", () => {
  test("media URLs: http(s), blob, relative, and data:image for images only", () => {
    expect(toSafeMediaUrl("https://example.com/a.png", "image")).toBe("https://example.com/a.png");
    expect(toSafeMediaUrl(" http://x/y ", "media")).toBe("http://x/y");
    expect(toSafeMediaUrl("blob:https://x/1", "media")).toBe("blob:https://x/1");
    expect(toSafeMediaUrl("img/cat.png", "image")).toBe("img/cat.png");
    expect(toSafeMediaUrl("data:image/png;base64,AAAA", "image")).toBe("data:image/png;base64,AAAA");
    expect(toSafeMediaUrl("data:image/png;base64,AAAA", "media")).toBeUndefined();
    expect(toSafeMediaUrl("data:text/html,<script>", "image")).toBeUndefined();
    expect(toSafeMediaUrl("javascript:alert(1)", "image")).toBeUndefined();
    expect(toSafeMediaUrl(" JaVa\tScRiPt:alert(1)", "media")).toBeUndefined();
    expect(toSafeMediaUrl("file:///etc/passwd", "image")).toBeUndefined();
    expect(toSafeMediaUrl("", "image")).toBeUndefined();
  });

  test("colors: hex or a plain name", () => {
    expect(["#abc", "#A1B2C3", "#11223344", "rebeccapurple"].every(isSafeCssColor)).toBe(true);
    expect(["#ab", "red;background:url(x)", "rgb(1,2,3)", "var(--x)", ""].some(isSafeCssColor)).toBe(false);
  });
});
