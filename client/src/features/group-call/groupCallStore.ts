// The room's group call as this tab sees it: whether one is on and who is in it, starting, joining,
// inviting, answering an invitation and leaving. The media is callMedia's, the same as a 1:1 call's.
import { defineStore } from "pinia";
import { computed, nextTick, ref, watch } from "vue";
import type { GroupCall, GroupSignal, GroupState, RoomState, UserRef } from "@videochat/protocol";
import { askNotificationPermission } from "../../ui/attention";
import { listen } from "../session/listen";
import { markCallPlace } from "../session/tabStorage";
import { usePresenceStore } from "../session/presenceStore";
import { request } from "../session/socket";
import { groupRoles } from "../../webrtc/mesh";
import { useCallStore } from "../call/callStore";
import { usePrivateChatStore } from "../private/privateChatStore";
import { useCallMediaStore } from "../call/callMediaStore";
import { createInvitation } from "./groupInvitation";
import { useRoomStore } from "../room/roomStore";
import { useSessionStore } from "../session/sessionStore";
import { fromWire, groupTransport } from "../call/transport";
import { t } from "../../i18n";
import { errorText } from "../../i18n/errors";

export type GroupStatus = "idle" | "starting" | "joining" | "in-call";

export const useGroupCallStore = defineStore("groupCall", () => {
  const room = useRoomStore();
  const media = useCallMediaStore();
  const privateCall = useCallStore();
  const presence = usePresenceStore();
  /** The room's group call as last told (highest version), or null. */
  const call = ref<GroupCall | null>(null);
  const status = ref<GroupStatus>("idle");
  const { invitation, show, dismiss: dismissInvitation, take } = createInvitation();
  /** Why the last action failed, or what came of an invitation. */
  const notice = ref<string | null>(null);
  /** Calls that ended: a late state of one must not bring it back. */
  const ended = new Set<string>();
  /** Whom "Inviting Carol…" is about: the line goes once Carol is in the call. */
  let invited: string | null = null;

  const self = () => useSessionStore().user;
  const participants = computed(() => call.value?.participants ?? []);
  const inCall = computed(() => status.value === "in-call");
  // A reload of this tab then keeps the place from its first moment (tabStorage.markCallPlace).
  watch(inCall, (held) => {
    markCallPlace("group", held);
    presence.holdActive("group", held); // nobody in a call shows as away
  });
  const busy = computed(() => status.value !== "idle" || privateCall.live);
  const canStart = computed(() => !call.value && !busy.value);
  /** Why "Join group call" is unavailable while a call is on and this tab is not in it; null when it is available. */
  const joinBlocked = computed((): string | null => {
    if (!call.value || inCall.value) return null;
    if (participants.value.some((p) => p.id === self()?.id)) return t("group.otherTab");
    if (privateCall.live) return t("group.hangUpFirst");
    if (busy.value) return null; // starting or joining: the button waits
    if (participants.value.length >= call.value.max) return t("group.full", { max: call.value.max });
    return null;
  });
  const canJoin = computed(() => Boolean(call.value) && !busy.value && joinBlocked.value === null);

  /** Newest version wins; null ends the call for good. */
  function adopt(next: GroupCall | null): void {
    if (!next) {
      if (call.value) ended.add(call.value.id);
      call.value = null;
    } else if (ended.has(next.id)) {
      return;
    } else if (call.value?.id !== next.id || next.version > call.value.version) {
      if (call.value && call.value.id !== next.id) ended.add(call.value.id);
      call.value = next;
    }
    if (invitation.value && invitation.value.call.id !== call.value?.id) dismissInvitation();
    if (invited && call.value?.participants.some((p) => p.id === invited)) {
      invited = null;
      notice.value = null;
    }
    follow();
  }

  /**
   * In the call: connect to newcomers, drop leavers. Taken out: stop; where the call goes on without
   * us (the server ended our place after our connection was lost past its grace), say so, or the
   * stage would just vanish.
   */
  function follow(): void {
    if (status.value !== "in-call") return;
    const current = call.value;
    const me = self()?.id;
    if (!current || current.id !== media.callId) return finish(null);
    if (!current.participants.some((p) => p.id === me)) return finish(t("group.droppedOut"));
    // No media states from here: a newcomer's are the defaults, and a state broadcast from another
    // instance may arrive after a newer call:media.
    media.setParticipants(current.participants);
  }

  async function start(): Promise<void> {
    if (!canStart.value) return;
    askNotificationPermission();
    status.value = "starting";
    notice.value = null;
    const ack = await request("group:start", {});
    if (status.value !== "starting") return;
    if (ack.ok) return enter(ack.call);
    status.value = "idle";
    // already_in_chat names the chat to close.
    notice.value = errorText(ack.error, {
      event: "group:start",
      name: usePrivateChatStore().chat?.with.name,
    });
  }

  async function join(callId = call.value?.id): Promise<void> {
    if (!callId || busy.value) return;
    status.value = "joining";
    notice.value = null;
    dismissInvitation();
    const ack = await request("group:join", { callId });
    if (status.value !== "joining") return;
    if (ack.ok) return enter(ack.call);
    status.value = "idle";
    notice.value = errorText(ack.error, {
      event: "group:join",
      max: call.value?.max,
      name: usePrivateChatStore().chat?.with.name,
    });
  }

  /** The held call between call:held and its resumption, whose signals the media keeps meanwhile. */
  let resuming: string | null = null;

  /** `resumed`: this page was reloaded mid-call and takes its place back by itself (call:held). */
  function enter(joined: GroupCall, resumed = false): void {
    const me = self();
    if (!me) return;
    status.value = "in-call";
    // The media first: it takes the call's id at once, which adopt() checks the call against.
    void media.start({
      callId: joined.id,
      kind: "group",
      self: me,
      transport: groupTransport(joined.id),
      roles: groupRoles(me.id),
      participants: joined.participants,
      media: joined.media,
      current: () => status.value === "in-call" && call.value?.id === joined.id,
      resumed,
    });
    adopt(joined);
  }

  /** "Leave call": this tab stops at once; the others' stages update when the server says so. */
  function leave(): void {
    if (status.value === "idle") return;
    finish(null);
    void request("group:leave", {});
  }

  function finish(message: string | null): void {
    if (media.kind === "group") media.stop();
    status.value = "idle";
    notice.value = message;
  }

  /** "Invite Ben to the call": the server rings Ben, or says why not (partner_busy words it). */
  async function invite(member: UserRef): Promise<void> {
    const ack = await request("group:invite", { with: member.id });
    invited = ack.ok ? member.id : null;
    notice.value = ack.ok
      ? t("group.inviting", { name: member.name })
      : errorText(ack.error, { event: "group:invite", name: member.name });
  }

  function onInvited(payload: { call: GroupCall; from: UserRef }): void {
    if (busy.value) return;
    adopt(payload.call);
    show(payload);
  }

  /** The invitation's "Join". */
  function accept(): Promise<void> {
    return join(take());
  }

  function decline(): void {
    const callId = take();
    if (callId) void request("group:decline", { callId });
  }

  /** To the inviter: the invitee declined or let it ring out. To the invitee's tabs: the prompt is over. */
  function onDeclined(payload: { callId: string; by: UserRef; reason: "declined" | "missed" }): void {
    if (payload.by.id === self()?.id) {
      if (invitation.value?.call.id === payload.callId) dismissInvitation();
      return;
    }
    if (payload.callId !== call.value?.id) return;
    const { name } = payload.by;
    invited = null;
    notice.value = t(payload.reason === "declined" ? "group.declinedInvitation" : "group.didNotAnswer", {
      name,
    });
  }

  function onSignal(signal: GroupSignal): void {
    if (status.value === "in-call" || signal.callId === resuming)
      media.receive(signal.callId, signal.peer, fromWire(signal));
  }

  /** This page was reloaded mid-call and still holds its place (call:held, after the room state). */
  async function onHeld(payload: { callId: string; kind: "private" | "group" }): Promise<void> {
    // The others' first offers can come in the same batch of packets: the media keeps them meanwhile.
    if (payload.kind === "group" && payload.callId === call.value?.id) resuming = payload.callId;
    await nextTick(); // after the room state's own handling
    resuming = null;
    const current = call.value;
    if (payload.kind !== "group" || current?.id !== payload.callId || status.value !== "idle") return;
    enter(current, true);
  }

  function onGroupState(payload: GroupState): void {
    if (payload.room !== room.current) return;
    // Someone's grace ran out: "Ben left the call" / "Ben's connection was lost", for those in the call.
    const { departed } = payload;
    if (departed && inCall.value && departed.user.id !== self()?.id)
      notice.value = t(departed.reason === "left" ? "call.partnerLeft" : "call.partnerLost", {
        name: departed.user.name,
      });
    // Instances relay in their own order: the end of an older call can arrive after a newer one began.
    if (!payload.call && payload.endedCallId) {
      ended.add(payload.endedCallId);
      if (call.value && call.value.id !== payload.endedCallId) return;
    }
    adopt(payload.call);
  }

  /** A new room has its own call (or none); the server took us out of the old one. */
  function onRoomState(state: RoomState): void {
    // Left behind, not ended: the old room's call goes on, and coming back shows it again.
    if (call.value && call.value.room !== state.room) call.value = null;
    adopt(state.groupCall ?? null);
    // Back after an outage: call:media sent meanwhile was lost, and the snapshot has what the server kept.
    const fresh = state.groupCall;
    if (inCall.value && fresh?.id === media.callId) media.tellMedia(fresh.media ?? {});
  }

  function reset(): void {
    finish(null);
    dismissInvitation();
    call.value = null;
    notice.value = null;
  }

  // A private call and a group call never share the media: a private one starting ends this one.
  watch(
    () => privateCall.live,
    (live) => live && status.value !== "idle" && finish(null),
  );

  // No leave on pagehide: a reload fires it too and keeps the place (the server takes a closed page
  // out within seconds, a lost connection after the grace).
  listen(
    {
      "group:state": onGroupState,
      "group:invited": onInvited,
      "group:declined": onDeclined,
      "group:signal": onSignal,
      "room:state": onRoomState,
      "call:held": (payload) => void onHeld(payload),
    },
    reset,
  );

  useSessionStore().onSessionEvent("reset", reset);

  return {
    call,
    status,
    invitation,
    notice,
    participants,
    inCall,
    canStart,
    canJoin,
    joinBlocked,
    start,
    join,
    leave,
    invite,
    accept,
    decline,
    reset,
  };
});
