// A group call of eight through a real Janus (the SFU), deployed as in production: two app instances
// behind nginx and two Janus nodes. Four people are real Chromium pages, two on each instance; four
// are simulated participants in Node (scripts/sfu-sim/: the app's own HTTP + Socket.IO protocol and
// sfu:* signalling, werift peer connections publishing synthetic VP8), two on each instance. Each page
// publishes once and receives everyone else over one subscriber connection, so it holds two peer
// connections however many people are in the call, and decodes video from all seven others (a
// simulated participant's video is one real VP8 key frame sent again and again: a still picture, but
// decoded). Every simulated participant receives frames from all seven others. The speaker highlight
// follows whoever talks; a leaver's tile goes from every page. With E2E_SFU_NODE_DEATH=1, before the
// leaver, the Janus node holding the call is killed with SIGKILL and every page must decode everyone
// again within 10 s (the bound; on this two-core machine it holds only when other work leaves
// room: docs/sfu.md).
//
// What lets four pages of eight run on two shared cores (docs/sfu.md, "The call of eight"): the pages
// are contexts of one Chromium (one browser, GPU, network and audio process, one fake camera), whose
// fake camera plays 320×240 at 10 frames a second (one simulcast layer to encode, small frames to
// decode), and the simulated participants publish at 10 frames a second.
import { loadavg } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimParticipant } from "../scripts/sfu-sim/participant.js";
import type { User } from "./support/browser.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { leaveGroupCall } from "./support/group.js";
import { Scenario } from "./support/scenario.js";
import { participantsOn } from "./support/sfu.js";
import {
  expectFramesFromAll,
  expectFramesIn,
  expectTiles,
  pressStage,
  stageSpeakers,
  tileNames,
} from "./support/stage.js";
import { join, memberItem } from "./support/ui.js";

const ROOM = "GENERAL";
const PAGES = ["Alice", "Bob", "Carol", "Dave"];
const SIMS = ["Sim 1", "Sim 2", "Sim 3", "Sim 4"];
const EVERYONE = [...PAGES, ...SIMS];
/** Under a heavy load a subscription's first frames can take far longer than a UI action. */
const FIRST_FRAMES = { timeout: 60_000 };
/** The bound: media back on every page this long after the node holding the call is killed. */
const MEDIA_BACK_MS = 10_000;
/** A small window: the pages' eight tiles are composited in software, the smaller the cheaper. */
const VIEWPORT = { width: 800, height: 600 };
/** The simulated participants' frame rate: the pages' camera's. */
const SIM_FPS = 10;

/**
 * The node-death case asserts the 10 s bound, which this two-core machine only meets when
 * other work leaves it room (docs/sfu.md, "The call of eight"): it runs when asked.
 */
const NODE_DEATH = process.env.E2E_SFU_NODE_DEATH === "1";

let scenario: Scenario<ClusterApp>;
const sims: SimParticipant[] = [];
/** The four pages, in PAGES' order, once the first case opened them. */
let users: User[] = [];
const started = performance.now();

const load = () =>
  loadavg()
    .map((figure) => figure.toFixed(1))
    .join(" ");

/** Prints how far the file got, and the machine's load then. */
const took = (what: string) =>
  console.log(
    `sfu-eight: ${what} after ${((performance.now() - started) / 1000).toFixed(1)} s (load ${load()})`,
  );

/** The simulated participants' and the pages' user ids, from the call as the first one sees it. */
const ids = () => new Map((sims[0]!.call?.participants ?? []).map((person) => [person.name, person.id]));

/** Every simulated participant receives `frames` more frames from each of the seven others. */
async function simsReceiveEveryone(frames: number): Promise<void> {
  const known = ids();
  expect([...known.keys()].sort()).toEqual([...EVERYONE].sort());
  await Promise.all(
    sims.map(async (sim) => {
      const from = [...known].filter(([, id]) => id !== sim.userId);
      const before = from.map(([, id]) => sim.framesFrom(id));
      const lagging = () =>
        from.filter(([, id], i) => sim.framesFrom(id) <= before[i]! + frames).map(([name]) => name);
      await expect.poll(lagging, { ...FIRST_FRAMES, message: `${sim.name} gets nothing from` }).toEqual([]);
      expect(sim.problems).toEqual([]);
    }),
  );
}

