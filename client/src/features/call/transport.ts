// The two ways a call's signals travel: a 1:1 call's over call:signal (the server knows the partner),
// a group call's over group:signal (addressed to one participant). MeshCall sees only SignalTransport.
import type { CallSignal, IceCandidate } from "@videochat/protocol";
import { request } from "../session/socket";
import type { SignalTransport } from "../../webrtc/mesh";
import type { PeerSignal } from "../../webrtc/peer";

type WireSignal = Pick<CallSignal, "description" | "candidate">;

/** The wire shape and the browser's shape of a signal differ only in what may be missing. */
export function toWire({ description, candidate }: PeerSignal): WireSignal {
  const wire: WireSignal = {};
  if (description) wire.description = description;
  if (candidate) wire.candidate = { ...candidate, candidate: candidate.candidate ?? "" } as IceCandidate;
  return wire;
}

export const fromWire = ({ description, candidate }: WireSignal): PeerSignal => ({ description, candidate });

export function privateTransport(callId: string): SignalTransport {
  return { send: async (_peer, signal) => (await request("call:signal", { callId, ...toWire(signal) })).ok };
}

export function groupTransport(callId: string): SignalTransport {
  return {
    send: async (peer, signal) => (await request("group:signal", { callId, peer, ...toWire(signal) })).ok,
  };
}

/** What a call's peer connections start with: the ICE servers and the operator's transport policy. */
export interface IceConfig {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
}

/** The policy the server last gave: a relay-only deployment stays relay-only when one answer fails. */
let knownPolicy: RTCIceTransportPolicy = "all";

/** Fresh ICE servers (TURN credentials expire) and the policy; rejects when the server cannot answer. */
export async function fetchIceConfig(): Promise<IceConfig> {
  const ack = await request("call:ice-servers", {});
  if (!ack.ok) throw new Error(ack.error.message);
  knownPolicy = ack.iceTransportPolicy;
  return { iceServers: ack.iceServers, iceTransportPolicy: ack.iceTransportPolicy };
}

/** What a call starts with when the server cannot answer: no servers, the last policy it gave. */
export const fallbackIceConfig = (): IceConfig => ({ iceServers: [], iceTransportPolicy: knownPolicy });

/** Fresh ICE servers only, for an ICE restart (the policy stays in the peer's configuration). */
export const fetchIceServers = async (): Promise<RTCIceServer[]> => (await fetchIceConfig()).iceServers;
