/**
 * The A2UI v0.8 vocabulary shared by validation, processing and rendering, free of the DOM: the message and
 * surface-state types, the limits against hostile input, and the path segments no data model may use.
 * `processor.ts` re-exports the types, {@link A2UI_LIMITS} and {@link A2UI_MESSAGE_KINDS}, so importers outside
 * this folder need only it.
 */

/** A value in a surface's data model. */
export type DataValue = string | number | boolean | null | DataValue[] | DataObject;
/** A map in a surface's data model. */
export interface DataObject {
  [key: string]: DataValue;
}

/** A value that is a literal, a data-model path, or both (the literal then initialises the path). */
export interface BoundValue {
  path?: string;
  literalString?: string;
  literalNumber?: number;
  literalBoolean?: boolean;
  literalArray?: DataValue[];
}

/** A container's children: fixed ids, or one component repeated per item of a data-model array or map. */
export type Children = { explicitList: string[] } | { template: { componentId: string; dataBinding: string } };

/** One component of a surface: `component` has exactly one key, the type, whose value holds the props. */
export interface ComponentEntry {
  id: string;
  weight?: number;
  component: Record<string, Record<string, unknown>>;
}

/** Surface-wide styles from beginRendering. */
export interface SurfaceStyles {
  font?: string;
  primaryColor?: string;
}

/** One entry of a dataModelUpdate: a key and exactly one value. */
export interface DataEntry {
  key: string;
  valueString?: string;
  valueNumber?: number;
  valueBoolean?: boolean;
  valueMap?: DataEntry[];
}

/** A Button's action. */
export interface Action {
  name: string;
  context?: { key: string; value: BoundValue }[];
}

/** A server→client A2UI message: exactly one of the four kinds. */
export type A2uiMessage =
  | { beginRendering: { surfaceId: string; root: string; catalogId?: string; styles?: SurfaceStyles } }
  | { surfaceUpdate: { surfaceId: string; components: ComponentEntry[] } }
  | { dataModelUpdate: { surfaceId: string; path?: string; contents: DataEntry[] } }
  | { deleteSurface: { surfaceId: string } };

/** One surface: `root` is unset until beginRendering, and nothing renders before it. */
export interface Surface {
  id: string;
  root?: string;
  catalogId?: string;
  styles: SurfaceStyles;
  components: Map<string, ComponentEntry>;
  data: DataObject;
}

/** Every surface, in creation order. */
export interface A2uiState {
  surfaces: Map<string, Surface>;
}

/** What a clicked Button sends to the agent through the native bridge. */
export interface UserAction {
  id: string;
  name: string;
  surfaceId: string;
  sourceComponentId: string;
  timestamp: string;
  context?: Record<string, DataValue>;
}

/** Limits against hostile input. */
export const A2UI_LIMITS = {
  componentsPerSurface: 1000,
  surfaces: 100,
  templateItems: 1000,
  renderDepth: 64,
  dataDepth: 32,
  // Template items times nesting could still multiply into millions of instances; stop well before that.
  renderedInstances: 10_000,
} as const;

/** The four message kinds. */
export const A2UI_MESSAGE_KINDS = ["beginRendering", "surfaceUpdate", "dataModelUpdate", "deleteSurface"] as const;

/** Path segments and data keys that validation refuses and writes skip, so a data model cannot reach a prototype. */
export const UNSAFE_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor"]);

/** True for a plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
