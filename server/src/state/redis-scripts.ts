// The Lua scripts behind the Redis Store, one file per feature under lua/. Each multi-key change runs
// as one script, so it is atomic across instances: claiming a name, entering or leaving a room,
// pairing a private chat, reaping an expired session or a missed call, taking over a dead instance.
import {
  declineGroupInvite,
  groupCallOf,
  groupCallPeers,
  inviteToGroupCall,
  joinGroupCall,
  keepGroupCall,
  leaveGroupCall,
  setGroupCallMedia,
  startGroupCall,
  takeLostHolders,
  takeMissedInvites,
} from "./lua/group.js";
import { heartbeat, retireInstance, takeOverDeadInstances } from "./lua/instances.js";
import { prelude } from "./lua/prelude.js";
import { shaken } from "./lua/shake.js";
import {
  answerCall,
  appendPrivateMessage,
  callPartner,
  postPrivateMessage,
  closePrivateChat,
  endCall,
  getPrivateChat,
  holdCall,
  keepCall,
  openPrivateChat,
  startCall,
  takeMissedCalls,
} from "./lua/private.js";
import { appendRoomMessage, moveToRoom, postRoomMessage, setStatus } from "./lua/rooms.js";
import {
  attachConnection,
  connect,
  createSession,
  detachConnection,
  endSession,
  leaveSession,
  restoreSession,
  setConnectionIdle,
  takeExpiredSessions,
} from "./lua/sessions.js";

export const scripts = {
  heartbeat,
  takeOverDeadInstances,
  retireInstance,
  openPrivateChat,
  getPrivateChat,
  closePrivateChat,
  appendPrivateMessage,
  postPrivateMessage,
  startCall,
  takeMissedCalls,
  answerCall,
  endCall,
  callPartner,
  holdCall,
  keepCall,
  createSession,
  attachConnection,
  connect,
  restoreSession,
  detachConnection,
  setConnectionIdle,
  takeExpiredSessions,
  endSession,
  leaveSession,
  moveToRoom,
  setStatus,
  appendRoomMessage,
  postRoomMessage,
  startGroupCall,
  joinGroupCall,
  leaveGroupCall,
  inviteToGroupCall,
  declineGroupInvite,
  takeMissedInvites,
  groupCallPeers,
  groupCallOf,
  keepGroupCall,
  setGroupCallMedia,
  takeLostHolders,
} as const;

/** A script's text: the prelude's helpers it uses (lua/shake.ts), then its body. */
export function withPrelude(body: string): string {
  return shaken(prelude, body);
}
