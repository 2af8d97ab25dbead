// Several MeshCalls wired to one another through a fake signalling server: each person's fake peer
// connections negotiate by themselves (autoNegotiate), and signals arrive a macrotask later, in order.
import { vi } from "vitest";
import { MeshCall, type MeshEvents, type MeshOptions, type Participant } from "../src/webrtc/mesh";
import type { PeerSignal } from "../src/webrtc/peer";
import { fakeStream, FakePeerConnection } from "./fakePeerConnection";

export interface Person {
  id: string;
  name: string;
  mesh: MeshCall;
  /** This person's peer connections, by the id of whom they connect to (the latest one). */
  pcs: Map<string, FakePeerConnection>;
  /** Every event the mesh emitted, as "participantJoined b", "trackMuted b camera true", … */
  events: string[];
  fetchIceServers: ReturnType<typeof vi.fn>;
  /** Signals sent, as "to: offer" or "to: candidate". */
  sent: string[];
}

/** Lets the fake browsers and the fake server finish what they queued. */
export async function settle(rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}

function describeEvent<E extends keyof MeshEvents>(name: E, payload: MeshEvents[E]): string {
  const p = payload as { id?: string; participant?: { id: string }; source?: string; muted?: boolean };
  const who = p.participant?.id ?? p.id;
  const rest = [p.source, p.muted === undefined ? undefined : String(p.muted)].filter(Boolean);
  const state = name === "stateChanged" ? [(payload as MeshEvents["stateChanged"]).state] : [];
  return [name, who, ...rest, ...state].join(" ");
}

export function createMeshWorld(roles: (selfId: string) => MeshOptions["roles"]) {
  const people = new Map<string, Person>();

  function person(id: string, name = id.toUpperCase()): Person {
    const pcs = new Map<string, FakePeerConnection>();
    const sent: string[] = [];
    const stream = fakeStream(["audio", "video"]);
    const fetchIceServers = vi.fn(async () => [{ urls: "turn:fresh.example:3478" }]);
    const mesh = new MeshCall({
      selfId: id,
      roles: roles(id),
      iceServers: [],
      fetchIceServers,
      local: {
        microphone: stream.getAudioTracks()[0] as unknown as MediaStreamTrack,
        camera: stream.getVideoTracks()[0] as unknown as MediaStreamTrack,
        stream: stream as unknown as MediaStream,
      },
      transport: {
        send: async (to: string, signal: PeerSignal) => {
          sent.push(`${to}: ${signal.description?.type ?? "candidate"}`);
          setTimeout(() => people.get(to)?.mesh.receive(id, signal), 0);
          return true;
        },
      },
      createPeerConnection: (config, peerId) => {
        const pc = new FakePeerConnection(`${id}>${peerId}`, config, true);
        pcs.set(peerId, pc);
        return pc as unknown as RTCPeerConnection;
      },
    });
    const events: string[] = [];
    const names = [
      "participantJoined",
      "participantLeft",
      "trackSubscribed",
      "trackUnsubscribed",
      "trackMuted",
      "stateChanged",
    ] as const;
    for (const name of names) mesh.on(name, (payload) => events.push(describeEvent(name, payload)));
    const created: Person = { id, name, mesh, pcs, events, fetchIceServers, sent };
    people.set(id, created);
    return created;
  }

  /** Tells `who` the call's participants, in join order, as a group:state would. */
  function tell(who: Person, order: Person[]): void {
    who.mesh.setParticipants(order.map(({ id, name }): Participant => ({ id, name })));
  }

  /** Whether two people's connections to each other have both finished negotiating. */
  function negotiated(a: Person, b: Person): boolean {
    const ab = a.pcs.get(b.id);
    const ba = b.pcs.get(a.id);
    return Boolean(
      ab &&
      ba &&
      ab.signalingState === "stable" &&
      ba.signalingState === "stable" &&
      ab.remoteDescription &&
      ba.remoteDescription,
    );
  }

  return { person, tell, negotiated, people };
}
