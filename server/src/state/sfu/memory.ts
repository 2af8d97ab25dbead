// The SFU part of the in-memory Store, for a single instance. Each method is one synchronous step, so
// it is as atomic as the Redis scripts.
import type { SfuNode, SfuPlacement, SfuStore } from "./contract.js";

export class MemorySfuStore implements SfuStore {
  private readonly nodes = new Map<string, SfuNode>();
  private readonly calls = new Map<string, SfuPlacement>();

  async beatSfuNode(url: string, load: number, aliveUntil: number): Promise<void> {
    this.nodes.set(url, { url, load, aliveUntil });
  }

  async liveSfuNodes(now: number): Promise<SfuNode[]> {
    return [...this.nodes.values()].filter((node) => node.aliveUntil > now).map((node) => ({ ...node }));
  }

  async deadSfuNodes(now: number): Promise<string[]> {
    const holding = new Set([...this.calls.values()].map((call) => call.node));
    return [...holding].filter((url) => (this.nodes.get(url)?.aliveUntil ?? 0) <= now);
  }

  async placeSfuCall(candidate: SfuPlacement): Promise<SfuPlacement> {
    const held = this.calls.get(candidate.callId);
    if (held) return { ...held };
    this.calls.set(candidate.callId, { ...candidate });
    return { ...candidate };
  }

  async sfuPlacementOf(callId: string): Promise<SfuPlacement | null> {
    const held = this.calls.get(callId);
    return held ? { ...held } : null;
  }

  async rehomeSfuCall(callId: string, from: string, next: SfuPlacement): Promise<SfuPlacement | null> {
    const held = this.calls.get(callId);
    if (!held) return null;
    if (held.node === from) this.calls.set(callId, { ...next, callId });
    return { ...this.calls.get(callId)! };
  }

  async sfuCallsOn(url: string): Promise<string[]> {
    return [...this.calls.values()].filter((call) => call.node === url).map((call) => call.callId);
  }

  async dropSfuCall(callId: string): Promise<SfuPlacement | null> {
    const held = this.calls.get(callId);
    this.calls.delete(callId);
    return held ?? null;
  }

  async close(): Promise<void> {}
}
