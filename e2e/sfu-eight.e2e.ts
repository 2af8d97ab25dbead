// Opt-in (E2E_SFU_EIGHT=1), NOT PASSING on this machine yet (docs/sfu.md, "Left to do"): at loads of
// 16–55 the four pages stopped answering within 10 s once all eight were in.
// A group call of eight through a real Janus (the SFU), deployed as in production: two app instances
// behind nginx and two Janus nodes. Four people are real Chromium pages, two on each instance; four
// are simulated participants in Node (scripts/sfu-sim/: the app's own HTTP + Socket.IO protocol and
// sfu:* signalling, werift peer connections publishing synthetic VP8), two on each instance. Each page
// publishes once and receives everyone else over one subscriber connection, so it holds two peer
// connections however many people are in the call, and decodes video from all seven others (a
// simulated participant's video is one real VP8 key frame sent again and again: a still picture, but
// decoded). Every simulated participant receives frames from all seven others. A leaver's tile goes
// from every page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimParticipant } from "../scripts/sfu-sim/participant.js";
import type { User } from "./support/browser.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { joinGroupCall, leaveGroupCall } from "./support/group.js";
import { Scenario } from "./support/scenario.js";
import { expectFramesIn, expectTiles, MEDIA_TIMEOUT } from "./support/stage.js";
import { join, memberItem } from "./support/ui.js";

const ROOM = "GENERAL";
const PAGES = ["Alice", "Bob", "Carol", "Dave"];
const SIMS = ["Sim 1", "Sim 2", "Sim 3", "Sim 4"];
/** Under a heavy load a subscription's first frames can take far longer than a UI action. */
const FIRST_FRAMES = { timeout: 60_000 };

/** Run only when asked: the suite's time budget on two shared cores does not hold four pages of eight. */
const OPTED_IN = process.env.E2E_SFU_EIGHT === "1";

let scenario: Scenario<ClusterApp>;
const sims: SimParticipant[] = [];

describe.runIf(OPTED_IN)("a call of eight", () => {
  beforeAll(async () => {
    scenario = await Scenario.on("sfu-eight", () => startClusterApp(2, {}, { janus: 2 }));
  });

  afterAll(async () => {
    await Promise.allSettled(sims.map((sim) => sim.close()));
    await scenario?.close();
  });

  /** The page's open peer connections (the media probe records every one the page made). */
  const openConnections = (user: User) =>
    user.page.evaluate(
      () => (window.__e2eMedia?.peers ?? []).filter((peer) => peer.connectionState !== "closed").length,
    );

  it("holds a call of eight (four pages, four simulated) through Janus, with media from everyone on every page", async () => {
    const { app } = scenario;
    const started = performance.now();
    const took = (what: string) =>
      console.log(`sfu-eight: ${what} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Alternating instances: app1, app2, app1, app2 for the pages and for the simulated participants.
    const instanceOf = (i: number) => `app${(i % 2) + 1}`;
    const users: User[] = [];
    for (const [i, name] of PAGES.entries())
      users.push(await scenario.open(name, { tab: await app.tabOn(instanceOf(i), name.toLowerCase()) }));
    for (const user of users) await join(user.page, user.name, ROOM);

    await scenario.step("four simulated participants start the call and publish", async () => {
      for (const [i, name] of SIMS.entries()) {
        const tab = await app.tabOn(instanceOf(i), `sim${i + 1}`);
        // 5 fps: each page decodes four still pictures beside three cameras on two shared cores.
        const sim = await SimParticipant.connect({ url: app.url, name, room: ROOM, tab, fps: 5 });
        sims.push(sim);
        if (i === 0) await sim.startCall();
        else await sim.joinCall(sims[0]!.callId!);
        await sim.startMedia();
      }
    });

    took("simulated participants in");
    await scenario.step("four pages join the call, two on each instance", async () => {
      for (const { page } of users) for (const name of PAGES) await memberItem(page, name).waitFor();
      for (const [i, user] of users.entries())
        await joinGroupCall(user.page, user.name, [...SIMS, ...PAGES.slice(0, i)]);
    });

    took("pages in");
    await scenario.step("every page decodes video from all seven others, over two connections", async () => {
      await Promise.all(
        users.map(async (user) => {
          for (const other of [...PAGES, ...SIMS])
            if (other !== user.name) await expectFramesIn(user.page, other);
          // A mesh of eight would hold seven; through the SFU, one publisher and one subscriber.
          await expect.poll(() => openConnections(user), MEDIA_TIMEOUT).toBe(2);
        }),
      );
    });

    took("every page decoding everyone");
    await scenario.step("every simulated participant receives frames from all seven others", async () => {
      const ids = new Map<string, string>(sims.map((sim) => [sim.name, sim.userId]));
      // The pages' user ids, from the call's participants as the first simulated one saw them joining.
      for (const person of sims[0]!.call?.participants ?? []) ids.set(person.name, person.id);
      expect([...ids.keys()].sort()).toEqual([...PAGES, ...SIMS].sort());
      for (const sim of sims) {
        for (const [name, id] of ids) {
          if (id === sim.userId) continue;
          const before = sim.framesFrom(id);
          await expect
            .poll(() => sim.framesFrom(id), { ...FIRST_FRAMES, message: `${sim.name} ← ${name}` })
            .toBeGreaterThan(before + 10);
        }
        expect(sim.problems).toEqual([]);
      }
    });

    took("every simulated participant receiving everyone");
    await scenario.step("a leaver's tile goes from every page", async () => {
      const dave = users[3]!;
      await leaveGroupCall(dave.page);
      for (const user of users.slice(0, 3)) {
        const others = [...SIMS, ...PAGES.slice(0, 3)];
        await expectTiles(
          user.page,
          others.map((name) => (name === user.name ? `${name} (you)` : name)),
        );
      }
      await expectFramesIn(users[0]!.page, "Carol");
    });
    took("done");
    expect(scenario.pageErrors()).toEqual([]);
    // Four browsers encoding and decoding on two shared cores, beside the simulated four: minutes.
  }, 300_000);
});
