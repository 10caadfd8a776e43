/**
 * The display and layout components of the A2UI v0.8 standard catalog: Text (with a tiny markdown subset),
 * Image, Video, AudioPlayer, Icon, Divider, Row, Column, List, Card, Tabs and Modal. Unlike the inputs, they
 * never write user changes back to the data model; Tabs keeps its selected tab per element. Media URLs pass
 * {@link toSafeMediaUrl} first.
 */
import { bound, lookup, oneOf, part, type Props, type Renderer, reuse, setAttr, setText, syncChildren, toText } from "./_render-dom.ts";
import { toSafeMediaUrl } from "./processor.ts";
import { A2UI_LIMITS, type BoundValue } from "./types.ts";

// --- display components ---

const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5"]);
const renderedText = new WeakMap<Element, string>();

const renderText: Renderer = (prev, props, node, pass) => {
  const hint = oneOf(props.usageHint, ["h1", "h2", "h3", "h4", "h5", "caption", "body"], "body");
  const el = reuse(prev, HEADINGS.has(hint) ? (hint as "h1") : "div", `a2ui-text a2ui-text-${hint}`);
  const text = toText(bound(pass, node, props.text));
  if (renderedText.get(el) !== text) {
    renderedText.set(el, text);
    el.replaceChildren(...toRichText(text));
  }
  return el;
};

