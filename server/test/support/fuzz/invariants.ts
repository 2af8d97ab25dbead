// The invariants a fuzz run must leave behind once it settles: what the Store holds, what each live
// socket is subscribed to and what each connected tab shows agree, and nothing outlives its deadline.
import { roomChannel, userChannel } from "../../../src/realtime/channels.js";
import { groupCallProblems } from "./group.js";
import type { StoreSnapshot } from "./snapshot.js";
import type { World } from "./world.js";

/** Every connected server socket on a live instance, with the Store's id of its connection. */
function serverSockets(world: World) {
  return world.live().flatMap(({ instance, slot }) =>
    [...instance.io.of("/").sockets.values()].map((socket) => ({
      socket,
      where: slot.id,
      connection: `${instance.instanceKey}/${socket.id}`,
    })),
  );
}

type ServerSocket = ReturnType<typeof serverSockets>[number];

/**
 * Problems with the state after a run, read at one instant (`snap`) and compared with the live
 * sockets and the tabs. Empty once the system has settled; the caller polls until then.
 */
export function settledProblems(world: World, snap: StoreSnapshot, ringTimeoutMs: number): string[] {
  const sockets = serverSockets(world);
  const live = new Set(sockets.map((entry) => entry.connection));
  return [
    ...sockets.flatMap((entry) => socketProblems(entry, snap)),
    ...[...snap.sessions.keys()].flatMap((id) => sessionProblems(id, snap, live)),
    ...storeProblems(
      snap,
      ringTimeoutMs,
      world.live().map(({ instance }) => instance.instanceKey),
    ),
    ...tabProblems(world, snap, sockets),
    ...groupCallProblems(snap, ringTimeoutMs),
  ];
}

/** No socket without a session; its Socket.IO rooms are exactly its user channel and its Store room. */
function socketProblems({ socket, where, connection }: ServerSocket, snap: StoreSnapshot): string[] {
  const id = socket.data.userId;
  const session = snap.sessions.get(id);
  const problems: string[] = [];
  if (!socket.data.session) problems.push(`socket ${socket.id} of ${id} on ${where} never entered`);
  if (!session) return [...problems, `socket ${socket.id} on ${where} has no session (user ${id})`];
  if (!snap.conns.get(id)?.has(connection))
    problems.push(`socket ${socket.id} of ${session.name} on ${where} is not attached in the Store`);
  const rooms = [...socket.rooms].filter((room) => room.startsWith(roomChannel(""))).sort();
  if (rooms.join() !== roomChannel(session.room!) || !socket.rooms.has(userChannel(id)))
    problems.push(
      `socket of ${session.name} on ${where} follows ${[...socket.rooms].join()}, Store: ${session.room}`,
    );
  return problems;
}

/** No session without a live connection (no ghost); each agrees with its name, status, room and chat. */
function sessionProblems(id: string, snap: StoreSnapshot, live: Set<string>): string[] {
  const session = snap.sessions.get(id)!;
  const conns = snap.conns.get(id) ?? new Set<string>();
  const name = session.name;
  const problems: string[] = [];
  if (conns.size === 0) problems.push(`ghost: ${name} has a session but no connection`);
  for (const conn of conns) if (!live.has(conn)) problems.push(`ghost connection of ${name}: ${conn}`);
  for (const conn of snap.idle.get(id) ?? [])
    if (!conns.has(conn)) problems.push(`${name} is idle on a connection it does not have: ${conn}`);
  if (snap.grace.has(id) && conns.size > 0) problems.push(`${name} is connected but in its grace period`);
  if (session.entered !== "1") problems.push(`${name} never entered`);
  if (snap.names.get(session.nameKey!) !== id) problems.push(`${name} does not hold its name`);
  const allIdle = conns.size > 0 && [...conns].every((conn) => snap.idle.get(id)?.has(conn));
  const status = session.chosen !== "online" ? session.chosen : allIdle ? "absent" : "online";
  if (session.status !== status) problems.push(`${name} shows ${session.status}, should show ${status}`);
  const member = snap.members.get(session.room!)?.get(id);
  if (!member) problems.push(`${name} is not a member of ${session.room}`);
  else if (
    member.name !== name ||
    member.status !== session.status ||
    member.busy !== !!(session.chatId || session.groupCallId) ||
    !!member.inCall !== !!session.groupCallId
  )
    problems.push(`${name}'s member entry ${JSON.stringify(member)} disagrees with the session`);
  if (session.chatId && session.groupCallId) problems.push(`${name} is in a private chat and a group call`);
  if (!session.chatId) return problems;
  const chat = snap.chats.get(session.chatId);
  const partner = chat && snap.sessions.get(chat.aId === id ? chat.bId! : chat.aId!);
  if (!chat || (chat.aId !== id && chat.bId !== id)) problems.push(`${name} is in a chat that is gone`);
  else if (partner?.chatId !== session.chatId)
    problems.push(`${name} is in a chat whose partner is not: ${JSON.stringify(chat)}`);
  else if (partner.room !== session.room) problems.push(`${name} chats with ${partner.name} across rooms`);
  return problems;
}

