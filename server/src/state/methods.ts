// The runtime list of a contract's method names, which composeStore binds (types are gone at run
// time). The compiler checks the list against the contract, so it cannot fall behind it.

/** Names missing from `L`, as a type error that names them; `unknown` when `L` is complete. */
type Complete<C, L extends readonly PropertyKey[]> = [Exclude<keyof C, L[number]>] extends [never]
  ? unknown
  : { missing: Exclude<keyof C, L[number]> };

/**
 * `methodsOf<Contract>()([...names])`: the names, checked to be exactly the contract's methods (an
 * unknown name or a missing one fails to compile).
 */
export const methodsOf =
  <C>() =>
  <const L extends readonly (keyof C & string)[]>(names: L & Complete<C, L>): L =>
    names;

/** A contract as a memory part implements it: each method answers at once instead of by a promise. */
export type Immediate<C> = {
  [K in keyof C]: C[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : C[K];
};
