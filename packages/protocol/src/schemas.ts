// Runtime validation of everything a client sends: socket payloads and HTTP bodies.
// Objects are strict, so a field the contract does not know (a `from`, a `userId`) is rejected, not trusted.
import { z } from "zod";
import type { ClientToServerEvents } from "./protocol.js";
import { REACTIONS } from "./reactions.js";
import {
  canonicalEmoji,
  hasVisibleLetterOrDigit,
  isWellFormed,
  rendersAsNothing,
  stripInvisible,
} from "./text.js";

export const NAME_MAX_LENGTH = 32;
export const MESSAGE_MAX_LENGTH = 2000;
/** Distinct reactions a message may carry. */
export const MAX_REACTIONS = 20;
/**
 * Reactor entries (one per person per emoji, summed over its reactions) a message may carry: people
 * who left keep theirs, so without a bound a stream of throwaway sessions would grow every kept
 * message (and the history each joiner is sent) without end.
 */
export const MAX_REACTION_USERS = 500;

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
  .refine(isWellFormed, "A message cannot hold half of a character (a lone surrogate)")
  .refine((text) => text.trim().length > 0, "A message cannot be empty")
  .refine((text) => !rendersAsNothing(text), "A message cannot be only invisible characters")
  .refine(
    (text) => [...text].length <= MESSAGE_MAX_LENGTH,
    `A message is at most ${MESSAGE_MAX_LENGTH} characters`,
  );

/** A message id as the Store gives them (positive integers). */
const messageId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * One emoji (with its modifiers, ZWJ sequence, flag or keycap): only emoji code points, at least one
 * pictograph, flag letter or keycap, at most 16 code points; kept in its canonical spelling.
 */
const emoji = z
  .string()
  .max(64)
  .regex(
    // Emoji_Component holds ZWJ, VS16, the keycap U+20E3, skin tones and tags. The keycap is a
    // combining mark: named outside a class, so it cannot read as joined to another character.
    /^(?=.*(?:[\p{Extended_Pictographic}\p{Regional_Indicator}]|\u20E3))[\p{Emoji}\p{Emoji_Component}]{1,16}$/u,
    "An emoji is expected",
  )
  .transform(canonicalEmoji);

export const presenceStatus = z.enum(["online", "absent", "unavailable"]);

const id = z.string().min(1).max(64);
/** A file transfer's id, chosen by its sender (FileOffer.fileId). */
const fileId = z.string().regex(/^[\w-]{8,64}$/);
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

/** A description of one type with its SDP (Janus negotiates no rollbacks). */
const sdpOf = <T extends "offer" | "answer">(type: T) =>
  z.strictObject({ type: z.literal(type), sdp: z.string().min(1).max(60_000) });

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
    replyTo: messageId.optional(),
  }),
  "room:typing": z.strictObject({ typing: z.boolean() }),
  "presence:set": z.strictObject({ status: presenceStatus }),
  "presence:idle": z.strictObject({ idle: z.boolean() }),
  "session:leave": empty,
  "rooms:watch": z.strictObject({ watch: z.boolean() }),
  "private:open": z.strictObject({ with: id }),
  "private:message": z.strictObject({ text: messageText, replyTo: messageId.optional() }),
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
  "group:hand": z.strictObject({ callId: id, raised: z.boolean() }),
  "call:hand": z.strictObject({ callId: id, raised: z.boolean() }),
  "call:reaction": z.strictObject({ callId: id, reaction: z.enum(REACTIONS) }),
  "sfu:join": z.strictObject({ callId: id }),
  "sfu:publish": z.strictObject({
    callId: id,
    description: sdpOf("offer"),
    screenMid: z.string().min(1).max(8).optional(),
  }),
  "sfu:answer": z.strictObject({ callId: id, description: sdpOf("answer") }),
  "sfu:restart": z.strictObject({ callId: id }),
  "sfu:trickle": z.strictObject({
    callId: id,
    target: z.enum(["publisher", "subscriber"]),
    candidate: iceCandidate.nullable(),
  }),
  "room:edit": z.strictObject({ id: messageId, text: messageText }),
  "room:delete": z.strictObject({ id: messageId }),
  "room:react": z.strictObject({ id: messageId, emoji, on: z.boolean().optional() }),
  "private:edit": z.strictObject({ id: messageId, text: messageText }),
  "private:delete": z.strictObject({ id: messageId }),
  "private:react": z.strictObject({ id: messageId, emoji, on: z.boolean().optional() }),
  "reach:sync": empty,
  "reach:dismiss": z.strictObject({ from: id }),
  "room:read": z.strictObject({ room: roomName, id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
  "file:offer": z.strictObject({
    fileId: fileId,
    name: z.string().trim().min(1).max(255).refine(isWellFormed),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    type: z.string().max(255).refine(isWellFormed),
  }),
  "file:answer": z.strictObject({ fileId: fileId, accept: z.boolean() }),
  "file:signal": oneSignal({ fileId: fileId }),
  "file:cancel": z.strictObject({ fileId: fileId }),
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

/**
 * POST /api/session/reloading: a page loading in a tab whose call place is away (a reload) asks the
 * server to keep the place while it loads (see the client's public/reloading.js).
 */
export const reloadingBody = z.strictObject({
  token: z.string().min(16).max(128),
  tab: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^/]+$/),
});

/** The first problem in a zod error, worded for a person. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid payload";
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}
