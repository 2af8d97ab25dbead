// Synthetic VP8 for simulated SFU participants (docs/sfu.md, "Simulated participants"). Janus forwards
// RTP without decoding it: what it reads of a VP8 packet is the payload descriptor (RFC 7741 §4.2: start
// of a partition, picture id) and, for key frames, the payload header (§4.3). Each synthetic frame is one
// RTP packet (marker bit set): a descriptor with a running picture id, then always the same real VP8 key
// frame, a 320×240 picture ("SIM" on a blue gradient). So a browser decodes it too: a tile shows a still
// picture at the publisher's frame rate. No encoder runs here, and the frames do not change.

/**
 * The key frame: the "VP8 " chunk of a lossy WebP (which is a VP8 key frame as is) that Chromium encoded
 * from a 320×240 canvas (quality 0.4), 1,242 bytes.
 */
export const KEY_FRAME = Buffer.from(
  "ECgAnQEqQAHwAD7tdrtVKaenIyJVWHEwHYllbuAGHK8z+bbR9q2Ur0XKfqV9Um2J55n0oQzksK6WWqyztMk1EFPFMeI0cY8Ro4yJ" +
    "8hrQiaIcc6hp71lL31R+qGnvlBSgIUadJpZWC3syRzqGlvsFvZkjnUNPV1dJxd0oCLpOLwHoquk4u6T80USPUBIpJcAVT+HSorl3" +
    "VORO7cM6XSu1LWWpPfZiIiYQa0JeJKdLCLJ8hoLG7QXs8dqQncZA6eJJ0uSnYhi6JSis57Z4EO5GG8eiEOGYhp3R2bR0yED3IMnG" +
    "o6su4q1ikdO9zY32nx3Xmlj6VAyfMz4+uC+Gic315gWKv5aYKerTHtpC6XGEWvwRdJ/5gyGxlL30tDB1jnIsLXTbm5N6oN8GxPLK" +
    "XlVBvfNICLpOGDHnoTJ96TA56BsoCKzIfiR6kWAA/uyIP4uFojx/Fcm12H58dKoc1lXPEkZGux3Ht9fQExsF68o5jaO96m0Hl+mg" +
    "W/tHGB/OCSiqE2RrPfBPfe89H6tjcO936VyFNeHKP0TX1QEbxcrPCbEtCttlGrMvLejw4KaOxutY2dCfY2JWmXwDA9b7sW3WsDmw" +
    "nAgC8OTVqpFr9Z3xkEW050WJQhcin2RVRRYbFzP5XEKgIKcnR9Ch9+t0neFXTZgQbO1uEjmPYnkvAmPL/7TYfJe+aiEqZaUay0bX" +
    "wcFI/ygGJMpEoQ/mQj2zP+1i98ZKoGdabkwtdVF1S1ysLratr8JNlBiWGZ6YdDdyCp3mPNUBSXZ0Hz0X7N/kjSpAMJBXTJOuqqP2" +
    "nOEhTj1c/mxpFfJHla7mGj+dqnxaX98/K6IXqn8W8PQNBcYp15Be75zRRjtVtK6nwZnrqp3NMFZMcMPYumPmZ97nWvwJZdSs7sEp" +
    "6Ozs51I13gL1013fY4iQu6KIwlRHx0LY2yzlePj9r1O5ab0uefcRAkRcdQ0LBCWNxV9MnsX2MOgiNDxq9/rsSH1824nY4gsG6ZQZ" +
    "0W5YePbxCAiurv9CauCBPDqhroHWYS77kW9DdCAHxsG5CwWBBtvCqOyVP462317mvlLnL6In4n87LpzbHBo3cWCDVM3FYRMYbqpE" +
    "gfY4+Hg1tIKYauqncTGMY3WomQk5Gakrjx9DJfvSujigeFv/a20EEn/pGHdVTt6ms8jfvFx5PcJsZh43UYJ1xDJlRsua3Tj9/YRq" +
    "WrOVz4E5pC0hLbMOZGxWFsyYqNC9B35h0dAz5LgwMB2+AlvKVioAXBBu0Xj2rZgh91ZV9/WuXV3jcDVY9qdD3pQ8jMug9NUQ08Cd" +
    "NMwWf4AAH9bmcKI2XFpdmcpNrcVXyt/fyh/LW9XjS4JcLU4FCv6he+IETfacZBY1f83Vx5epBUUi/DhLPwMqjxXLmmRgELmTYqhN" +
    "X0gMX7VoXaFmzq3KjtDKLkUDUR5mtPQw2lbpRtQj2WFEJYHWPlb82vjCcpNzv1hXTQPZjnuFaUWoGPmz1CcxFPJ+GNcJtgF9Lzt3" +
    "DXwFIhw5SH6wIZOLUng/w0nSaLznl7GmQ7s426u0M1Nr5WEWZ9v1up5Jdim8AlNQLkoFWNLa4g6bjk9vlBKvO4BLqv9bmjRdld9j" +
    "qy6HtSzFH9KSZMxLIFGc/tj49QRTU81KRZcX8N1JVH1EJn5QRDd25MAA",
  "base64",
);

/** The key frame's size in the frame header (14-bit width and height, after the start code). */
export const KEY_FRAME_SIZE = {
  width: KEY_FRAME.readUInt16LE(6) & 0x3fff,
  height: KEY_FRAME.readUInt16LE(8) & 0x3fff,
};

/** One synthetic frame's RTP payload: descriptor (with picture id) + the key frame. */
export function vp8Payload(pictureId: number): Buffer {
  const descriptor = Buffer.alloc(4);
  // X=1 (extension follows), S=1 (start of partition), PID=0 (partition 0): a frame starts here.
  descriptor[0] = 0x90;
  // Extension byte: I=1 (picture id present).
  descriptor[1] = 0x80;
  // Picture id, 15 bits (M=1).
  descriptor.writeUInt16BE(0x8000 | (pictureId & 0x7fff), 2);
  return Buffer.concat([descriptor, KEY_FRAME]);
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
