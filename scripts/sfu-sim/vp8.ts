// Synthetic VP8 for simulated SFU participants (docs/sfu.md, "Simulated participants"). Janus forwards
// RTP without decoding it: what it reads of a VP8 packet is the payload descriptor (RFC 7741 §4.2: start
// of a partition, picture id) and, for key frames, the payload header's frame tag (§4.3). So each
// synthetic frame is one RTP packet (marker bit set) with a valid descriptor and frame tag, and filler
// bytes where an encoder's compressed data would be: enough for forwarding and counting frames, not
// something a browser's decoder turns into a picture.

/** One synthetic frame's RTP payload: descriptor + VP8 payload header + filler up to `size` bytes. */
export function vp8Payload(pictureId: number, keyframe: boolean, size: number): Buffer {
  const payload = Buffer.alloc(Math.max(size, 14));
  // Descriptor: X=1 (extension follows), S=1 (start of partition), PID=0 (partition 0): a frame starts.
  payload[0] = 0x90;
  // Extension byte: I=1 (picture id present).
  payload[1] = 0x80;
  // Picture id, 15 bits (M=1).
  payload.writeUInt16BE(0x8000 | (pictureId & 0x7fff), 2);
  // VP8 payload header (the frame tag): bit 0 is the inverse key frame flag, version 0, show_frame=1,
  // first partition size in the remaining 19 bits (kept small and within the packet).
  const partition = Math.min(payload.length - 14, 0x7ffff);
  const tag = (keyframe ? 0 : 1) | (0 << 1) | (1 << 4) | (partition << 5);
  payload[4] = tag & 0xff;
  payload[5] = (tag >> 8) & 0xff;
  payload[6] = (tag >> 16) & 0xff;
  if (keyframe) {
    // Key frame start code and a 320×240 frame size (14-bit width and height, no scaling).
    payload[7] = 0x9d;
    payload[8] = 0x01;
    payload[9] = 0x2a;
    payload.writeUInt16LE(320, 10);
    payload.writeUInt16LE(240, 12);
  }
  for (let i = keyframe ? 14 : 7; i < payload.length; i += 1) payload[i] = (i * 31 + pictureId) & 0xff;
  return payload;
}

/** Where a VP8 RTP payload's descriptor ends (its optional extension fields skipped). */
function descriptorLength(payload: Buffer): number {
  let at = 1;
  if (payload[0]! & 0x80) {
    const extension = payload[at]!;
    at += 1;
    if (extension & 0x80) at += payload[at]! & 0x80 ? 2 : 1; // I: picture id, 7 or 15 bits
    if (extension & 0x40) at += 1; // L: TL0PICIDX
    if (extension & 0x30) at += 1; // T or K: TID/KEYIDX
  }
  return at;
}

/** What a received VP8 RTP payload starts: a frame (S=1, partition 0), and whether that is a key frame. */
export function vp8FrameStart(payload: Buffer): { start: boolean; keyframe: boolean } {
  if (payload.length < 2) return { start: false, keyframe: false };
  const start = (payload[0]! & 0x10) !== 0 && (payload[0]! & 0x07) === 0;
  if (!start) return { start, keyframe: false };
  const header = descriptorLength(payload);
  return { start, keyframe: header < payload.length && (payload[header]! & 0x01) === 0 };
}
