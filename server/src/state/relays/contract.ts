// The Store's TURN credential holders per client address: a credential works for whoever holds it
// until it expires (coturn's `use-auth-secret` cannot revoke one), and coturn's `user-quota` bounds
// each user's allocations, so without a bound per address one address could make sessions (each a new
// user) until their credentials together reach coturn's `total-quota`. The Store keeps, per address,
// who holds a live credential until when. A holder's place is freed by its credential's expiry alone:
// leaving (or the session's end) frees nothing, since the credential it was given still works until then.
import { methodsOf } from "../methods.js";

export interface RelaysStore {
  /**
   * Records that `userId`, from client `address`, holds a TURN credential until `until` (epoch ms),
   * unless `max` other users from that address hold live ones at `now`: then nothing is recorded and
   * the answer is the ms until the first of theirs expires. Null when recorded (a holder asking again
   * only moves its own expiry later; it never counts twice).
   */
  holdRelay(address: string, userId: string, until: number, max: number, now: number): Promise<number | null>;
}

/** The names composeStore binds (the compiler keeps this list equal to RelaysStore's methods). */
export const relaysMethods = methodsOf<RelaysStore>()(["holdRelay"]);
