// The 1:1 video call of the private chat as a state machine: ringing out or in, answering,
// connecting, connected, reconnecting, ended. The media (callMedia) is the two-person case of a mesh.
import { defineStore } from "pinia";
import { computed, nextTick, ref, watch } from "vue";
import type {
  CallEndReason,
  CallInfo,
  CallParticipantPresence,
  CallSignal,
  UserRef,
} from "@videochat/protocol";
import { askNotificationPermission, notify } from "../../ui/attention";
import { callDuration, callStatusText, endedNotice } from "./callText";
import { request } from "../session/socket";
import type { PeerState } from "../../webrtc/peer";
import { insecurePage } from "../../webrtc/media";
import { callRoles } from "../../webrtc/mesh";
import { useCallMediaStore } from "./callMediaStore";
import { usePrivateChatStore } from "../private/privateChatStore";
import { useSessionStore } from "../session/sessionStore";
import { fromWire, privateTransport } from "./transport";
import { listen } from "../session/listen";
import { markCallPlace } from "../session/tabStorage";
import { usePresenceStore } from "../session/presenceStore";
import { t } from "../../i18n";
import { errorText } from "../../i18n/errors";

export type CallStatus =
  "idle" | "ringing-out" | "ringing-in" | "connecting" | "connected" | "reconnecting" | "ended";

