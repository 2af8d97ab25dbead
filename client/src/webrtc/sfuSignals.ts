// The SFU's signalling over the app's socket (sfu:* events, server/src/sfu/events.ts) for one call.
import type { SfuTransport } from "./sfu";
import { request } from "../features/session/socket";

/** The one place SDP and candidates go to the server for an SFU call; Janus is never reached directly. */
export function sfuTransport(callId: string): SfuTransport {
  const description = <T extends "offer" | "answer">(type: T, init: RTCSessionDescriptionInit) => ({
    type,
    sdp: init.sdp ?? "",
  });
  return {
    join: async () => (await request("sfu:join", { callId })).ok,
    publish: async (offer, screenMid) => {
      const payload = { callId, description: description("offer", offer), ...(screenMid && { screenMid }) };
      const ack = await request("sfu:publish", payload);
      return ack.ok ? ack.description : null;
    },
    answer: async (answer) =>
      (await request("sfu:answer", { callId, description: description("answer", answer) })).ok,
    trickle: async (target, candidate) => {
      const wire = candidate && {
        candidate: candidate.candidate ?? "",
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      };
      return (await request("sfu:trickle", { callId, target, candidate: wire })).ok;
    },
    restart: async () => (await request("sfu:restart", { callId })).ok,
  };
}
