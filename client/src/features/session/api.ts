// The HTTP side of the server: creating a session and listing rooms. Errors come back as values.
import type {
  AppError,
  CreateSessionRequest,
  CreateSessionResponse,
  HttpError,
  RoomsResponse,
} from "@videochat/protocol";
import { t } from "../../i18n";
import { type ErrorContext, errorText } from "../../i18n/errors";
import { stripInvisible } from "@videochat/protocol/text";
import { tabId } from "./tabStorage";
import { retryWhileUnavailable } from "./unavailable";

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: AppError | ClientError };

/** Failures the client notices itself, before or instead of a server answer. */
export interface ClientError {
  code: "network" | "unexpected_response";
  message: string;
}

function isHttpError(body: unknown): body is HttpError {
  const error = (body as HttpError | null)?.error;
  return typeof error?.code === "string" && typeof error.message === "string";
}

/** Every request names its tab, so nginx sends it to the instance that serves this tab's socket. */
function withTab(path: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}tab=${encodeURIComponent(tabId())}`;
}

/** A request refused as `unavailable` (Redis failing over) is made again by itself for a while. */
const call = <T>(path: string, context: ErrorContext, init?: RequestInit) =>
  retryWhileUnavailable(() => callOnce<T>(path, context, init));

async function callOnce<T>(path: string, context: ErrorContext, init?: RequestInit): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(withTab(path), {
      ...init,
      headers: { Accept: "application/json", ...init?.headers },
    });
  } catch {
    return {
      ok: false,
      error: { code: "network", message: t("errors.network") },
    };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body !== null) return { ok: true, value: body as T };
  if (isHttpError(body))
    return { ok: false, error: { ...body.error, message: errorText(body.error, context) } };
  return {
    ok: false,
    error: {
      code: "unexpected_response",
      message: t("errors.unexpected_response", { status: response.status }),
    },
  };
}

export function createSession(request: CreateSessionRequest): Promise<ApiResult<CreateSessionResponse>> {
  // The name as the server words it back (its schemas' normaliseName: NFC, invisible code points out, spaces folded).
  const name = stripInvisible(request.name.normalize("NFC")).trim().replace(/ {2,}/g, " ");
  return call(
    "/api/session",
    { event: "http:session", name, room: request.room },
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    },
  );
}

export function fetchRooms(): Promise<ApiResult<RoomsResponse>> {
  return call("/api/rooms", { event: "http:rooms" });
}