// A deliberately tiny markdown subset: **bold**, *italic*, `code` and line breaks, built as DOM nodes.
const INLINE = /\*\*(.+?)\*\*|\*([^*\s](?:[^*]*?[^*\s])?)\*|`([^`]+)`/g;

function toRichText(text: string): Node[] {
  const nodes: Node[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (i > 0) nodes.push(document.createElement("br"));
    let last = 0;
    for (const m of line.matchAll(INLINE)) {
      if (m.index > last) nodes.push(document.createTextNode(line.slice(last, m.index)));
      const el = document.createElement(m[1] !== undefined ? "strong" : m[2] !== undefined ? "em" : "code");
      el.textContent = m[1] ?? m[2] ?? m[3];
      nodes.push(el);
      last = m.index + m[0].length;
    }
    if (last < line.length) nodes.push(document.createTextNode(line.slice(last)));
  });
  return nodes;
}

const IMAGE_HINTS = ["icon", "avatar", "smallFeature", "mediumFeature", "largeFeature", "header"];
const FITS = ["contain", "cover", "fill", "none", "scale-down"];

const renderImage: Renderer = (prev, props, node, pass) => {
  const img = reuse(prev, "img", `a2ui-image a2ui-image-${oneOf(props.usageHint, IMAGE_HINTS, "mediumFeature")}`);
  setAttr(img, "src", toSafeMediaUrl(toText(bound(pass, node, props.url)), "image"));
  img.alt = "";
  img.decoding = "async";
  img.style.objectFit = oneOf(props.fit, FITS, "");
  return img;
};

const renderVideo: Renderer = (prev, props, node, pass) => {
  const video = reuse(prev, "video", "a2ui-video");
  video.controls = true;
  video.playsInline = true;
  video.preload = "metadata";
  setAttr(video, "src", toSafeMediaUrl(toText(bound(pass, node, props.url)), "media"));
  return video;
};

const renderAudio: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "figure", "a2ui-audio");
  const caption = part(el, "figcaption", "a2ui-audio-description");
  const audio = part(el, "audio", "a2ui-audio-player");
  const description = toText(bound(pass, node, props.description));
  setText(caption, description);
  caption.hidden = description === "";
  audio.controls = true;
  audio.preload = "metadata";
  setAttr(audio, "src", toSafeMediaUrl(toText(bound(pass, node, props.url)), "media"));
  return el;
};

// Material icon names of the v0.8 catalog → a glyph that needs no icon font (fonts would need a CSP exception).
const ICONS: Record<string, string> = {
  accountCircle: "👤", add: "+", arrowBack: "←", arrowForward: "→", attachFile: "📎", calendarToday: "📅",
  call: "📞", camera: "📷", check: "✓", close: "✕", delete: "🗑", download: "⤓", edit: "✎", event: "📅",
  error: "⛔", favorite: "♥", favoriteOff: "♡", folder: "📁", help: "?", home: "⌂", info: "ℹ",
  locationOn: "📍", lock: "🔒", lockOpen: "🔓", mail: "✉", menu: "☰", moreHoriz: "⋯", moreVert: "⋮",
  notifications: "🔔", notificationsOff: "🔕", payment: "💳", person: "👤", phone: "☎", photo: "🖼",
  print: "🖨", refresh: "↻", search: "🔍", send: "➤", settings: "⚙", share: "⇪", shoppingCart: "🛒",
  star: "★", starHalf: "⯪", starOff: "☆", upload: "⤒", visibility: "👁", visibilityOff: "🙈", warning: "⚠",
};

const renderIcon: Renderer = (prev, props, node, pass) => {
  const name = toText(bound(pass, node, props.name));
  const key = name.replace(/[_-](\w)/g, (_, c: string) => c.toUpperCase());
  const known = Object.hasOwn(ICONS, key);
  const el = reuse(prev, "span", known ? "a2ui-icon" : "a2ui-icon a2ui-icon-text");
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", name);
  el.title = name;
  setText(el, known ? ICONS[key] : name);
  return el;
};

const renderDivider: Renderer = (prev, props) => {
  const axis = oneOf(props.axis, ["horizontal", "vertical"], "horizontal");
  const el = reuse(prev, "div", `a2ui-divider a2ui-divider-${axis}`);
  el.setAttribute("role", "separator");
  el.setAttribute("aria-orientation", axis);
  return el;
};

// --- layout components ---

const JUSTIFY: Record<string, string> = {
  start: "flex-start", center: "center", end: "flex-end",
  spaceBetween: "space-between", spaceAround: "space-around", spaceEvenly: "space-evenly",
};
const ALIGN: Record<string, string> = { start: "flex-start", center: "center", end: "flex-end", stretch: "stretch" };

function flexRenderer(className: (props: Props) => string): Renderer {
  return (prev, props, node, pass) => {
    const el = reuse(prev, "div", className(props));
    el.style.justifyContent = lookup(JUSTIFY, props.distribution);
    el.style.alignItems = lookup(ALIGN, props.alignment);
    syncChildren(el, pass.renderNodes(node.children));
    return el;
  };
}

const renderCard: Renderer = (prev, _props, node, pass) => {
  const el = reuse(prev, "div", "a2ui-card");
  syncChildren(el, pass.renderNodes(node.children));
  return el;
};

const selectedTab = new WeakMap<HTMLElement, number>();

const renderTabs: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "div", "a2ui-tabs");
  const bar = part(el, "div", "a2ui-tab-bar");
  const panel = part(el, "div", "a2ui-tab-panel");
  bar.setAttribute("role", "tablist");
  panel.setAttribute("role", "tabpanel");
  const items = (props.tabItems as { title: BoundValue; child: string }[]).slice(0, A2UI_LIMITS.templateItems);
  const selected = Math.max(0, Math.min(selectedTab.get(el) ?? 0, items.length - 1));
  const tabs = items.map((item, i) => {
    const tab = reuse(bar.children[i] as HTMLElement | undefined, "button", i === selected ? "a2ui-tab a2ui-tab-active" : "a2ui-tab");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", String(i === selected));
    setText(tab, toText(bound(pass, node, item.title)));
    tab.onclick = () => {
      selectedTab.set(el, i);
      pass.view.rerender();
    };
    return tab;
  });
  syncChildren(bar, tabs);
  syncChildren(panel, pass.renderNodes([node.children[selected]]));
  return el;
};

const renderModal: Renderer = (prev, _props, node, pass) => {
  const el = reuse(prev, "div", "a2ui-modal");
  const entry = part(el, "div", "a2ui-modal-entry");
  const dialog = part(el, "dialog", "a2ui-modal-dialog");
  const close = part(dialog, "button", "a2ui-modal-close");
  const content = part(dialog, "div", "a2ui-modal-content");
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  setText(close, "✕");
  syncChildren(entry, pass.renderNodes([node.children[0]]));
  syncChildren(content, pass.renderNodes([node.children[1]]));
  entry.onclick = () => {
    if (!dialog.open) dialog.showModal();
  };
  close.onclick = () => dialog.close();
  // A click on the dialog element itself (not its content) is a click on the backdrop.
  dialog.onclick = (e) => {
    if (e.target === dialog) dialog.close();
  };
  return el;
};

/** The renderers of this file, by component type. */
export const DISPLAY_RENDERERS: Record<string, Renderer> = {
  Text: renderText,
  Image: renderImage,
  Icon: renderIcon,
  Video: renderVideo,
  AudioPlayer: renderAudio,
  Row: flexRenderer(() => "a2ui-row"),
  Column: flexRenderer(() => "a2ui-column"),
  List: flexRenderer((p) => `a2ui-list a2ui-list-${oneOf(p.direction, ["vertical", "horizontal"], "vertical")}`),
  Card: renderCard,
  Tabs: renderTabs,
  Divider: renderDivider,
  Modal: renderModal,
};
