/**
 * The interactive components of the A2UI v0.8 standard catalog: Button, which reports its action through the
 * render hooks, and the inputs with two-way binding (CheckBox, TextField, DateTimeInput, MultipleChoice,
 * Slider), which write the bound path of the data model and re-render the surface on every change.
 */
import { bound, oneOf, part, type Renderer, reuse, setText, syncChildren, syncValue, toStringList, toText, write } from "./_render-dom.ts";
import { A2UI_LIMITS, type Action, type BoundValue } from "./types.ts";

const renderButton: Renderer = (prev, props, node, pass) => {
  const button = reuse(prev, "button", props.primary === true ? "a2ui-button a2ui-button-primary" : "a2ui-button");
  button.type = "button";
  syncChildren(button, pass.renderNodes(node.children));
  const action = props.action as Action | undefined;
  button.onclick = action ? () => pass.hooks.onAction(pass.view.surface, node.id, action, node.context) : null;
  return button;
};

const renderCheckBox: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "label", "a2ui-checkbox");
  const input = part(el, "input", "a2ui-checkbox-input");
  const label = part(el, "span", "a2ui-label");
  input.type = "checkbox";
  setText(label, toText(bound(pass, node, props.label)));
  const checked = bound(pass, node, props.value) === true;
  if (input.checked !== checked) input.checked = checked;
  input.onchange = () => write(pass, node, props.value, input.checked);
  return el;
};

const INPUT_TYPES: Record<string, string> = { shortText: "text", number: "number", date: "date", obscured: "password" };
const patterns = new Map<string, RegExp | undefined>();

const renderTextField: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "label", "a2ui-textfield");
  setText(part(el, "span", "a2ui-label"), toText(bound(pass, node, props.label)));
  const kind = oneOf(props.textFieldType, ["shortText", "longText", "number", "date", "obscured"], "shortText");
  const tag = kind === "longText" ? "textarea" : "input";
  let control = el.querySelector<HTMLInputElement | HTMLTextAreaElement>(":scope > .a2ui-input");
  if (control?.localName !== tag) {
    control?.remove();
    control = el.appendChild(document.createElement(tag));
    control.className = "a2ui-input";
  }
  if (control instanceof HTMLInputElement && control.type !== INPUT_TYPES[kind]) control.type = INPUT_TYPES[kind];
  syncValue(control, toText(bound(pass, node, props.text)));
  const field = control;
  const pattern = toPattern(props.validationRegexp);
  const validate = () => {
    const invalid = pattern !== undefined && field.value !== "" && !pattern.test(field.value);
    el.classList.toggle("a2ui-invalid", invalid);
    field.setAttribute("aria-invalid", String(invalid));
  };
  validate();
  field.oninput = () => {
    validate();
    write(pass, node, props.text, field.value);
  };
  return el;
};

function toPattern(source: unknown): RegExp | undefined {
  if (typeof source !== "string" || source.length > 1000) return undefined;
  if (!patterns.has(source)) {
    try {
      patterns.set(source, new RegExp(`^(?:${source})$`, "u"));
    } catch {
      patterns.set(source, undefined);
    }
  }
  return patterns.get(source);
}

const renderDateTime: Renderer = (prev, props, node, pass) => {
  const date = props.enableDate !== false;
  const time = props.enableTime === true;
  const type = date && time ? "datetime-local" : time ? "time" : "date";
  const input = reuse(prev, "input", "a2ui-input a2ui-datetime");
  if (input.type !== type) input.type = type;
  syncValue(input, toInputDate(toText(bound(pass, node, props.value)), type));
  input.oninput = () => write(pass, node, props.value, input.value);
  return input;
};

// The model holds ISO-ish strings; each input type accepts only its own slice of one.
function toInputDate(value: string, type: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})?(?:[T ]?(\d{2}:\d{2}))?/.exec(value);
  const day = m?.[1];
  const clock = m?.[2];
  if (type === "date") return day ?? "";
  if (type === "time") return clock ?? "";
  return day ? `${day}T${clock ?? "00:00"}` : "";
}

const renderMultipleChoice: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "fieldset", "a2ui-choice");
  const max = typeof props.maxAllowedSelections === "number" && props.maxAllowedSelections > 0 ? props.maxAllowedSelections : Infinity;
  const selected = toStringList(bound(pass, node, props.selections));
  const options = (props.options as { label: BoundValue; value: string }[]).slice(0, A2UI_LIMITS.templateItems);
  const labels = options.map((option, i) => {
    const label = reuse(el.children[i] as HTMLElement | undefined, "label", "a2ui-choice-option");
    const input = part(label, "input", "a2ui-choice-input");
    input.type = max === 1 ? "radio" : "checkbox";
    setText(part(label, "span", "a2ui-label"), toText(bound(pass, node, option.label)));
    const checked = selected.includes(option.value);
    if (input.checked !== checked) input.checked = checked;
    input.onchange = () => {
      const rest = selected.filter((v) => v !== option.value);
      const next = max === 1 ? [option.value] : input.checked ? [...rest, option.value] : rest;
      if (next.length > max) input.checked = false;
      else write(pass, node, props.selections, next);
    };
    return label;
  });
  syncChildren(el, labels);
  return el;
};

const renderSlider: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "label", "a2ui-slider");
  const input = part(el, "input", "a2ui-slider-input");
  const output = part(el, "output", "a2ui-slider-value");
  const min = typeof props.minValue === "number" ? props.minValue : 0;
  const max = typeof props.maxValue === "number" ? props.maxValue : 100;
  input.type = "range";
  input.min = String(min);
  input.max = String(max);
  input.step = Number.isInteger(min) && Number.isInteger(max) ? "1" : "any";
  const value = Number(bound(pass, node, props.value) ?? min);
  syncValue(input, String(Number.isFinite(value) ? value : min));
  setText(output, input.value);
  input.oninput = () => {
    setText(output, input.value);
    write(pass, node, props.value, Number(input.value));
  };
  return el;
};

/** The renderers of this file, by component type. */
export const INPUT_RENDERERS: Record<string, Renderer> = {
  Button: renderButton,
  CheckBox: renderCheckBox,
  TextField: renderTextField,
  DateTimeInput: renderDateTime,
  MultipleChoice: renderMultipleChoice,
  Slider: renderSlider,
};
