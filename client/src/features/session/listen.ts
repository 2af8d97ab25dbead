// A store's socket subscriptions: named handlers registered once, removed when the store's scope ends.
import { onScopeDispose } from "vue";
import type { ServerToClientEvents } from "@videochat/protocol";
import { socket } from "./socket";

export type ServerHandlers = { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] };

type Untyped = { on(event: string, handler: unknown): void; off(event: string, handler: unknown): void };

export function listen(handlers: ServerHandlers, cleanup?: () => void): void {
  const untyped = socket as unknown as Untyped;
  const entries = Object.entries(handlers);
  for (const [event, handler] of entries) untyped.on(event, handler);
  onScopeDispose(() => {
    cleanup?.();
    for (const [event, handler] of entries) untyped.off(event, handler);
  });
}
