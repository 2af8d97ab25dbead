// One fuzz run's world: the two instances and Redis (instances.ts), the users and tabs a scenario
// creates, and the steps that act on them, each noted in a transcript printed when the run fails.
import type { CreateSessionResponse } from "@videochat/protocol";
import type { RedisProcess } from "../redis.js";
import { NAMES, ROOMS, describe, type Action, type Emit } from "./actions.js";
import { groupFlow } from "./group.js";
import { Instances, type Live } from "./instances.js";
import { payloadFor } from "./payloads.js";
import { ANSWER_MS, callFlow, send } from "./send.js";
import { Tab, type User } from "./tabs.js";
import { Truth } from "./truth.js";

const MAX_IN_FLIGHT = 8;

export class World {
  readonly truth = new Truth();
  readonly instances: Instances;
  readonly users: User[] = [];
  readonly tabs: Tab[] = [];
  /** How often each event got each answer ("private:open ok", "call:answer no_call"): coverage. */
  readonly outcomes = new Map<string, number>();
  private readonly lines: string[] = [];
  private readonly began = Date.now();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly redis: RedisProcess) {
    this.instances = new Instances(redis, this.truth, (line) => this.note(line));
  }

  note(line: string): void {
    this.lines.push(`${String(Date.now() - this.began).padStart(6)} ms  ${line}`);
  }

  /** What the run did, one line per step and outcome. */
  get transcript(): string {
    return this.lines.join("\n");
  }

  live(): Live[] {
    return this.instances.live();
  }

  /** Runs one step; with `overlap` it keeps running while the next steps start. */
  async step(action: Action, overlap: boolean): Promise<void> {
    const running = this.run(action).catch((error: unknown) => {
      this.truth.problems.push(`the harness failed on ${describe(action)}: ${String(error)}`);
    });
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
    if (!overlap) await running;
    else if (this.inFlight.size > MAX_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  /** Waits for every step still running, and thaws Redis. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    this.instances.thaw();
  }

  start(index: number): Promise<void> {
    return this.instances.start(index);
  }

  /** Kills or stops an instance; with `follow` its tabs reconnect to the other one, as the SPA does. */
  private async halt(index: number, how: "kill" | "stop", follow: boolean): Promise<void> {
    const slot = this.instances.slot(index);
    const served = this.tabs.filter((tab) => tab.connected && tab.slot === slot);
    await this.instances.halt(index, how);
    if (follow) await Promise.all(served.map((tab) => this.connect(tab, index + 1, true)));
  }

  private async run(action: Action): Promise<void> {
    switch (action.kind) {
      case "join":
        return this.join(NAMES[action.name]!, ROOMS[action.room]!, action.via, action.on);
      case "claim":
        return this.claim(action.body, action.via);
      case "tab": {
        const user = this.users[action.user % Math.max(this.users.length, 1)];
        return user ? this.newTab(user, action.on) : this.note("tab: nobody yet");
      }
      case "close": {
        const tab = this.openTab(action.tab);
        if (!tab) return this.note("close: no open tab");
        tab.socket!.disconnect();
        return this.note(`close ${tab.label}`);
      }
      case "reconnect": {
        const closed = this.tabs.filter((candidate) => !candidate.connected);
        const pool = closed.length > 0 ? closed : this.tabs; // a reload when every tab is open
        const tab = pool[action.tab % Math.max(pool.length, 1)];
        return tab ? this.connect(tab, action.on) : this.note("reconnect: no tab yet");
      }
      case "emit":
        return this.emit(action);
      case "call": {
        const caller = this.openTab(action.tab);
        if (!caller) return this.note("call: no open tab");
        return callFlow(this, caller, action.accept, action.hangup);
      }
      case "group": {
        const starter = this.openTab(action.tab);
        if (!starter) return this.note("group call: no open tab");
        return groupFlow(this, starter, action.size, action.leave);
      }
      case "kill":
      case "stop":
        return this.halt(action.instance, action.kind, action.follow);
      case "start":
        return this.start(action.instance);
      case "pause":
        return this.instances.freeze(action.ms);
      case "wait":
        // A pause in the scenario itself (time for deadlines to fire mid-run), not a wait for state.
        await new Promise((resolve) => setTimeout(resolve, action.ms));
        return this.note(`waited ${action.ms} ms`);
    }
  }

  private async join(name: string, room: string, via: number, on: number): Promise<void> {
    const target = this.instances.pick(via);
    if (!target) return this.note(`join ${name}: no instance up`);
    const response = await this.post(target.url, { name, room });
    if (response?.status !== 201)
      return this.note(`join ${name} ${room}: ${response?.status ?? "no answer"}`);
    const { user, token } = response.body as CreateSessionResponse;
    const joined: User = { id: user.id, name: user.name, token, tabs: [] };
    this.users.push(joined);
    this.note(`join ${name} ${room} via ${target.slot.id}: ${user.id}`);
    await this.newTab(joined, on);
  }

  private async claim(body: unknown, via: number): Promise<void> {
    const target = this.instances.pick(via);
    if (!target) return this.note("claim: no instance up");
    const response = await this.post(target.url, body);
    if (response && response.status >= 500)
      this.truth.problems.push(`POST /api/session ${describe(body)} answered ${response.status}`);
    this.note(`claim ${describe(body)}: ${response?.status ?? "no answer"}`);
  }

  private async post(url: string, body: unknown): Promise<{ status: number; body: unknown } | null> {
    try {
      const response = await fetch(`${url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body) ?? "",
        signal: AbortSignal.timeout(ANSWER_MS),
      });
      return { status: response.status, body: await response.json() };
    } catch {
      return null; // the instance went down meanwhile
    }
  }

  /**
   * A connected tab, picked among those connected now; for a chat or call event, among those that
   * are in a chat or heard of a call when there are any, as a person in a chat would act.
   */
  private openTab(index: number, event?: string): Tab | undefined {
    const open = this.tabs.filter((tab) => tab.connected);
    const fits = (tab: Tab) =>
      event === "call:answer" || event === "call:signal" || event === "call:end"
        ? tab.calls.length > 0
        : event === "group:join" || event === "group:signal" || event === "group:decline"
          ? tab.groupCalls.length > 0
          : event?.startsWith("private:") && event !== "private:open"
            ? tab.chatId !== undefined
            : event !== "call:invite" || tab.chatId !== undefined;
    const pool = open.some(fits) && index % 5 !== 0 ? open.filter(fits) : open;
    return pool[index % Math.max(pool.length, 1)];
  }

  private async newTab(user: User, on: number): Promise<void> {
    const tab = new Tab(this.tabs.length, user);
    this.tabs.push(tab);
    user.tabs.push(tab);
    await this.connect(tab, on);
  }

  /** Connects a tab: a reload (a new page), or with `samePage` the same page reconnecting elsewhere. */
  private async connect(tab: Tab, on: number, samePage = false): Promise<void> {
    const target = this.instances.pick(on);
    if (!target) return this.note(`connect ${tab.label}: no instance up`);
    const outcome = await tab.connect(target.slot, target.url, ANSWER_MS, samePage);
    this.note(`connect ${tab.label} to ${target.slot.id}: ${outcome}`);
  }

  private async emit(emit: Emit): Promise<void> {
    const tab = this.openTab(emit.tab, emit.event);
    if (!tab) return this.note(`${emit.event}: no open tab`);
    await send(this, tab, emit.event, payloadFor(emit, tab, this.users), emit.variant, emit.ack);
  }

  /** Closes every tab and instance, thaws and empties Redis. */
  async teardown(): Promise<void> {
    for (const tab of this.tabs) tab.socket?.disconnect();
    await this.instances.closeAll();
    await this.redis.flush();
  }
}
