// The edge of every client->server event: validate, charge the user's limit, call the feature,
// acknowledge. Errors users can cause come back as error acks; exceptions are bugs, logged here once
// and never sent to clients.
import type { Socket } from "socket.io";
import type { z } from "zod";
import type { Ack, AckCallback, ClientToServerEvents, ErrorCode } from "../protocol.js";
import { eventSchemas, firstIssue } from "../schemas.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { countRefusal, countSent, refusedEarly } from "./flood.js";
import { rateLimited } from "./limits.js";

type EventName = keyof ClientToServerEvents & keyof typeof eventSchemas;
type AckOf<E extends EventName> =
  Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer T> ? Ack<T> : never;
type PayloadOf<E extends EventName> = z.output<(typeof eventSchemas)[E]>;

export const fail = (code: ErrorCode, message: string) => ({ ok: false as const, error: { code, message } });

export function on<E extends EventName>(
  socket: AppSocket,
  deps: Pick<RealtimeDeps, "logger" | "limits" | "config"> & Partial<Pick<RealtimeDeps, "recoverSession">>,
  event: E,
  handle: (payload: PayloadOf<E>) => Promise<AckOf<E>>,
  invalidCode: ErrorCode = "invalid_payload",
): void {
  const listener = async (payload: unknown, ack: unknown) => {
    if (typeof ack !== "function") {
      deps.logger.warn(
        { event, userId: socket.data.userId },
        "event without acknowledgement callback ignored",
      );
      countRefusal(socket, deps);
      return;
    }
    const reply = ack as (
      response: AckOf<E> | ReturnType<typeof fail> | ReturnType<typeof rateLimited>,
    ) => void;
    if (refusedEarly(socket, deps, event, reply)) return;
    const parsed = eventSchemas[event].safeParse(payload);
    if (!parsed.success) {
      reply(fail(invalidCode, firstIssue(parsed.error)));
      countRefusal(socket, deps);
      return;
    }
    countSent(socket, deps, event);
    try {
      const waitMs = await deps.limits.charge(event, socket.data.userId, parsed.data);
      if (waitMs !== null) {
        reply(rateLimited(waitMs));
        countRefusal(socket, deps);
        return;
      }
      let result = await handle(parsed.data as PayloadOf<E>);
      // A connected socket whose session the Store lost: rebuild it and try once more, or close it.
      if (!result.ok && result.error.code === "session_unknown" && deps.recoverSession) {
        if (await deps.recoverSession(socket)) result = await handle(parsed.data as PayloadOf<E>);
      }
      reply(result);
      if (!result.ok && result.error.code === "rate_limited") countRefusal(socket, deps); // feature-charged
    } catch (error) {
      deps.logger.error({ err: error, event, userId: socket.data.userId }, "event handler failed");
      reply(fail("internal", "Something went wrong on our side. Please try again."));
    }
  };
  // The listener takes `unknown`: what arrives is whatever a client sent, not what the types promise.
  (socket as unknown as Socket).on(event as string, listener);
}
