// A minimal TURN client (RFC 8656 with long-term credentials, RFC 6062 Connect) for tests against a
// real coturn: it speaks only what a test asks (Allocate, CreatePermission, Connect) and reports the
// server's answer as a STUN error code, so a test can tell 486 (quota) from 403 (peer forbidden).
// turnutils_uclient cannot hold 41 allocations open and say which one was refused and why.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, type Socket as TcpSocket } from "node:net";

const MAGIC = 0x2112a442;
const METHOD = { allocate: 0x003, createPermission: 0x008, connect: 0x00a } as const;
const ATTR = {
  username: 0x0006,
  integrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  requestedTransport: 0x0019,
  xorPeerAddress: 0x0012,
} as const;

/** 0 for a success response, else the STUN error code (401, 403, 486, ...). */
export type TurnAnswer = number;

interface Message {
  type: number;
  attrs: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function xorAddress(host: string, port: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeUInt8(1, 1); // IPv4
  value.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const ip = host.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  value.writeUInt32BE((ip ^ MAGIC) >>> 0, 4);
  return value;
}

function encode(method: number, attrs: Buffer[], key?: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt16BE(method, 0);
  head.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(head, 8);
  let body = Buffer.concat(attrs);
  if (key) {
    head.writeUInt16BE(body.length + 24, 2); // the length counts MESSAGE-INTEGRITY itself
    const mac = createHmac("sha1", key)
      .update(Buffer.concat([head, body]))
      .digest();
    body = Buffer.concat([body, attribute(ATTR.integrity, mac)]);
  }
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function decode(data: Buffer): Message & { id: string; size: number } {
  const size = 20 + data.readUInt16BE(2);
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= size;) {
    const type = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    attrs.set(type, data.subarray(at + 4, at + 4 + length));
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: data.readUInt16BE(0), attrs, id: data.subarray(8, 20).toString("hex"), size };
}

const answerOf = (message: Message): TurnAnswer => {
  if ((message.type & 0x0110) === 0x0100) return 0;
  const code = message.attrs.get(ATTR.errorCode);
  return code ? code.readUInt8(2) * 100 + code.readUInt8(3) : -1;
};

/** One TURN control connection (UDP or TCP) to coturn on 127.0.0.1:`port`, with one user's credential. */
export class TurnClient {
  private readonly pending = new Map<string, (message: Message) => void>();
  private key?: Buffer;
  private realm?: Buffer;
  private nonce?: Buffer;
  private received = Buffer.alloc(0);

  private constructor(
    private readonly link: { udp: UdpSocket } | { tcp: TcpSocket },
    private readonly port: number,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** Opens the control connection: a UDP socket or a TCP connection (RFC 6062 needs TCP). */
  static async open(
    transport: "udp" | "tcp",
    port: number,
    credential: { username: string; credential: string },
  ): Promise<TurnClient> {
    if (transport === "udp") {
      const udp = createSocket("udp4");
      await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
      const client = new TurnClient({ udp }, port, credential.username, credential.credential);
      udp.on("message", (data) => client.take(data));
      return client;
    }
    const tcp = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => tcp.once("connect", resolve).once("error", reject));
    const client = new TurnClient({ tcp }, port, credential.username, credential.credential);
    tcp.on("data", (data) => client.takeStream(data));
    tcp.on("error", () => {});
    return client;
  }

  /** Allocates a relay (UDP relay for a UDP control connection; TCP relay, RFC 6062, over TCP). */
  allocate(): Promise<TurnAnswer> {
    const protocol = "udp" in this.link ? 17 : 6;
    return this.ask(METHOD.allocate, [attribute(ATTR.requestedTransport, Buffer.from([protocol, 0, 0, 0]))]);
  }

  /** Asks coturn to let `host` send to the relay (and so the relay to `host`): 403 when the peer is denied. */
  permit(host: string): Promise<TurnAnswer> {
    return this.ask(METHOD.createPermission, [attribute(ATTR.xorPeerAddress, xorAddress(host, 0))]);
  }

  /** RFC 6062 Connect: coturn opens a TCP connection from the relay to `host`:`port`. */
  connectPeer(host: string, port: number): Promise<TurnAnswer> {
    return this.ask(METHOD.connect, [attribute(ATTR.xorPeerAddress, xorAddress(host, port))]);
  }

  close(): void {
    if ("udp" in this.link) this.link.udp.close();
    else this.link.tcp.destroy();
  }

  /** Sends with the credential (after the first 401 taught realm and nonce); retries a stale nonce once. */
  private async ask(method: number, attrs: Buffer[], tries = 3): Promise<TurnAnswer> {
    const signed = this.realm && this.nonce && this.key;
    const auth = signed
      ? [
          attribute(ATTR.username, Buffer.from(this.username)),
          attribute(ATTR.realm, this.realm!),
          attribute(ATTR.nonce, this.nonce!),
        ]
      : [];
    const answer = await this.exchange(encode(method, [...attrs, ...auth], signed ? this.key : undefined));
    const code = answerOf(answer);
    const realm = answer.attrs.get(ATTR.realm);
    const nonce = answer.attrs.get(ATTR.nonce);
    if ((code === 401 || code === 438) && realm && nonce && tries > 1) {
      this.realm = Buffer.from(realm);
      this.nonce = Buffer.from(nonce);
      this.key = createHash("md5").update(`${this.username}:${realm.toString()}:${this.password}`).digest();
      return this.ask(method, attrs, tries - 1);
    }
    return code;
  }

  /** One request, retransmitted over UDP until answered (a busy machine drops nothing, but may be slow). */
  private exchange(request: Buffer): Promise<Message> {
    const id = request.subarray(8, 20).toString("hex");
    return new Promise((resolve, reject) => {
      const send = () => {
        if ("udp" in this.link) this.link.udp.send(request, this.port, "127.0.0.1");
        else this.link.tcp.write(request);
      };
      const resend = "udp" in this.link ? setInterval(send, 1_000) : undefined;
      const timeout = setTimeout(() => {
        clearInterval(resend);
        this.pending.delete(id);
        reject(new Error("coturn did not answer within 15 s"));
      }, 15_000);
      this.pending.set(id, (message) => {
        clearInterval(resend);
        clearTimeout(timeout);
        resolve(message);
      });
      send();
    });
  }

  private take(data: Buffer): void {
    if (data.length < 20) return;
    const message = decode(data);
    const waiting = this.pending.get(message.id);
    this.pending.delete(message.id);
    waiting?.(message);
  }

  private takeStream(data: Buffer): void {
    this.received = Buffer.concat([this.received, data]);
    while (this.received.length >= 20) {
      const size = 20 + this.received.readUInt16BE(2);
      if (this.received.length < size) return;
      this.take(this.received.subarray(0, size));
      this.received = this.received.subarray(size);
    }
  }
}
