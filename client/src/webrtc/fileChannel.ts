// A file over an RTCDataChannel of a data-only PeerSession: the sender cuts it into chunks and keeps
// the channel's buffer bounded (bufferedamountlow), the receiver counts bytes against the offered size
// and says "received" when it has them all. Progress is in bytes. No Vue, no DOM.
import { Emitter } from "./emitter";

/** 64 KiB: well under every browser's SCTP message limit, large enough to keep the channel busy. */
export const CHUNK_BYTES = 64 * 1024;
/** The sender waits while this much is queued in the channel, and goes on below LOW_WATER. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const RECEIVED = "received";

export interface FileChannelEvents {
  /** Bytes that have left the sender (sender) or arrived (receiver). */
  progress: number;
  /** Every byte is across: the receiver's file, or null on the sender's side. */
  done: Blob | null;
  /** The channel closed before the end (the other side went away or cancelled). */
  failed: void;
  /** The channel closed, after the end or not: its peer connection can go. */
  closed: void;
}

abstract class FileChannel extends Emitter<FileChannelEvents> {
  protected channel: RTCDataChannel | null = null;
  protected finished = false;

  protected attach(channel: RTCDataChannel): void {
    this.channel = channel;
    channel.binaryType = "arraybuffer";
    channel.onclose = () => {
      if (!this.finished) this.emit("failed", undefined);
      this.finished = true;
      this.emit("closed", undefined);
    };
  }

  protected finish(file: Blob | null): void {
    if (this.finished) return;
    this.finished = true;
    this.emit("done", file);
  }

  /** Stops sending or receiving now (a cancel): no event follows. */
  stop(): void {
    this.finished = true;
    this.channel?.close();
    this.removeAllListeners();
  }
}

/** Sends `file` on a new channel of `pc` once the channel opens. */
export class FileSender extends FileChannel {
  constructor(
    pc: RTCPeerConnection,
    private readonly file: Blob,
  ) {
    super();
    const channel = pc.createDataChannel("file", { ordered: true });
    channel.bufferedAmountLowThreshold = LOW_WATER;
    this.attach(channel);
    channel.onopen = () => void this.pump(channel);
    channel.onmessage = ({ data }) => {
      if (data !== RECEIVED) return;
      this.emit("progress", this.file.size);
      this.finish(null);
    };
  }

  private async pump(channel: RTCDataChannel): Promise<void> {
    let offset = 0;
    try {
      while (offset < this.file.size && !this.finished) {
        if (channel.bufferedAmount > HIGH_WATER) await drained(channel);
        const chunk = await this.file.slice(offset, offset + CHUNK_BYTES).arrayBuffer();
        if (this.finished || channel.readyState !== "open") return;
        channel.send(chunk);
        offset += chunk.byteLength;
        this.emit("progress", Math.max(0, offset - channel.bufferedAmount));
      }
      // What is still queued leaves as the buffer drains; the receiver's "received" ends it.
    } catch {
      if (!this.finished) this.emit("failed", undefined);
      this.finished = true;
    }
  }
}

/** Receives the file of `size` bytes and MIME `type` from the first channel the partner opens on `pc`. */
export class FileReceiver extends FileChannel {
  private readonly chunks: ArrayBuffer[] = [];
  private received = 0;

  constructor(
    pc: RTCPeerConnection,
    private readonly size: number,
    private readonly type: string,
  ) {
    super();
    pc.ondatachannel = ({ channel }) => {
      if (this.channel) return;
      this.attach(channel);
      channel.onopen = () => this.check();
      channel.onmessage = ({ data }) => {
        if (!(data instanceof ArrayBuffer) || this.finished) return;
        this.chunks.push(data);
        this.received += data.byteLength;
        this.emit("progress", this.received);
        this.check();
      };
    };
  }

  private check(): void {
    if (this.received < this.size || this.finished || this.channel?.readyState !== "open") return;
    this.channel.send(RECEIVED);
    this.finish(new Blob(this.chunks, { type: this.type }));
    // Closed gracefully: "received" goes out first; the sender then ends the peer connection.
    this.channel.close();
  }
}

/** Resolves when the channel's buffer falls below its threshold (or the channel closes). */
function drained(channel: RTCDataChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel.removeEventListener("bufferedamountlow", done);
      channel.removeEventListener("close", done);
      resolve();
    };
    channel.addEventListener("bufferedamountlow", done);
    channel.addEventListener("close", done);
  });
}
