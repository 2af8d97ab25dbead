// A socket.io-client parser for simulated users that reads only what the bench needs. Hundreds of
// receivers share one generator process, where real people each have their own CPU: parsing every
// payload of a 500-member room one after the other would put the generator's JSON.parse into the
// figure. Events from the server (`2["name",{…}]`, default namespace, no ack id) are passed on as
// their name and the raw JSON text; everything else (connect, acks, errors) is decoded as usual.
import { Decoder, Encoder, PacketType } from "socket.io-parser";

class LazyDecoder extends Decoder {
  override add(chunk: unknown): void {
    if (typeof chunk === "string" && chunk.startsWith('2["')) {
      const end = chunk.indexOf('"', 3);
      this.emitReserved("decoded", { type: PacketType.EVENT, nsp: "/", data: [chunk.slice(3, end), chunk] });
      return;
    }
    super.add(chunk);
  }
}

/** Pass as socket.io-client's `parser` option: listeners get the event's raw JSON as their one argument. */
export const lazyParser = { Encoder, Decoder: LazyDecoder };
