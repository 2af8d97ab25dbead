// The edge of every client->server event: validate, charge the user's limit, call the feature,
// acknowledge. Errors users can cause come back as error acks; exceptions are bugs, logged here once
// and never sent to clients. Features register their handlers once per server in an `Events` table;
// each socket gets one listener that dispatches through it, rather than a closure per event per socket.
import type { Socket } from "socket.io";
import type { z } from "zod";
import type { Ack, AckCallback, ClientToServerEvents, ErrorCode } from "@videochat/protocol";
import { eventSchemas, firstIssue } from "@videochat/protocol/schemas";
import { fail, unavailable } from "./acks.js";
import { isRetryable } from "../redis/replicated.js";
import type { Metrics } from "../metrics.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { countRefusal, countSent, isCut, refusedEarly } from "./flood.js";
import { rateLimited } from "./limits.js";
import { TEXTS } from "../error-texts.js";

type EventName = keyof ClientToServerEvents & keyof typeof eventSchemas;
type AckOf<E extends EventName> =
  Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer T> ? Ack<T> : never;
type PayloadOf<E extends EventName> = z.output<(typeof eventSchemas)[E]>;

/** A feature's answer to one event from `socket` (the sender), with its validated payload. */
export type Handle<E extends EventName> = (socket: AppSocket, payload: PayloadOf<E>) => Promise<AckOf<E>>;

/** One registered event: its handler and the error code its invalid payloads get. */
export interface Route<E extends EventName = EventName> {
  event: E;
  handle: Handle<E>;
  invalidCode: ErrorCode;
}

type EdgeDeps = Pick<RealtimeDeps, "logger" | "limits" | "config" | "io" | "store" | "clock"> &
  Partial<Pick<RealtimeDeps, "recoverSession" | "metrics">>;
type Reply = (response: unknown) => void;

/**
 * Answers one event whose route is known: validates `payload`, charges the sender's limit, runs the
 * handler (once more after rebuilding a lost session), and acknowledges through `reply`.
 */
export async function answer<E extends EventName>(
  socket: AppSocket,
  deps: EdgeDeps,
  route: Route<E>,
  payload: unknown,
  reply: Reply,
): Promise<void> {
  const { event, handle } = route;
  // A connection past its budget is refused before parsing: a flood must cost less than it sends.
  if (refusedEarly(socket, deps, event, reply)) return;
  const parsed = eventSchemas[event].safeParse(payload);
  if (!parsed.success) {
    reply(fail(route.invalidCode, firstIssue(parsed.error)));
    countRefusal(socket, deps);
    return;
  }
  countSent(socket, deps, event);
  try {
    // Only a crowded session (Session.crowded) spends its address's budgets.
    const crowded = socket.data.crowded ? socket.data.address : undefined;
    const waitMs = await deps.limits.charge(event, socket.data.userId, parsed.data, crowded);
    if (waitMs !== null) {
      reply(rateLimited(waitMs));
      countRefusal(socket, deps);
      return;
    }
    let result = await handle(socket, parsed.data as PayloadOf<E>);
    // A connected socket whose session the Store lost: rebuild it and try once more, or close it.
    if (!result.ok && result.error.code === "session_unknown" && deps.recoverSession) {
      if (await deps.recoverSession(socket)) result = await handle(socket, parsed.data as PayloadOf<E>);
    }
    reply(result);
    if (!result.ok && result.error.code === "rate_limited") countRefusal(socket, deps); // feature-charged
  } catch (error) {
    if (isRetryable(error)) {
      deps.logger.warn({ err: error, event, userId: socket.data.userId }, "refused: Redis is switching");
      return reply(unavailable());
    }
    deps.logger.error({ err: error, event, userId: socket.data.userId }, "event handler failed");
    reply(fail("internal", TEXTS.internal.bug));
  }
}

/**
 * `reply`, counting its outcome and timing it from now: per registered event (a client's made-up names
 * all count as "unknown", so no label comes from user input).
 */
function timed(metrics: Metrics, route: Route | undefined, reply: Reply): Reply {
  const acked = metrics.eventStarted(route?.event ?? "unknown");
  return (response) => {
    acked(response);
    reply(response);
  };
}

/** Every feature's handlers, registered once per server, and the one listener each socket gets. */
export class Events {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly deps: EdgeDeps) {}

  /** Registers the handler of `event`; `invalidCode` is what a payload that fails its schema gets. */
  on<E extends EventName>(event: E, handle: Handle<E>, invalidCode: ErrorCode = "invalid_payload"): void {
    this.routes.set(event, { event, handle, invalidCode } as unknown as Route);
  }

  /** Answers every event `socket` sends from now on. */
  attach(socket: AppSocket): void {
    // What arrives is whatever a client sent, not what the types promise: hence `unknown`.
    (socket as unknown as Socket).onAny(
      (event: unknown, payload: unknown, ack: unknown) => void this.dispatch(socket, event, payload, ack),
    );
  }

  /** One event from `socket`: unknown events and events without an ack are refused here. */
  dispatch(socket: AppSocket, event: unknown, payload: unknown, ack: unknown): Promise<void> {
    if (isCut(socket, this.deps)) return Promise.resolve();
    const route = typeof event === "string" ? this.routes.get(event) : undefined;
    if (typeof ack === "function" && this.deps.metrics) ack = timed(this.deps.metrics, route, ack as Reply);
    if (typeof ack !== "function") {
      this.deps.logger.warn(
        { event: route?.event ?? "unknown", userId: socket.data.userId },
        "event without acknowledgement callback ignored",
      );
      countRefusal(socket, this.deps);
      return Promise.resolve();
    }
    if (!route) {
      (ack as Reply)(fail("invalid_payload", TEXTS.invalid_payload.event));
      countRefusal(socket, this.deps);
      return Promise.resolve();
    }
    return answer(socket, this.deps, route, payload, ack as Reply);
  }
}
