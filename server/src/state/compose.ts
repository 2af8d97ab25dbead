// Builds a Store out of one part per feature: each contract method is bound from the part that
// implements it, so no backend writes a forwarding facade (see docs/architecture-store.md).
import type { Immediate } from "./methods.js";
import { storeMethods, type Store, type StoreFeatures } from "./store.js";

/** The Redis Store's parts: each implements its feature's contract as it is. */
export type AsyncParts = { [F in keyof StoreFeatures]: StoreFeatures[F] };

/**
 * The memory Store's parts: each answers at once (runs to completion without awaiting, which makes
 * it atomic like a Redis script); the Store hands the answer out as a promise.
 */
export type ImmediateParts = { [F in keyof StoreFeatures]: Immediate<StoreFeatures[F]> };

type Method = (...args: unknown[]) => unknown;

/**
 * The Store whose methods are the parts' own (bound to them). With `immediate`, each method runs
 * like an `async` function over the part's method: a throw becomes a rejection. Throws when a part
 * lacks a method or two parts bring the same one (both also fail to compile).
 */
export function composeStore(kind: "redis", parts: AsyncParts): Store;
export function composeStore(kind: "memory", parts: ImmediateParts, immediate: true): Store;
export function composeStore(
  kind: Store["kind"],
  parts: AsyncParts | ImmediateParts,
  immediate = false,
): Store {
  const store: Record<string, unknown> = { kind };
  for (const feature of Object.keys(storeMethods) as (keyof StoreFeatures)[]) {
    const part = parts[feature] as unknown as Record<string, Method>;
    for (const name of storeMethods[feature] as string[]) {
      const method = part[name];
      if (typeof method !== "function") throw new Error(`Store part ${feature} lacks ${name}`);
      if (name in store) throw new Error(`Store method ${name} comes from two parts`);
      store[name] = immediate ? async (...args: unknown[]) => method.apply(part, args) : method.bind(part);
    }
  }
  return store as unknown as Store;
}
