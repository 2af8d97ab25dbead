// Files sent peer to peer in the private chat: the offer, the partner's Accept or Decline, then the
// bytes over an RTCDataChannel of a data-only PeerSession of their own (signalled over file:signal, as
// calls are over call:signal), with progress, Cancel on both sides and the size limit. Received images
// are previewed; every received file gets a download link. Nothing of a file reaches the server.
import { defineStore } from "pinia";
import { markRaw, ref, watch } from "vue";
import type { FileIce, FileOffer, FileSignal, UserRef } from "@videochat/protocol";
import { PeerSession } from "../../webrtc/peer";
import { FileReceiver, FileSender } from "../../webrtc/fileChannel";
import { request } from "../session/socket";
import { listen } from "../session/listen";
import { useSessionStore } from "../session/sessionStore";
import { usePrivateChatStore } from "../private/privateChatStore";
import { fromWire, toWire } from "../call/transport";
import { errorText } from "../../i18n/errors";
import { t } from "../../i18n";

/** The limit when the server did not say (SessionReady.settings.fileMaxBytes). */
export const DEFAULT_FILE_MAX_BYTES = 100 * 1024 * 1024;

export type TransferStatus =
  | "offered" // to the receiver: Accept or Decline
  | "waiting" // to the sender: the partner has not answered yet
  | "transferring"
  | "done"
  | "declined"
  | "cancelled"
  | "failed";

/** Image types shown inline after arrival; every other file is only offered as a download. */
export function previewable(type: string): boolean {
  return /^image\/(png|jpeg|gif|webp|avif|bmp)$/.test(type);
}

/** One transfer as the panel shows it. `url`: the received file (or the sent one, for an image preview). */
export interface Transfer extends FileOffer {
  direction: "out" | "in";
  partner: UserRef;
  status: TransferStatus;
  /** Bytes across so far. */
  bytes: number;
  url?: string;
  /** Why it ended, worded for the panel. */
  note?: string;
}

/** What a transfer holds outside reactivity: the file, its peer connection and its channel. */
interface Live {
  file?: File;
  ice?: FileIce;
  peer?: PeerSession;
  channel?: FileSender | FileReceiver;
  /** Signals that came before the peer connection (the sender starts as soon as it hears Accept). */
  early?: FileSignal[];
}

const NO_MEDIA = { microphone: null, camera: null, stream: null };

const newFileId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

