// What the stage and the devices need of a call's connections, whichever way media flows: a full mesh
// (MeshCall, one peer connection per other participant) or the SFU (SfuCall, two connections to Janus).
import type { Emitter } from "./emitter";
import type { MeshEvents, Participant, RemoteParticipant } from "./mesh";
import type { MediaState } from "@videochat/protocol";
import type { LinkStats } from "./networkQuality";
import type { DeviceSource, PeerSignal, ScreenShare } from "./peer";

export interface CallPeers {
  readonly participants: RemoteParticipant[];
  on: Emitter<MeshEvents>["on"];
  /** The call's participants in the order they joined (self may be among them). */
  setParticipants(list: readonly Participant[]): void;
  /** A mesh signal from `peerId` (the SFU has none). */
  receive(peerId: string, signal: PeerSignal): void;
  setRemoteMedia(peerId: string, media: MediaState): void;
  replaceTrack(source: DeviceSource, track: MediaStreamTrack | null): Promise<void>;
  setScreen(share: ScreenShare | null): void;
  /**
   * `peerId` came back on a new page load (a reload): its side of any connection to it is gone, so
   * the connection to it starts over (the SFU re-offers by itself: nothing to do there).
   */
  restartPeer(peerId: string): void;
  /** After the signalling channel was down: repair what was lost. */
  resync(): void;
  /** Video frames decoded so far from everyone. */
  framesDecoded(): Promise<number>;
  /** The statistics of every link now: what arrives from each participant, what carries ours out. */
  linkStats(): Promise<LinkStats>;
  stop(): void;
}
