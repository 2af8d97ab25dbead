// Raised hands and reactions in the call this tab is in, 1:1 or group. A hand is kept by the server with
// the call (so another instance, another tab and a reload see it): a group call's come in its state, a
// 1:1 call's in `call:hands` (and with the call a reloaded page finds). A reaction is a moment: it
// floats over the sender's tile for everyone for a few seconds, and is never kept.
import { defineStore } from "pinia";
import { computed, onScopeDispose, ref } from "vue";
import type { CallInfo, CallReaction, UserRef } from "@videochat/protocol";
import { listen } from "../session/listen";
import { request } from "../session/socket";
import { useSessionStore } from "../session/sessionStore";
import { useGroupCallStore } from "../group-call/groupCallStore";
import { useCallMediaStore } from "./callMediaStore";
import { useCallStore } from "./callStore";

/** How long a reaction floats over its tile, ms (the animation in ReactionBurst takes as long). */
export const REACTION_MS = 4000;
/** Reactions floating over one tile at once, at most: a burst of clicks does not bury the face. */
const PER_TILE = 5;

/** One reaction on screen: whose tile it floats over. */
export interface FloatingReaction {
  key: number;
  user: UserRef;
  reaction: CallReaction;
}

export const useGesturesStore = defineStore("gestures", () => {
  const group = useGroupCallStore();
  const privateCall = useCallStore();
  const media = useCallMediaStore();
  const session = useSessionStore();
  const floating = ref<FloatingReaction[]>([]);
  /** Our own hand as just asked, until the server's answer (the call's new state) is in. */
  const asked = ref<boolean | null>(null);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let nextKey = 1;

  /** The 1:1 call's hands as the server last said (call:hands, or the call a page load found). */
  const privateHands = ref<{ callId: string; hands: Record<string, number> } | null>(null);
  /** A 1:1 call both sides are in (not while it rings). */
  const inPrivateCall = computed(
    () => privateCall.status === "connected" || privateCall.status === "reconnecting",
  );
  const hands = computed(() => {
    if (group.inCall) return group.call?.hands ?? {};
    const known = privateHands.value;
    return inPrivateCall.value && known && known.callId === media.callId ? known.hands : {};
  });
  /** Whose hands are up, the first raised first. */
  const raisedHands = computed(() =>
    Object.entries(hands.value)
      .sort(([, a], [, b]) => a - b)
      .map(([id]) => id),
  );
  const handRaised = computed(() => asked.value ?? Boolean(session.user && session.user.id in hands.value));
  /** In a group call, or in a 1:1 call that has connected. */
  const canRaiseHand = computed(
    () => (group.inCall && Boolean(group.call)) || (inPrivateCall.value && Boolean(media.callId)),
  );

  function isRaised(userId: string): boolean {
    if (userId === session.user?.id && asked.value !== null) return asked.value;
    return userId in hands.value;
  }

  /** "Raise hand" / "Lower hand". */
  async function toggleHand(): Promise<void> {
    const callId = group.inCall ? group.call?.id : media.callId;
    if (!callId || !canRaiseHand.value) return;
    const raised = !handRaised.value;
    asked.value = raised;
    await request(group.inCall ? "group:hand" : "call:hand", { callId, raised });
    asked.value = null;
  }

  function show(user: UserRef, reaction: CallReaction): void {
    const key = nextKey++;
    const mine = floating.value.filter((f) => f.user.id === user.id);
    const dropped = mine.length >= PER_TILE ? mine[0] : undefined;
    floating.value = [...floating.value.filter((f) => f !== dropped), { key, user, reaction }];
    const timer = setTimeout(() => {
      timers.delete(timer);
      floating.value = floating.value.filter((f) => f.key !== key);
    }, REACTION_MS);
    timers.add(timer);
  }

  /** Sends a reaction to everyone else in the call, and shows it over our own tile at once. */
  async function react(reaction: CallReaction): Promise<void> {
    const callId = media.callId;
    const me = session.user;
    if (!callId || !me) return;
    show(me, reaction);
    await request("call:reaction", { callId, reaction });
  }

  /** The reactions floating over `userId`'s tile now. */
  function floatingOver(userId: string): FloatingReaction[] {
    return floating.value.filter((f) => f.user.id === userId);
  }

  function clear(): void {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    floating.value = [];
    asked.value = null;
    privateHands.value = null;
  }

  listen({
    "call:reaction": ({ callId, user, reaction }) => {
      if (callId === media.callId) show(user, reaction);
    },
    "call:hands": (changed) => {
      if (changed.callId === media.callId) privateHands.value = changed;
    },
    // A page load (a reload mid-call) finds the call with the hands up in it.
    "private:opened": ({ call }: { call?: CallInfo }) => {
      privateHands.value = call ? { callId: call.id, hands: call.hands ?? {} } : null;
    },
  });
  onScopeDispose(clear);

  return {
    raisedHands,
    handRaised,
    canRaiseHand,
    isRaised,
    toggleHand,
    react,
    floatingOver,
    clear,
  };
});
