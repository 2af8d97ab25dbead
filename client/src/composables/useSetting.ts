// A setting remembered in localStorage, so it holds for every tab and visit. Storage may be refused
// (private modes, sandboxed frames) or hold a spoilt value: the setting then starts from `initial`
// and lasts for this page load.
import { type Serializer, useLocalStorage } from "@vueuse/core";
import type { Ref } from "vue";

/** A ref read from `key` once and written back (synchronously) whenever it is set. */
export function useSetting<T>(key: string, initial: T, serializer: Serializer<T>): Ref<T> {
  return useLocalStorage(key, initial, {
    serializer,
    flush: "sync",
    writeDefaults: false,
    // A setting changed in another tab applies there from its next visit, as a page load reads it once.
    listenToStorageChanges: false,
    onError: () => {},
  }) as Ref<T>;
}
