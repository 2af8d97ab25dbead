// Keeping a call's network path alive: ICE states become call states, and a failed path (or a
// changed network) gets an ICE restart with fresh ICE servers, since TURN credentials expire.
import { watchNetwork } from "./network";

export type PeerState = "connecting" | "connected" | "reconnecting" | "failed" | "closed";

export interface RecoveryHost {
  readonly pc: RTCPeerConnection;
  fetchIceServers(): Promise<RTCIceServer[]>;
  setState(next: PeerState): void;
  readonly closed: boolean;
}

/** Restarts in a row without reaching "connected" before the call is given up as failed. */
const MAX_RESTARTS = 3;
/** "disconnected" often heals by itself after a burst of loss; restart only if it lasts. */
const DISCONNECTED_RESTART_MS = 5000;

export class IceRecovery {
  private restarts = 0;
  private restarting = false;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unwatch: () => void;

  constructor(private readonly host: RecoveryHost) {
    host.pc.oniceconnectionstatechange = () => this.onIceState();
    this.unwatch = watchNetwork((certain) => {
      const ice = host.pc.iceConnectionState;
      if (ice === "new" || ice === "closed") return;
      if (certain || ice === "disconnected" || ice === "failed") void this.restart();
    });
  }

  private onIceState(): void {
    const { pc } = this.host;
    clearTimeout(this.disconnectedTimer);
    switch (pc.iceConnectionState) {
      case "connected":
      case "completed":
        this.restarts = 0;
        this.host.setState("connected");
        break;
      case "disconnected":
        this.host.setState("reconnecting");
        this.disconnectedTimer = setTimeout(() => {
          if (pc.iceConnectionState === "disconnected") void this.restart();
        }, DISCONNECTED_RESTART_MS);
        break;
      case "failed": // also straight from "checking": no path was ever found with these servers
        void this.restart();
        break;
    }
  }

  /** After the signalling channel was down: a path that broke meanwhile is restarted. */
  resync(): void {
    const ice = this.host.pc.iceConnectionState;
    if (ice === "failed" || ice === "disconnected") void this.restart();
  }

  /** Fresh ICE servers into the configuration, then restartIce(), which renegotiates by itself. */
  async restart(): Promise<void> {
    const { host } = this;
    if (host.closed || this.restarting) return;
    if (this.restarts >= MAX_RESTARTS) return host.setState("failed");
    this.restarts += 1;
    this.restarting = true;
    // A restart on a network change may find the path still working; then nothing changes for the user,
    // and no ICE state event would ever say "connected" again.
    const ice = host.pc.iceConnectionState;
    if (ice !== "connected" && ice !== "completed") host.setState("reconnecting");
    try {
      const iceServers = await host.fetchIceServers();
      if (!host.closed) host.pc.setConfiguration({ ...host.pc.getConfiguration(), iceServers });
    } catch (error) {
      // Restarting with the servers we have still beats not restarting.
      console.warn("[peer] no fresh ICE servers", error);
    } finally {
      this.restarting = false;
    }
    if (!host.closed) host.pc.restartIce();
  }

  stop(): void {
    clearTimeout(this.disconnectedTimer);
    this.unwatch();
    this.host.pc.oniceconnectionstatechange = null;
  }
}
