/**
 * The one operator scope check (protocol.md §4), shared by the frame dispatcher (`authorize`), HTTP
 * `/tools/invoke` (through `authorize`), event delivery (`mayReceive`) and the pairing methods that refuse
 * to hand out scopes the caller lacks. `operator.admin` holds every scope; a read need is met by
 * `operator.read` or `operator.write`.
 */

/** What a method or an event asks of an operator. */
export type ScopeNeed = "none" | "read" | "write" | "approvals" | "pairing" | "questions" | "admin";

/** The scope that stands for all others. */
export const ADMIN_SCOPE = "operator.admin";

const NEED_SCOPE: Readonly<Record<Exclude<ScopeNeed, "none">, string>> = {
  read: "operator.read",
  write: "operator.write",
  approvals: "operator.approvals",
  pairing: "operator.pairing",
  questions: "operator.questions",
  admin: ADMIN_SCOPE,
};

/** True when `held` grants `scope`: it is held, or `operator.admin` is. Pure. */
export function grantsScope(held: readonly string[], scope: string): boolean {
  return held.includes(ADMIN_SCOPE) || held.includes(scope);
}

/**
 * Checks `held` against `need`.
 * @returns undefined when met, else the scope to name in "missing scope: <scope>". Pure.
 * @example missingScope(["operator.write"], "read") // undefined
 * missingScope(["operator.read"], "pairing") // "operator.pairing"
 */
export function missingScope(held: readonly string[], need: ScopeNeed): string | undefined {
  if (need === "none" || held.includes(ADMIN_SCOPE)) return undefined;
  if (need === "read") return grantsScope(held, NEED_SCOPE.read) || grantsScope(held, NEED_SCOPE.write) ? undefined : NEED_SCOPE.read;
  // v4: operator.write implies operator.questions.
  if (need === "questions") return grantsScope(held, NEED_SCOPE.questions) || grantsScope(held, NEED_SCOPE.write) ? undefined : NEED_SCOPE.questions;
  return grantsScope(held, NEED_SCOPE[need]) ? undefined : NEED_SCOPE[need];
}
