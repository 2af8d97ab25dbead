// Runtime validation of everything a client sends: socket payloads and HTTP bodies.
// Objects are strict, so a field the contract does not know (a `from`, a `userId`) is rejected, not trusted.
import { z } from "zod";
import type { ClientToServerEvents } from "./protocol.js";
import { hasVisibleLetterOrDigit, rendersAsNothing, stripInvisible } from "./text.js";

export const NAME_MAX_LENGTH = 32;
export const MESSAGE_MAX_LENGTH = 2000;

/** Letters of any script (with their combining marks), digits, spaces and `_ - .`. */
const NAME_PATTERN = /^[\p{L}\p{M}\p{Nd} _.-]+$/u;

/**
 * Normalises (NFC), drops the code points that show nothing (text.ts: default-ignorables such as U+200B,
 * U+034F, variation selectors, the Hangul filler U+3164), trims and folds runs of spaces: what is left
 * is what people see, and it is what is shown.
 */
export function normaliseName(raw: string): string {
  return stripInvisible(raw.normalize("NFC")).trim().replace(/ {2,}/g, " ");
}

export const displayName = z
  .string({ error: "A display name is required" })
  .max(256, "A display name is at most 32 characters")
  .refine((raw) => raw.trim().length > 0, "A display name is required")
  .transform(normaliseName)
  .refine(hasVisibleLetterOrDigit, "A display name needs at least one visible letter or digit")
  .refine(
    (name) => [...name].length <= NAME_MAX_LENGTH,
    `A display name is at most ${NAME_MAX_LENGTH} characters`,
  )
  .refine(
    (name) => NAME_PATTERN.test(name),
    "A display name may hold letters, digits, spaces and _ - . only",
  );

export const roomName = z.string().max(64);

export const createSessionBody = z.strictObject({ name: displayName, room: roomName });

const messageText = z
  .string()
  .max(MESSAGE_MAX_LENGTH * 2, `A message is at most ${MESSAGE_MAX_LENGTH} characters`)
  .refine((text) => text.trim().length > 0, "A message cannot be empty")
  .refine((text) => !rendersAsNothing(text), "A message cannot be only invisible characters")
  .refine(
    (text) => [...text].length <= MESSAGE_MAX_LENGTH,
    `A message is at most ${MESSAGE_MAX_LENGTH} characters`,
  );

export const presenceStatus = z.enum(["online", "absent", "unavailable"]);

const id = z.string().min(1).max(64);
const empty = z.strictObject({});

const sessionDescription = z.strictObject({
  type: z.enum(["offer", "answer", "pranswer", "rollback"]),
  sdp: z.string().max(60_000).optional(),
});

const iceCandidate = z.strictObject({
  candidate: z.string().max(4096),
  sdpMid: z.string().max(256).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/** A perfect-negotiation message: exactly one of a description or a candidate, beside `fields`. */
function oneSignal<T extends z.ZodRawShape>(fields: T) {
  return z
    .strictObject({
      ...fields,
      description: sessionDescription.optional(),
      candidate: iceCandidate.nullable().optional(),
    })
    .refine(
      (signal: { description?: unknown; candidate?: unknown }) =>
        (signal.description === undefined) !== (signal.candidate === undefined),
      "A signal carries either a description or a candidate",
    );
}

/** One schema per client->server event, keyed by event name. */
export const eventSchemas = {
  "room:join": z.strictObject({ room: roomName }),
  "room:message": z.strictObject({
    text: messageText,
    nonce: z
      .string()
      .regex(/^[\w-]{8,64}$/)
      .optional(),
    retry: z.boolean().optional(),
  }),
  "room:typing": z.strictObject({ typing: z.boolean() }),
  "presence:set": z.strictObject({ status: presenceStatus }),
  "presence:idle": z.strictObject({ idle: z.boolean() }),
  "session:leave": empty,
  "rooms:watch": z.strictObject({ watch: z.boolean() }),
  "private:open": z.strictObject({ with: id }),
  "private:message": z.strictObject({ text: messageText }),
  "private:typing": z.strictObject({ typing: z.boolean() }),
  "private:close": empty,
  "call:invite": empty,
  "call:answer": z.strictObject({ callId: id, accept: z.boolean() }),
  "call:signal": oneSignal({ callId: id }),
  "call:end": z.strictObject({ callId: id }),
  "call:ice-servers": empty,
  "call:media": z.strictObject({ audio: z.boolean(), video: z.boolean(), screen: z.boolean() }),
  "group:start": empty,
  "group:join": z.strictObject({ callId: id }),
  "group:leave": empty,
  "group:invite": z.strictObject({ with: id }),
  "group:decline": z.strictObject({ callId: id }),
  "group:signal": oneSignal({ callId: id, peer: id }),
} as const satisfies EventSchemas;

/** The payload type protocol.ts declares for client->server event `E`. */
type Payload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/**
 * What the table must be, checked by the compiler: one schema for exactly every client->server event
 * (`satisfies` rejects a missing and an unknown name), whose output (what a handler gets) is that
 * event's payload type.
 */
type EventSchemas = { [E in keyof ClientToServerEvents]: z.ZodType<Payload<E>> };

/** `true` when A and B accept the same values and name the same fields (an extra optional one too). */
type SameShape<A, B> = [A, keyof A] extends [B, keyof B]
  ? [B, keyof B] extends [A, keyof A]
    ? true
    : false
  : false;

/** Per event: does the schema's input (what passes validation) have the payload type's shape? */
type Agreement = {
  [E in keyof ClientToServerEvents]: SameShape<z.input<(typeof eventSchemas)[E]>, Payload<E>>;
};

/** Accepts only `true`: a failing check is a compile error naming the events that differ. */
type Assert<T extends true> = T;

/**
 * Compile-time proof that protocol.ts and this table cannot drift: every event's payload type and its
 * schema's input are the same shape, else the build fails naming the event.
 */
export type ContractHolds = Assert<
  Agreement extends Record<keyof ClientToServerEvents, true>
    ? true
    : { [E in keyof Agreement as Agreement[E] extends true ? never : E]: "differs from its schema" }
>;

export const handshakeAuth = z.object({
  token: z.string().min(16).max(128),
  lastMessageId: z.number().int().min(0).optional(),
  lastRoom: z.string().max(64).optional(),
  page: z.string().min(1).max(64).optional(),
});

/** The first problem in a zod error, worded for a person. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid payload";
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}