/** Everyone in the call but `name`. */
const othersOf = (name: string) => EVERYONE.filter((other) => other !== name);

/** The page's open peer connections (the media probe records every one the page made). */
const openConnections = (user: User) =>
  user.page.evaluate(
    () => (window.__e2eMedia?.peers ?? []).filter((peer) => peer.connectionState !== "closed").length,
  );

/** What the page's camera sends, per simulcast layer ("h 320x240 10fps"), for the run's log. */
const sentLayers = (user: User) =>
  user.page.evaluate(async () => {
    const layers: string[] = [];
    for (const peer of window.__e2eMedia?.peers ?? []) {
      if (peer.connectionState === "closed") continue;
      (await peer.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === "outbound-rtp" && s.kind === "video" && s.frameWidth)
          layers.push(`${String(s.rid)} ${s.frameWidth}x${s.frameHeight} ${s.framesPerSecond ?? "?"}fps`);
      });
    }
    return layers.join(", ");
  });

describe("a call of eight", () => {
  beforeAll(async () => {
    scenario = await Scenario.on("sfu-eight", () => startClusterApp(2, {}, { janus: 2 }));
  });

  afterAll(async () => {
    await Promise.allSettled(sims.map((sim) => sim.close()));
    await scenario?.close();
  });

  it("holds a call of eight (four pages, four simulated) through Janus: media from everyone on every page, the speaker highlighted", async () => {
    const { app } = scenario;
    // One Chromium for the four pages; a voice-like microphone (Chromium's beep averages as silence).
    const browser = await scenario.launchBrowser({ camera: "small", microphone: "voice" });
    // Alternating instances: app1, app2, app1, app2 for the pages and for the simulated participants.
    const instanceOf = (i: number) => `app${(i % 2) + 1}`;
    users = await Promise.all(
      PAGES.map(async (name, i) =>
        scenario.open(name, {
          browser,
          tab: await app.tabOn(instanceOf(i), name.toLowerCase()),
          viewport: VIEWPORT,
        }),
      ),
    );
    await Promise.all(users.map((user) => join(user.page, user.name, ROOM)));
    for (const { page } of users) for (const name of PAGES) await memberItem(page, name).waitFor();
    const byName = (name: string) => users.find((user) => user.name === name)!;
    took("pages in the room");

    await scenario.step("four simulated participants start the call and publish", async () => {
      const connected = await Promise.all(
        SIMS.map(async (name, i) => {
          const tab = await app.tabOn(instanceOf(i), `sim${i + 1}`);
          return SimParticipant.connect({ url: app.url, name, room: ROOM, tab, fps: SIM_FPS });
        }),
      );
      sims.push(...connected);
      const callId = await sims[0]!.startCall();
      await Promise.all(sims.slice(1).map((sim) => sim.joinCall(callId)));
      await Promise.all(sims.map((sim) => sim.startMedia()));
    });
    took("simulated participants in");

    await scenario.step("the four pages join the call at once, two on each instance", async () => {
      await Promise.all(
        users.map(async (user) => {
          await user.page.getByRole("button", { name: "Join group call", exact: true }).click();
          const tiles = [...othersOf(user.name), `${user.name} (you)`].sort();
          await expect.poll(() => tileNames(user.page), FIRST_FRAMES).toEqual(tiles);
        }),
      );
    });
    took("pages in the call");

    await scenario.step("every page decodes video from all seven others, over two connections", async () => {
      await Promise.all(
        users.map(async (user) => {
          await expectFramesFromAll(user.page, othersOf(user.name), 10, FIRST_FRAMES);
          // A mesh of eight would hold seven; through the SFU, one publisher and one subscriber.
          expect(await openConnections(user)).toBe(2);
        }),
      );
    });
    took("every page decoding everyone");
    console.log(`sfu-eight: Alice's camera sends ${await sentLayers(byName("Alice"))}`);

    await scenario.step("every simulated participant receives frames from all seven others", () =>
      simsReceiveEveryone(10),
    );
    took("every simulated participant receiving everyone");

    await scenario.step("the highlight follows whoever talks: Dave, then Alice", async () => {
      const [alice, bob, carol, dave] = users as [User, User, User, User];
      const mute = (user: User) => pressStage(user.page, "Mute microphone", "Unmute microphone");
      const unmute = (user: User) => pressStage(user.page, "Unmute microphone", "Mute microphone");
      /** Every page highlights `talker` (its own page, "<talker> (you)") and no one else. */
      const highlighted = (talker: User) =>
        Promise.all(
          users.map((user) =>
            expect
              .poll(() => stageSpeakers(user.page), { ...FIRST_FRAMES, message: `${user.name}'s highlight` })
              .toEqual([user === talker ? `${talker.name} (you)` : talker.name]),
          ),
        );
      await Promise.all([alice, bob, carol].map(mute));
      await highlighted(dave);
      await mute(dave);
      await unmute(alice);
      await highlighted(alice);
    });
    took("the highlight followed the talker");
    expect(scenario.pageErrors()).toEqual([]);
  }, 180_000);

  it.runIf(NODE_DEATH)(
    "brings media back on every page within 10 s when the Janus node holding the call is killed",
    async () => {
      const { app } = scenario;
      await scenario.step(
        "the node holding the call dies: every page decodes everyone again within 10 s",
        async () => {
          const nodes = app.cluster.janus!.nodes;
          const counts = await Promise.all(nodes.map(participantsOn));
          expect(counts.reduce((a, b) => a + b)).toBe(8);
          const holding = nodes[counts.findIndex((count) => count > 0)]!;
          await holding.stop("SIGKILL");
          const killedAt = performance.now();
          // The call moved once the room heard so (sfu:moved, after the heartbeat's 3 s lapse and a
          // sweep): frames counted from then on are the new node's, none left over from the dead one.
          await expect.poll(() => sims.every((sim) => sim.moves > 0), FIRST_FRAMES).toBe(true);
          const moved = performance.now() - killedAt;
          const back = await Promise.all(
            users.map(async (user) => {
              const times = await expectFramesFromAll(user.page, othersOf(user.name), 3, FIRST_FRAMES);
              const [last, at] = [...times].sort((a, b) => b[1] - a[1])[0]!;
              return { ms: at - killedAt, last };
            }),
          );
          const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
          console.log(
            `sfu-eight: moved ${seconds(moved)} after SIGKILL; media from all seven back on each page after ` +
              `${back.map(({ ms, last }) => `${seconds(ms)} (${last} last)`).join(", ")} (load ${load()})`,
          );
          await simsReceiveEveryone(3);
          expect(Math.max(...back.map(({ ms }) => ms))).toBeLessThanOrEqual(MEDIA_BACK_MS);
        },
      );
      took("the call moved");
    },
    120_000,
  );

  it("takes a leaver's tile from every page", async () => {
    await scenario.step("a leaver's tile goes from every page", async () => {
      const [alice, , , dave] = users as [User, User, User, User];
      await leaveGroupCall(dave.page);
      const staying = othersOf("Dave");
      await Promise.all(
        users
          .filter((user) => user !== dave)
          .map((user) =>
            expectTiles(
              user.page,
              staying.map((name) => (name === user.name ? `${name} (you)` : name)),
            ),
          ),
      );
      await expectFramesIn(alice.page, "Carol");
    });
    took("done");
    expect(scenario.pageErrors()).toEqual([]);
  }, 60_000);
});
