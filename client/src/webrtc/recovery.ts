// Keeping a call's network path alive: ICE states become call states, a failed path (or a changed
// network) gets an ICE restart with fresh ICE servers, and TURN credentials are renewed before they
// expire, so a call longer than their lifetime keeps its relay.
import { credentialsExpireAt, refreshDelay, relaying } from "./credentials";
import { watchNetwork } from "./network";

export type PeerState = "connecting" | "connected" | "reconnecting" | "failed" | "closed";

export interface RecoveryHost {
  readonly pc: RTCPeerConnection;
  fetchIceServers(): Promise<RTCIceServer[]>;
  setState(next: PeerState): void;
  readonly closed: boolean;
  /**
   * The perfect-negotiation role of a browser-to-browser peer: on a credential renewal the polite side
   * leaves the ICE restart to its partner for a moment (RENEWAL_GRACE_MS). Unset for a connection to
   * the SFU, whose other end never restarts by itself.
   */
  readonly polite?: boolean;
  /**
   * How an ICE restart is asked for, when not by `pc.restartIce()` alone: a connection to the SFU
   * re-offers to Janus (publisher), or asks Janus for a fresh offer (subscriber, the answering side).
   */
  restartIce?(): void;
}

/** Restarts in a row without reaching "connected" before the call is given up as failed. */
const MAX_RESTARTS = 3;
/** "disconnected" often heals by itself after a burst of loss; restart only if it lasts. */
const DISCONNECTED_RESTART_MS = 5000;
/**
 * Both ends of a call renew their credentials at about the same moment (the server issued them
 * together), and two ICE restarts at once collide: the polite side's offer is rolled back, and
 * Chromium then gathered late or kept its path on the old allocation (e2e/turn.e2e.ts saw both). So on
 * a renewal the impolite side restarts at once, and the polite side waits this long (ms): answering
 * the partner's restart re-gathers on the configuration just set, and only if none came does the
 * polite side restart by itself.
 */
export const RENEWAL_GRACE_MS = 5000;

/** The ICE username fragment of the connection's current local description (RFC 8839 a=ice-ufrag). */
function localUfrag(pc: RTCPeerConnection): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(pc.localDescription?.sdp ?? "")?.[1];
}

export class IceRecovery {
  private restarts = 0;
  private restarting = false;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private renewalTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unwatch: () => void;

  constructor(private readonly host: RecoveryHost) {
    host.pc.oniceconnectionstatechange = () => this.onIceState();
    this.unwatch = watchNetwork((certain) => {
      const ice = host.pc.iceConnectionState;
      if (ice === "new" || ice === "closed") return;
      if (certain || ice === "disconnected" || ice === "failed") void this.restart();
    });
    this.scheduleRefresh(host.pc.getConfiguration().iceServers ?? []);
  }

  /** Renews the credentials of `iceServers` at half their remaining lifetime (see credentials.ts). */
  private scheduleRefresh(iceServers: readonly RTCIceServer[]): void {
    clearTimeout(this.refreshTimer);
    const delay = refreshDelay(iceServers, Date.now());
    if (delay !== null) this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  /**
   * Fresh ICE servers into the configuration before the current credentials expire. New candidates
   * use them; a path that runs through our own relay is restarted onto them now (the browser keeps
   * the old path until the new one works), since coturn will not extend an allocation whose
   * credential expired. Not a recovery: it spends none of the restarts allowed in a row.
   */
  private async refresh(): Promise<void> {
    const { host } = this;
    if (host.closed) return;
    let iceServers: RTCIceServer[];
    try {
      iceServers = await host.fetchIceServers();
    } catch (error) {
      console.warn("[peer] no fresh ICE servers to renew the credentials", error);
      // Try again while the old ones last: half of what is left, as before.
      return this.scheduleRefresh(host.pc.getConfiguration().iceServers ?? []);
    }
    if (host.closed) return;
    // Nothing fresher to be had (a caller that hands the same servers again, like a file transfer's):
    // leave the configuration, and the path, as they are.
    const current = credentialsExpireAt(host.pc.getConfiguration().iceServers ?? []) ?? 0;
    if ((credentialsExpireAt(iceServers) ?? 0) <= current) return;
    host.pc.setConfiguration({ ...host.pc.getConfiguration(), iceServers });
    this.scheduleRefresh(iceServers);
    const ice = host.pc.iceConnectionState;
    const settled = ice === "connected" || ice === "completed";
    if (!settled || this.restarting || !(await relaying(host.pc).catch(() => false)) || host.closed) return;
    if (!host.polite) return this.restartIce();
    const before = localUfrag(host.pc);
    clearTimeout(this.renewalTimer);
    this.renewalTimer = setTimeout(() => {
      // A new local ufrag: an ICE restart (the partner's, or a recovery) has gathered on the fresh servers.
      if (!host.closed && !this.restarting && localUfrag(host.pc) === before) this.restartIce();
    }, RENEWAL_GRACE_MS);
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
      this.scheduleRefresh(iceServers);
    } catch (error) {
      // Restarting with the servers we have still beats not restarting.
      console.warn("[peer] no fresh ICE servers", error);
    } finally {
      this.restarting = false;
    }
    if (!host.closed) this.restartIce();
  }

  private restartIce(): void {
    if (this.host.restartIce) this.host.restartIce();
    else this.host.pc.restartIce();
  }

  stop(): void {
    clearTimeout(this.disconnectedTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.renewalTimer);
    this.unwatch();
    this.host.pc.oniceconnectionstatechange = null;
  }
}
