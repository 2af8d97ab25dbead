// Redis stops for 5 s and comes back: instances reconnect by themselves and state stays consistent.
import { describe, expect, it, vi } from "vitest";
import { closeAll, join, request, waitFor, type Joined } from "./support/clients.js";
import { useProcessesOnDurableRedis } from "./support/harness.js";

const cluster = useProcessesOnDurableRedis(["one", "two"], {
  SESSION_GRACE_MS: "20000",
  REAPER_INTERVAL_MS: "200",
});

describe("Redis restart", () => {
  it("resumes service across instances with consistent state", async () => {
    let alice: Joined | undefined;
    let bob: Joined | undefined;
    try {
      alice = await join(cluster.servers[0]!.url, "Alice");
      bob = await join(cluster.servers[1]!.url, "Bob");
      const before = waitFor(bob.socket, "room:message");
      await request(alice.socket, "room:message", { text: "before the outage" });
      await before;

      await cluster.redis.stop();
      const health = await (await fetch(`${cluster.servers[0]!.url}/api/health`)).json();
      expect(health).toMatchObject({ status: "degraded", redis: "down" });
      // The outage itself: Redis stays down this long on purpose (not a wait for some state).
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await cluster.redis.restart();

      // Both sockets stayed up; cross-instance delivery works again once the instances have reconnected.
      const after = await vi.waitFor(
        async () => {
          const heard = waitFor(bob!.socket, "room:message", (m) => m.text === "after the outage", 1_500);
          const ack = await request(alice!.socket, "room:message", { text: "after the outage" });
          if (!ack.ok) throw new Error(JSON.stringify(ack));
          return heard;
        },
        { timeout: 15_000, interval: 200 },
      );
      expect(after.from.name).toBe("Alice");

      const status = waitFor(alice.socket, "room:member-updated", (d) => d.member.name === "Bob");
      await request(bob.socket, "presence:set", { status: "absent" });
      expect((await status).member.status).toBe("absent");

      // The Store kept everything: a fresh look at the room is exact and history is whole.
      const carol = await join(cluster.servers[0]!.url, "Carol");
      expect(carol.state.members.map((m) => m.name).sort()).toEqual(["Alice", "Bob", "Carol"]);
      expect(carol.state.history.map((m) => m.text)).toContain("before the outage");
      expect(carol.state.history.map((m) => m.text)).toContain("after the outage");
      carol.socket.disconnect();
      for (const server of cluster.servers) {
        expect(await (await fetch(`${server.url}/api/health`)).json()).toMatchObject({
          status: "ok",
          redis: "up",
        });
      }
    } finally {
      closeAll(alice?.socket, bob?.socket);
    }
  }, 60_000);
});
