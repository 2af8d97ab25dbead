// The part of janode 1.8 (Meetecho's Janus client, plain JavaScript) the app uses, typed from its
// sources (src/janode.js, connection.js, session.js, handle.js, plugins/videoroom-plugin.js).
declare module "janode" {
  import type { EventEmitter } from "node:events";

  export interface Jsep {
    type: "offer" | "answer";
    sdp: string;
  }
  export interface Candidate {
    candidate: string;
    sdpMid?: string | null;
    sdpMLineIndex?: number | null;
  }
  export interface JanodeHandle extends EventEmitter {
    id: number;
    detach(): Promise<void>;
    trickle(candidate: Candidate): Promise<void>;
    trickleComplete(): Promise<void>;
  }
  export interface JanodeSession extends EventEmitter {
    id: number;
    attach<H>(plugin: { id: string; Handle: new (...args: never[]) => H }): Promise<H>;
    destroy(): Promise<void>;
  }
  export interface JanodeConnection extends EventEmitter {
    create(keepAliveSeconds?: number): Promise<JanodeSession>;
    close(): Promise<void>;
  }
  const Janode: {
    connect(config: {
      address: { url: string; apisecret?: string };
      retry_time_secs?: number;
      max_retries?: number;
    }): Promise<JanodeConnection>;
    Logger: { setLevel(level: "debug" | "verb" | "info" | "warn" | "error" | "none"): string };
    EVENT: {
      CONNECTION_CLOSED: "connection_closed";
      CONNECTION_ERROR: "connection_error";
      SESSION_DESTROYED: "session_destroyed";
      HANDLE_DETACHED: "handle_detached";
      HANDLE_HANGUP: "handle_hangup";
      HANDLE_WEBRTCUP: "handle_webrtcup";
    };
  };
  export default Janode;
}

declare module "janode/plugins/videoroom" {
  import type { Candidate, JanodeHandle, Jsep } from "janode";

  /** One stream of a multistream subscription (Janus ≥ 1.0). */
  export interface SubscriberStream {
    mid: string;
    type: "audio" | "video" | "data";
    feed_id?: string;
    feed_display?: string;
    feed_mid?: string;
    feed_description?: string;
    active?: boolean;
  }
  /** One stream of a publisher, as the room lists it. */
  export interface PublisherStream {
    mid: string;
    type: "audio" | "video" | "data";
    disabled?: boolean;
    description?: string;
  }
  export interface Publisher {
    feed: string;
    display?: string;
    streams?: PublisherStream[];
  }
  export interface Participant {
    feed: string;
    display?: string;
    publisher: boolean;
  }
  export interface VideoRoomHandle extends JanodeHandle {
    create(options: {
      room: string;
      description?: string;
      max_publishers?: number;
      is_private?: boolean;
      secret?: string;
      pin?: string;
      admin_key?: string;
      bitrate?: number;
      fir_freq?: number;
      audiocodec?: string;
      videocodec?: string;
      talking_events?: boolean;
      /** dBov (0 loudest, 127 silence) the average level must beat to count as talking (audio_level_average). */
      talking_level_threshold?: number;
      /** Audio packets the level is averaged over (audio_active_packets). */
      talking_packets_threshold?: number;
      notify_joining?: boolean;
    }): Promise<{ room: string }>;
    destroy(options: { room: string; secret?: string }): Promise<unknown>;
    list(options?: { admin_key?: string }): Promise<{ list: { room: string; num_participants: number }[] }>;
    listParticipants(options: { room: string; secret?: string }): Promise<{ participants: Participant[] }>;
    kick(options: { room: string; feed: string; secret?: string }): Promise<unknown>;
    joinPublisher(options: {
      room: string;
      feed?: string;
      display?: string;
      pin?: string;
    }): Promise<{ feed: string; publishers: Publisher[] }>;
    configure(options: {
      audio?: boolean;
      video?: boolean;
      jsep?: Jsep;
      restart?: boolean;
      /** Per m-line descriptions of a publisher's streams ("screen"); subscribers read feed_description. */
      descriptions?: { mid: string; description: string }[];
    }): Promise<{ jsep?: Jsep; streams?: unknown[] }>;
    joinSubscriber(options: {
      room: string;
      streams: { feed: string; mid?: string }[];
      pin?: string;
      autoupdate?: boolean;
      use_msid?: boolean;
    }): Promise<{ jsep?: Jsep; streams?: SubscriberStream[] }>;
    update(options: {
      subscribe?: { feed: string; mid?: string }[];
      unsubscribe?: { feed: string; mid?: string }[];
    }): Promise<{ jsep?: Jsep; streams?: SubscriberStream[] }>;
    start(options: { jsep: Jsep }): Promise<unknown>;
    leave(): Promise<unknown>;
    trickle(candidate: Candidate): Promise<void>;
  }
  const VideoRoomPlugin: {
    id: string;
    Handle: new (...args: never[]) => VideoRoomHandle;
    /** The handle events janode exports (its runtime names carry the VIDEOROOM_ prefix). */
    EVENT: {
      VIDEOROOM_PUB_LIST: "videoroom_publisher_list";
      VIDEOROOM_PUB_PEER_JOINED: "videoroom_publisher_joined";
      VIDEOROOM_UNPUBLISHED: "videoroom_unpublished";
      VIDEOROOM_LEAVING: "videoroom_leaving";
      VIDEOROOM_KICKED: "videoroom_kicked";
      VIDEOROOM_UPDATED: "videoroom_updated";
      VIDEOROOM_TALKING: "videoroom_talking";
      VIDEOROOM_DESTROYED: "videoroom_destroyed";
    };
  };
  export default VideoRoomPlugin;
}
