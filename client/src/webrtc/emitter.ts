// A small typed event emitter for the framework-free WebRTC classes: events out, no Vue inside.

type Listener<T> = (payload: T) => void;
type Listeners<Events> = { [E in keyof Events]?: Set<Listener<Events[E]>> };

export class Emitter<Events extends object> {
  private listeners: Listeners<Events> = {};

  /** Returns a function that removes the listener again. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const set = (this.listeners[event] ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    // A copy, so a listener that removes itself does not skip the next one.
    for (const listener of [...(this.listeners[event] ?? [])]) listener(payload);
  }

  protected removeAllListeners(): void {
    this.listeners = {};
  }
}