/**
 * Members are sessions of that room (so nobody is in two rooms); a chat is held by both partners and
 * rings no longer than its deadline; names belong to live sessions (a token names its session); the registry holds the
 * live runs only, and each run's session set is the sessions it serves.
 */
function storeProblems(snap: StoreSnapshot, ringTimeoutMs: number, liveKeys: string[]): string[] {
  const problems: string[] = [];
  const nameOf = (id: string) => snap.sessions.get(id)?.name ?? id;
  for (const [room, members] of snap.members)
    for (const id of members.keys())
      if (snap.sessions.get(id)?.room !== room) problems.push(`ghost member ${nameOf(id)} in ${room}`);
  for (const [room, ids] of snap.budgets)
    for (const id of ids)
      if (!snap.members.get(room)?.has(id)) problems.push(`message budget of ${nameOf(id)} left in ${room}`);
  for (const [chatId, chat] of snap.chats) {
    for (const side of [chat.aId!, chat.bId!])
      if (snap.sessions.get(side)?.chatId !== chatId)
        problems.push(`chat ${chatId} of ${chat.aName} and ${chat.bName} is not held by ${nameOf(side)}`);
    const due = snap.rings.get(chatId);
    if (chat.callState === "ringing" && (due === undefined || due < snap.at - ringTimeoutMs))
      problems.push(`call ${chat.callId} still rings past its deadline (${due})`);
  }
  for (const [key, holder] of snap.names)
    if (snap.sessions.get(holder)?.nameKey !== key) problems.push(`name ${key} held by no session`);
  for (const key of snap.instances.keys())
    if (!liveKeys.includes(key)) problems.push(`dead instance run ${key} still registered`);
  for (const key of liveKeys) if (!snap.instances.has(key)) problems.push(`live run ${key} not registered`);
  for (const [key, ids] of snap.served)
    for (const id of ids)
      if (![...(snap.conns.get(id) ?? [])].some((conn) => conn.startsWith(`${key}/`)))
        problems.push(`${key} serves ${nameOf(id)} without a connection of it`);
  return problems;
}

/** Each connected tab has its socket on a live instance and shows its room's members as the Store has them. */
function tabProblems(world: World, snap: StoreSnapshot, sockets: ServerSocket[]): string[] {
  const ids = new Set(sockets.map((entry) => entry.socket.id));
  const show = (members: Iterable<{ name: string; status: string; busy: boolean }>) =>
    [...members]
      .map((m) => `${m.name}:${m.status}${m.busy ? ":busy" : ""}`)
      .sort()
      .join(", ");
  return world.tabs.flatMap((tab) => {
    if (!tab.connected) return [];
    if (!ids.has(tab.socket!.id!)) return [`${tab.label} is connected but no live instance has its socket`];
    const session = snap.sessions.get(tab.user.id);
    if (!session) return []; // reported from the server socket
    const shown = tab.list ? `${tab.list.room} [${show(tab.list.members.values())}]` : "nothing";
    const stored = `${session.room} [${show(snap.members.get(session.room!)?.values() ?? [])}]`;
    return shown === stored ? [] : [`${tab.label} shows ${shown}; the Store has ${stored}`];
  });
}
