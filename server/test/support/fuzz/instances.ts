// The two instances of a fuzz run and their Redis. In-process instances, not processes: a start
// costs milliseconds rather than a second of tsx, which buys many more runs per budget, and the
// checks can read each socket's Socket.IO rooms. A kill is `Instance.crash()`: the Store's Redis
// connections drop before the sockets are cut, so nothing is detached or retired, as with SIGKILL.
// A restart uses the same INSTANCE_ID: a new incarnation that must take over what the old one left.
import { loadConfig } from "../../../src/config.js";
import { createInstance, type Instance } from "../../../src/server.js";
import type { RedisProcess } from "../redis.js";
import type { Truth } from "./truth.js";

/** Short deadlines, so that a run can wait for the Store to settle within seconds. */
export const FUZZ_ENV = {
  SESSION_GRACE_MS: "1500",
  ORPHAN_GRACE_MS: "1500",
  INSTANCE_TTL_MS: "1500",
  HEARTBEAT_INTERVAL_MS: "250",
  REAPER_INTERVAL_MS: "100",
  CALL_RING_TIMEOUT_MS: "2000",
  MESSAGE_RATE_PER_10S: "100000",
  MAX_CONNECTIONS_PER_SESSION: "3",
  REDIS_PREFIX: "fuzz",
};

export interface Slot {
  id: string;
  instance?: Instance;
  url?: string;
  starting?: Promise<void>;
}

export interface Live {
  slot: Slot;
  instance: Instance;
  url: string;
}

export class Instances {
  readonly slots: Slot[] = [{ id: "fuzz-a" }, { id: "fuzz-b" }];
  private thawTimer?: NodeJS.Timeout;

  constructor(
    readonly redis: RedisProcess,
    private readonly truth: Truth,
    private readonly note: (line: string) => void,
  ) {}

  slot(index: number): Slot {
    return this.slots[index % this.slots.length]!;
  }

  live(): Live[] {
    return this.slots.flatMap((slot) =>
      slot.instance && slot.url ? [{ slot, instance: slot.instance, url: slot.url }] : [],
    );
  }

  /** The instance a tab or request goes to: `on` if it is up, else the other one. */
  pick(on: number): Live | undefined {
    const live = this.live();
    return live.find((entry) => entry.slot === this.slot(on)) ?? live[0];
  }

  async start(index: number): Promise<void> {
    const slot = this.slot(index);
    if (slot.instance || slot.starting) return this.note(`start ${slot.id}: already up`);
    slot.starting = this.boot(slot).finally(() => (slot.starting = undefined));
    await slot.starting;
  }

  private async boot(slot: Slot): Promise<void> {
    let ending = false;
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      CLIENT_DIST: "/nonexistent",
      ...FUZZ_ENV,
      REDIS_URL: this.redis.url,
      INSTANCE_ID: slot.id,
    });
    const instance = createInstance(config, { logger: this.truth.logger(slot.id, () => ending) });
    this.truth.observe(instance.store);
    const port = await instance.listen();
    const close = instance.close.bind(instance);
    const crash = instance.crash.bind(instance);
    // Errors an instance logs while it is being stopped or killed are the stop's, not bugs.
    instance.close = () => ((ending = true), close());
    instance.crash = () => ((ending = true), crash());
    slot.instance = instance;
    slot.url = `http://127.0.0.1:${port}`;
    this.note(`start ${slot.id}: up as ${instance.instanceKey}`);
  }

  /** Kills or cleanly stops an instance; the last live one comes back under the same id at once. */
  async halt(index: number, how: "kill" | "stop"): Promise<void> {
    const slot = this.slot(index);
    const instance = slot.instance;
    if (!instance) return this.note(`${how} ${slot.id}: already down`);
    const last = this.live().length === 1;
    slot.instance = slot.url = undefined;
    this.note(`${how} ${slot.id} (${instance.instanceKey})`);
    await (how === "kill" ? instance.crash() : instance.close());
    if (last) await this.start(index);
  }

  /** Freezes redis-server (SIGSTOP) for `ms`; commands queue meanwhile, as in a long stall. */
  freeze(ms: number): void {
    if (this.thawTimer) return this.note("pause: Redis is already frozen");
    this.redis.signal("SIGSTOP");
    this.thawTimer = setTimeout(() => this.thaw(), ms);
    this.note(`Redis frozen for ${ms} ms`);
  }

  thaw(): void {
    if (!this.thawTimer) return;
    clearTimeout(this.thawTimer);
    this.thawTimer = undefined;
    this.redis.signal("SIGCONT");
  }

  /** Thaws Redis and closes every live instance cleanly. */
  async closeAll(): Promise<void> {
    this.thaw();
    await Promise.all(this.slots.map((slot) => slot.starting));
    await Promise.all(this.live().map(({ instance }) => instance.close().catch(() => undefined)));
  }
}