export const useCallStore = defineStore("call", () => {
  const privateChat = usePrivateChatStore();
  const presence = usePresenceStore();
  const media = useCallMediaStore();
  const status = ref<CallStatus>("idle");
  const callId = ref<string | null>(null);
  const incoming = ref<{ call: CallInfo; from: UserRef } | null>(null);
  /** How the last call ended, or why it could not start. */
  const notice = ref<string | null>(null);
  /** Why this page will get no camera or microphone whatever the user does (plain HTTP), or null. */
  const pageNotice = insecurePage() ? t("call.insecurePage") : null;
  const connectedAt = ref<number | null>(null);
  const now = ref(Date.now());
  let caller = false;
  let accepted = false;
  /** The chat's call as a page load found it (private:opened): a reload resumes it on call:held. */
  let found: CallInfo | null = null;
  /** The held call between call:held and its resumption, whose signals the media keeps meanwhile. */
  let resuming: string | null = null;
  /** The partner's page is away (a reload, a lost connection): "Ben is reconnecting…". */
  const partnerAway = ref(false);
  let ticker: ReturnType<typeof setInterval> | undefined;

  const live = computed(() => status.value !== "idle" && status.value !== "ended");
  // A reload of this tab then keeps the call from its first moment (tabStorage.markCallPlace).
  watch(live, (held) => {
    markCallPlace("private", held);
    presence.holdActive("private", held); // nobody in a call shows as away
  });
  const canStart = computed(() => privateChat.canWrite && !live.value);
  /** The word the UI shows: ringing, connecting, connected, reconnecting or ended. */
  const phase = computed(() => (status.value.startsWith("ringing") ? "ringing" : status.value));
  const duration = computed(() =>
    connectedAt.value === null ? null : callDuration(now.value - connectedAt.value),
  );
  const partnerName = () => incoming.value?.from.name ?? privateChat.chat?.with.name ?? t("call.yourPartner");
  /** "Ringing Ben…", "Connecting to Ben…", "Connected", "Call ended": what the call's status line says. */
  const statusText = computed(() =>
    partnerAway.value
      ? t("call.reconnectingName", { name: partnerName() })
      : callStatusText(status.value, partnerName()),
  );

  async function invite(): Promise<void> {
    if (!canStart.value) return;
    askNotificationPermission(); // a click: the one moment a browser lets us ask
    status.value = "ringing-out";
    notice.value = null;
    caller = true;
    const ack = await request("call:invite", {});
    if (!ack.ok) {
      status.value = "idle";
      notice.value = errorText(ack.error, { event: "call:invite", name: partnerName() });
    } else if (status.value !== "ringing-out" || callId.value) {
      // Hung up (or the chat closed) before the server answered: end the call it has just created.
      void request("call:end", { callId: ack.call.id });
    } else {
      callId.value = ack.call.id;
    }
  }

  function onIncoming(payload: { call: CallInfo; from: UserRef }): void {
    if (live.value) return; // one call per chat; the server never rings a busy one
    incoming.value = payload;
    callId.value = payload.call.id;
    status.value = "ringing-in";
    notice.value = null;
    caller = false;
    if (document.hidden)
      notify(t("call.incomingFrom", { name: payload.from.name }), t("call.openToAnswer"), "call");
  }

  async function answer(accept: boolean): Promise<void> {
    const id = callId.value;
    if (!id || status.value !== "ringing-in") return;
    accepted = accept;
    if (accept) {
      status.value = "connecting";
      incoming.value = null;
    } else {
      finish(t("call.declined"));
    }
    const ack = await request("call:answer", { callId: id, accept });
    if (!ack.ok && callId.value === id) finish(ack.error.message);
    else if (ack.ok && accept) begin(id);
  }

  function onAnswered(payload: { callId: string; accept: boolean }): void {
    if (payload.callId !== callId.value || !payload.accept) return;
    if (caller || accepted) return begin(payload.callId);
    // Another tab of ours picked up: this one stops ringing.
    finish(null);
    status.value = "idle";
  }

  /** Both sides start media once the call is accepted; the callee, who accepted, is the polite peer. */
  function begin(id: string, resumed = false): void {
    const partner = privateChat.chat?.with;
    const self = useSessionStore().user;
    if (!partner || !self) return;
    if (status.value === "ringing-out" || status.value === "ringing-in") status.value = "connecting";
    incoming.value = null;
    void media.start({
      callId: id,
      kind: "private",
      self,
      transport: privateTransport(id),
      roles: callRoles(caller),
      participants: [{ id: partner.id, name: partner.name }],
      current: () => callId.value === id,
      resumed,
      onPeerState: (_partner, state) => onPeerState(state),
    });
  }

  function onPeerState(state: PeerState): void {
    if (state === "connected") {
      connectedAt.value ??= Date.now();
      now.value = Date.now();
      ticker ??= setInterval(() => (now.value = Date.now()), 1000);
      status.value = "connected";
    } else if (state === "reconnecting") {
      // Before the first connection, a retry is still just "connecting".
      status.value = connectedAt.value === null ? "connecting" : "reconnecting";
    } else if (state === "failed") {
      hangUp(t("call.connectionFailed"));
    }
  }

  function onSignal(signal: CallSignal): void {
    const partner = privateChat.chat?.with.id;
    const ours = (signal.callId === callId.value && live.value) || signal.callId === resuming;
    if (ours && partner) media.receive(signal.callId, partner, fromWire(signal));
  }

  function onEnded(payload: { callId: string; reason: CallEndReason; by?: UserRef }): void {
    if (payload.callId !== callId.value) return;
    const role = caller ? "caller" : status.value === "ringing-in" ? "ringing" : "callee";
    finish(endedNotice(payload.reason, role, payload.by?.name ?? partnerName()));
  }

  /** The partner's page went away or came back: the call stays, "reconnecting" meanwhile. */
  function onParticipant(payload: CallParticipantPresence): void {
    if (payload.callId !== callId.value || !live.value) return;
    partnerAway.value = payload.state === "away";
    if (partnerAway.value && connectedAt.value !== null) status.value = "reconnecting";
  }

  /**
   * This page was reloaded mid-call and still holds its side (call:held, after private:opened): the
   * call comes back by itself, ringing out still or connecting again with the devices chosen before.
   */
  async function onHeld(payload: { callId: string; kind: "private" | "group" }): Promise<void> {
    // The partner's first offer can come in the same batch of packets: it waits with the media's
    // early signals rather than being dropped (the pair would then wait for each other for good).
    if (payload.kind === "private" && found?.id === payload.callId && found.state !== "ringing")
      resuming = payload.callId;
    // After the chat's own reaction to private:opened (a new chat resets the call) has run.
    await nextTick();
    resuming = null;
    if (payload.kind !== "private" || found?.id !== payload.callId || live.value) return;
    caller = found.callerId === useSessionStore().user?.id;
    callId.value = payload.callId;
    notice.value = null;
    if (found.state === "ringing") {
      if (caller) status.value = "ringing-out";
      return;
    }
    accepted = !caller;
    status.value = "connecting";
    begin(payload.callId, true);
  }

  /** Stops everything this tab holds for the call; the camera light goes off here. */
  function finish(message: string | null): void {
    if (media.kind === "private") media.stop();
    clearInterval(ticker);
    ticker = undefined;
    connectedAt.value = null;
    callId.value = null;
    incoming.value = null;
    accepted = false;
    partnerAway.value = false;
    status.value = "ended";
    notice.value = message;
  }

  /** The user hangs up (or cancels ringing); the tab stops at once, without waiting for the server. */
  function hangUp(message = t("call.ended")): void {
    if (!live.value) return;
    if (callId.value) void request("call:end", { callId: callId.value });
    finish(message);
  }

  /**
   * A page load (a reload, a second tab) finds the chat's call. The server has already ended one whose
   * holding page is gone; one held by another tab stays there; one still ringing for us rings here too.
   */
  function onPrivateOpened(payload: { chat: { with: UserRef }; call?: CallInfo }): void {
    const { call } = payload;
    found = call ?? null;
    if (!call || live.value || call.state !== "ringing") return;
    if (call.callerId !== useSessionStore().user?.id) onIncoming({ call, from: payload.chat.with });
  }

  function reset(): void {
    hangUp();
    finish(null);
    status.value = "idle";
  }

  // The call lives inside its chat: when the chat closes, so does the call; a new chat starts clean.
  watch(
    () => (privateChat.canWrite ? privateChat.chat?.id : null),
    (id) => {
      if (live.value) finish(t("call.ended"));
      if (id) reset();
    },
  );

  // No hang-up on pagehide: a reload fires it too, and a reload keeps the call (the server tells a
  // closed page from a lost connection, and ends the call after the grace with the reason).
  listen(
    {
      "call:incoming": onIncoming,
      "call:answered": onAnswered,
      "call:signal": onSignal,
      "call:ended": onEnded,
      "private:opened": onPrivateOpened,
      "call:participant": onParticipant,
      "call:held": (payload) => void onHeld(payload),
    },
    () => finish(null),
  );

  useSessionStore().onSessionEvent("reset", reset);

  return {
    status,
    phase,
    statusText,
    partnerAway,
    incoming,
    notice,
    duration,
    live,
    canStart,
    pageNotice,
    invite,
    answer,
    hangUp,
    reset,
  };
});
