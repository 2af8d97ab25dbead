// The Store: all shared state (sessions, names, room membership, presence, room history, private
// chats, group calls) behind intention-revealing methods. Each feature declares its part of the
// contract in state/<feature>/contract.ts, beside its memory and Redis implementations; the Store is
// all of them (see docs/architecture-store.md). The memory and Redis Stores pass one contract suite.
import { connectionsMethods, type ConnectionsStore } from "./connections/contract.js";
import { filesMethods, type FilesStore } from "./files/contract.js";
import { groupMethods, type GroupCallStore } from "./group/contract.js";
import { methodsOf } from "./methods.js";
import { privateMethods, type PrivateChatsStore } from "./private/contract.js";
import { reachMethods, type ReachStore } from "./reach/contract.js";
import { relaysMethods, type RelaysStore } from "./relays/contract.js";
import { roomsMethods, type RoomsStore } from "./rooms/contract.js";
import { sessionsMethods, type SessionsStore } from "./sessions/contract.js";

export * from "./types.js";
export * from "./sessions/contract.js";
export * from "./connections/contract.js";
export * from "./rooms/contract.js";
export * from "./private/contract.js";
export * from "./group/contract.js";
export * from "./reach/contract.js";
export * from "./files/contract.js";
export * from "./relays/contract.js";

/** What every backend answers besides the features: its health and its end. */
export interface ServiceStore {
  /** True when the backing service answers. */
  ping(): Promise<boolean>;

  close(): Promise<void>;
}

/** The Store's features by name, each the contract one memory part and one Redis part implement. */
export interface StoreFeatures {
  sessions: SessionsStore;
  connections: ConnectionsStore;
  rooms: RoomsStore;
  private: PrivateChatsStore;
  group: GroupCallStore;
  reach: ReachStore;
  files: FilesStore;
  relays: RelaysStore;
  service: ServiceStore;
}

/** Every feature's methods, by feature: what composeStore binds onto the Store. */
export const storeMethods: { readonly [F in keyof StoreFeatures]: readonly (keyof StoreFeatures[F])[] } = {
  sessions: sessionsMethods,
  connections: connectionsMethods,
  rooms: roomsMethods,
  private: privateMethods,
  group: groupMethods,
  reach: reachMethods,
  files: filesMethods,
  relays: relaysMethods,
  service: methodsOf<ServiceStore>()(["ping", "close"]),
};

/** Method names that two features both declare; `never` (checked below) keeps them apart. */
type SharedNames = {
  [F in keyof StoreFeatures]: {
    [G in Exclude<keyof StoreFeatures, F>]: keyof StoreFeatures[F] & keyof StoreFeatures[G];
  }[Exclude<keyof StoreFeatures, F>];
}[keyof StoreFeatures];
/** Fails to compile, naming the method, when two features declare the same one. */
export const featuresAreDisjoint: [SharedNames] extends [never] ? true : { sharedNames: SharedNames } = true;

export interface Store
  extends
    SessionsStore,
    ConnectionsStore,
    RoomsStore,
    PrivateChatsStore,
    GroupCallStore,
    ReachStore,
    FilesStore,
    RelaysStore,
    ServiceStore {
  readonly kind: "memory" | "redis";
}