export const useFileStore = defineStore("files", () => {
  const session = useSessionStore();
  const privateChat = usePrivateChatStore();
  const transfers = ref<Transfer[]>([]);
  /** Why the last offer could not go (too large, no chat). */
  const error = ref<string | null>(null);
  const live = new Map<string, Live>();

  const find = (fileId: string) => transfers.value.find((transfer) => transfer.fileId === fileId);
  const maxBytes = () => session.settings?.fileMaxBytes ?? DEFAULT_FILE_MAX_BYTES;

  function update(fileId: string, change: Partial<Transfer>): void {
    const transfer = find(fileId);
    if (transfer) Object.assign(transfer, change);
  }

  /** Ends what a transfer holds (its peer connection, its channel); the entry stays for the panel. */
  function release(fileId: string): void {
    const held = live.get(fileId);
    live.delete(fileId);
    held?.channel?.stop();
    held?.peer?.stop();
  }

  function end(fileId: string, status: TransferStatus, note?: string): void {
    release(fileId);
    const transfer = find(fileId);
    if (!transfer || transfer.status === "done") return;
    transfer.status = status;
    if (note) transfer.note = note;
  }

  /** "Send a file": offers `file` to the partner of the private chat. */
  async function offer(file: File): Promise<void> {
    error.value = null;
    const partner = privateChat.chat?.with;
    if (!partner) return;
    if (file.size > maxBytes()) {
      error.value = t("errors.file_too_large", { max: Math.floor(maxBytes() / 1024 / 1024) });
      return;
    }
    const entry: FileOffer = { fileId: newFileId(), name: file.name, size: file.size, type: file.type };
    const ack = await request("file:offer", entry);
    if (!ack.ok) {
      error.value = errorText(ack.error, { event: "file:offer", max: Math.floor(maxBytes() / 1024 / 1024) });
      return;
    }
    live.set(entry.fileId, { file: markRaw(file), ice: ack });
    transfers.value.push({ ...entry, direction: "out", partner, status: "waiting", bytes: 0 });
  }

  /** A peer connection of its own for the transfer: the receiver is the polite side. */
  function connect(fileId: string, ice: FileIce, polite: boolean): PeerSession {
    const peer = new PeerSession({
      polite,
      dataOnly: true,
      iceServers: ice.iceServers,
      iceTransportPolicy: ice.iceTransportPolicy,
      local: NO_MEDIA,
      sendSignal: async (signal) => (await request("file:signal", { fileId, ...toWire(signal) })).ok,
      fetchIceServers: () => Promise.resolve(ice.iceServers),
    });
    peer.on("state", (state) => {
      if (state === "failed") fail(fileId);
    });
    return markRaw(peer);
  }

  function follow(fileId: string, channel: FileSender | FileReceiver, url?: string): void {
    channel.on("progress", (bytes) => update(fileId, { bytes }));
    channel.on("failed", () => fail(fileId));
    channel.on("done", (blob) => {
      update(fileId, { status: "done", url: blob ? URL.createObjectURL(blob) : url });
      // The sender ends the connection once the receiver has it all; the receiver when it closes.
      if (!blob) release(fileId);
    });
    channel.on("closed", () => release(fileId));
  }

  function fail(fileId: string): void {
    end(fileId, "failed", t("files.failed"));
  }

  /** The receiver's "Accept": the sender's data channel comes on a new peer connection. */
  async function accept(fileId: string): Promise<void> {
    const transfer = find(fileId);
    if (!transfer || transfer.status !== "offered") return;
    transfer.status = "transferring";
    // Held before asking: this tab's own file:answered, and the sender's first signals, may come first.
    const held: Live = { early: [] };
    live.set(fileId, held);
    const ack = await request("file:answer", { fileId, accept: true });
    if (live.get(fileId) !== held) return; // cancelled meanwhile
    if (!ack.ok || !ack.iceServers || !ack.iceTransportPolicy)
      return end(fileId, "failed", ack.ok ? t("files.failed") : ack.error.message);
    const ice = { iceServers: ack.iceServers, iceTransportPolicy: ack.iceTransportPolicy };
    const peer = connect(fileId, ice, true);
    // The type is the sender's word: only an image we preview keeps it; anything else is saved as bytes,
    // so a file claiming to be text/html never opens as a page of this site.
    const kept = previewable(transfer.type) ? transfer.type : "application/octet-stream";
    const channel = markRaw(new FileReceiver(peer.pc, transfer.size, kept));
    Object.assign(held, { peer, channel });
    follow(fileId, channel);
    for (const signal of held.early?.splice(0) ?? []) void peer.receive(fromWire(signal));
  }

  function decline(fileId: string): void {
    end(fileId, "declined", t("files.youDeclined"));
    void request("file:answer", { fileId, accept: false });
  }

  /** "Cancel" on either side, before or during the transfer. */
  function cancel(fileId: string): void {
    end(fileId, "cancelled", t("files.cancelled"));
    void request("file:cancel", { fileId });
  }

  function onOffered(payload: FileOffer & { from: UserRef }): void {
    const { from, ...entry } = payload;
    if (find(entry.fileId)) return;
    transfers.value.push({ ...entry, direction: "in", partner: from, status: "offered", bytes: 0 });
  }

  function onAnswered({ fileId, accept: accepted }: { fileId: string; accept: boolean }): void {
    const transfer = find(fileId);
    if (!transfer) return;
    const held = live.get(fileId);
    if (transfer.direction === "in") {
      // Answered in another tab of ours: that tab has it.
      if (!held) transfers.value = transfers.value.filter((other) => other.fileId !== fileId);
      return;
    }
    if (!held?.file || !held.ice || transfer.status !== "waiting") return;
    if (!accepted) return end(fileId, "declined", t("files.declined", { name: transfer.partner.name }));
    transfer.status = "transferring";
    const peer = connect(fileId, held.ice, false);
    const channel = markRaw(new FileSender(peer.pc, held.file));
    const url = previewable(transfer.type) ? URL.createObjectURL(held.file) : undefined;
    live.set(fileId, { ...held, peer, channel });
    follow(fileId, channel, url);
  }

  function onSignal(signal: FileSignal): void {
    const held = live.get(signal.fileId);
    if (held?.peer) void held.peer.receive(fromWire(signal));
    else held?.early?.push(signal);
  }

  function onCancelled({ fileId }: { fileId: string }): void {
    const transfer = find(fileId);
    if (transfer && transfer.status !== "cancelled") end(fileId, "cancelled", t("files.cancelled"));
  }

  /** The chat went away: every transfer stops, and the received files' URLs are freed. */
  function clear(): void {
    for (const fileId of [...live.keys()]) release(fileId);
    for (const transfer of transfers.value) if (transfer.url) URL.revokeObjectURL(transfer.url);
    transfers.value = [];
    error.value = null;
  }

  watch(
    () => privateChat.chat?.id,
    (now, before) => {
      if (now !== before) clear();
    },
  );
  watch(
    () => privateChat.closed,
    (closed) => {
      if (!closed) return;
      for (const transfer of transfers.value)
        if (
          transfer.status === "transferring" ||
          transfer.status === "waiting" ||
          transfer.status === "offered"
        )
          end(transfer.fileId, "cancelled", t("files.cancelled"));
    },
  );

  listen(
    {
      "file:offered": onOffered,
      "file:answered": onAnswered,
      "file:signal": onSignal,
      "file:cancelled": onCancelled,
    },
    clear,
  );
  session.onSessionEvent("reset", clear);

  return { transfers, error, maxBytes, offer, accept, decline, cancel, clear };
});
