// What a group call through Janus does beyond carrying cameras, each case a call of two real pages of
// its own (its own room and names, so one case's leftovers never meet the next): an ICE restart of
// both connections to Janus (what a network change or a TURN renewal does) brings the media back; the
// speaker highlight follows Janus's talking events; a screen share is published as a second stream and
// shows as "<name>'s screen" on the other page; and when the node holding the call is killed with
// SIGKILL, the call moves to the other node and video flows again. Every wait is on a state or on
// frame counts, never a fixed time: a busy two-core machine only makes them slower.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { JanusNodes } from "../scripts/cluster/janus.js";
import { startJanusNodes } from "../server/test/support/janus.js";
import type { OpenOptions, User } from "./support/browser.js";
import { joinGroupCall, startGroupCall } from "./support/group.js";
import { Scenario } from "./support/scenario.js";
import { participantsOn } from "./support/sfu.js";
import { expectFramesIn, pressStage, stageSpeakers, tile, tileVideo } from "./support/stage.js";
import { videoState } from "./support/media.js";
import { join, memberItem } from "./support/ui.js";

/** Each case's room (the app is started with these), so a case never finds the last one's call. */
const ROOMS = { ice: "ICE", speaker: "SPEAKER", share: "SHARE", move: "MOVE" } as const;
/** Under a heavy load a subscription's first frames can take far longer than a UI action. */
const FIRST_FRAMES = { timeout: 60_000 };
/** Two browsers encoding and decoding on two shared cores: minutes, not the default 90 s. */
const CASE_TIMEOUT = 300_000;

let janus: JanusNodes;
let scenario: Scenario;
/** The pages of the running case, closed after it (at most two are open at once). */
const open: User[] = [];

beforeAll(async () => {
  janus = await startJanusNodes(2);
  scenario = await Scenario.start("sfu-media", {
    ...janus.env,
    ROOMS: Object.values(ROOMS).join(","),
    LOG_LEVEL: "info",
  });
});

afterEach(async () => {
  const errors = scenario.pageErrors();
  for (const user of open.splice(0)) await scenario.dismiss(user);
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await scenario?.close();
  await janus?.stop();
});

/** Two people in a group call through Janus in `room`, each decoding the other's camera. */
async function callOfTwo(
  room: string,
  [first, second]: [string, string],
  options: Partial<Record<string, OpenOptions>> = {},
): Promise<[User, User]> {
  const users: User[] = [];
  for (const name of [first, second]) {
    const user = await scenario.open(name, options[name]);
    open.push(user);
    users.push(user);
  }
  for (const user of users) await join(user.page, user.name, room);
  for (const { page } of users) for (const user of users) await memberItem(page, user.name).waitFor();
  const [a, b] = users as [User, User];
  await scenario.step(`${first} and ${second} are in a group call through Janus`, async () => {
    await startGroupCall(a.page, first);
    await joinGroupCall(b.page, second, [first]);
    await everyoneSeesEveryone([a, b]);
  });
  return [a, b];
}

/** Every page decodes video from every other participant (named tiles). */
async function everyoneSeesEveryone(users: User[]): Promise<void> {
  for (const user of users)
    for (const other of users) {
      if (other === user) continue;
      await tileVideo(user.page, other.name).waitFor(FIRST_FRAMES);
      await expectFramesIn(user.page, other.name);
    }
}

/**
 * `user`'s tile of `name` presents `frames` more frames within a minute: video that flows, slowly on a
 * busy machine, not a stream that only trickles (a few frames in 20 s: no key frame got through).
 */
async function framesFlow(user: User, name: string, frames = 30): Promise<void> {
  const video = tileVideo(user.page, name);
  const start = (await videoState(video)).frames;
  await expect
    .poll(async () => (await videoState(video)).frames, FIRST_FRAMES)
    .toBeGreaterThan(start + frames);
}

/** The ICE username fragment of each open peer connection's local description, in the order made. */
const localUfrags = (user: User) =>
  user.page.evaluate(() =>
    (window.__e2eMedia?.peers ?? [])
      .filter((peer) => peer.connectionState !== "closed")
      .map((peer) => /a=ice-ufrag:(\S+)/.exec(peer.localDescription?.sdp ?? "")?.[1] ?? ""),
  );

/** ICE states of the page's open peer connections. */
const iceStates = (user: User) =>
  user.page.evaluate(() =>
    (window.__e2eMedia?.peers ?? [])
      .filter((peer) => peer.connectionState !== "closed")
      .map((peer) => peer.iceConnectionState),
  );

/**
 * What the page's RTP says, for failure messages and the run's log: per outgoing video layer frames
 * encoded, per incoming video stream frames decoded, key frames and PLIs, the microphone's level.
 */
const rtpSummary = (user: User) =>
  user.page
    .evaluate(async () => {
      const lines: string[] = [];
      for (const [index, peer] of (window.__e2eMedia?.peers ?? []).entries()) {
        if (peer.connectionState === "closed") continue;
        (await peer.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type === "outbound-rtp" && s.kind === "video")
            lines.push(
              `pc${index} out video mid=${s.mid} rid=${s.rid} encoded=${s.framesEncoded} ` +
                `sent=${s.framesSent} ${s.frameWidth}x${s.frameHeight} limit=${s.qualityLimitationReason} ` +
                `pli=${s.pliCount} active=${s.active}`,
            );
          if (s.type === "inbound-rtp" && s.kind === "video")
            lines.push(
              `pc${index} in video mid=${s.mid} decoded=${s.framesDecoded} key=${s.keyFramesDecoded} ` +
                `packets=${s.packetsReceived} lost=${s.packetsLost} pli=${s.pliCount} nack=${s.nackCount}`,
            );
          if (s.type === "media-source" && s.kind === "audio")
            lines.push(`pc${index} microphone level=${s.audioLevel} energy=${s.totalAudioEnergy}`);
        });
      }
      return lines.join("\n  ");
    })
    .catch((error: unknown) => String(error));

/** Runs `check`; when it fails, the pages' RTP summaries go into the message. */
async function withRtp(users: User[], check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (error instanceof Error)
      for (const user of users) error.message += `\n${user.name} RTP:\n  ${await rtpSummary(user)}`;
    throw error;
  }
}

/** Whether `name`'s tile on `user`'s stage is highlighted as the speaker. */
const speaking = (user: User, name: string) =>
  tile(user.page, name).evaluate((element) => element.classList.contains("speaking"));

const speakers = (user: User) => stageSpeakers(user.page);
const press = (user: User, name: string, then: string) => pressStage(user.page, name, then);

it(
  "brings the media back after an ICE restart of both connections to Janus",
  async () => {
    const [alice, bob] = await callOfTwo(ROOMS.ice, ["Alice", "Bob"]);

    await scenario.step("Alice's connections restart ICE and carry media again", async () => {
      // What a network change does (and a TURN renewal on a relayed path): fresh ICE servers, then the
      // publisher offers Janus again with new ICE credentials, and the subscriber asks the server for
      // Janus's fresh offer (sfu:restart). Both connections end up on new credentials.
      const before = await localUfrags(alice);
      expect(before).toHaveLength(2);
      await alice.page.evaluate(() => window.dispatchEvent(new Event("online")));
      const changed = async () => (await localUfrags(alice)).filter((ufrag, i) => ufrag !== before[i]).length;
      await expect.poll(changed, FIRST_FRAMES).toBe(2);
      await expect
        .poll(async () => (await iceStates(alice)).every((s) => s === "connected" || s === "completed"), {
          timeout: 30_000,
        })
        .toBe(true);
      await withRtp([alice, bob], async () => {
        // Many frames, not a few: a stream that only trickles (no key frame after the restart) fails.
        await framesFlow(bob, "Alice");
        await framesFlow(alice, "Bob");
      });
      console.log(
        `sfu: after the ICE restart\n  Alice ${await rtpSummary(alice)}\n  Bob ${await rtpSummary(bob)}`,
      );
    });
  },
  CASE_TIMEOUT,
);

it(
  "highlights whoever talks, from Janus's talking events",
  async () => {
    // Both microphones play a voice-like sound (a steady beep twice a second averages as silence).
    const voice: OpenOptions = { microphone: "voice" };
    const [carol, dave] = await callOfTwo(ROOMS.speaker, ["Carol", "Dave"], { Carol: voice, Dave: voice });

    await scenario.step("Carol mutes: Dave talks, and Carol's page highlights him", async () => {
      await press(carol, "Mute microphone", "Unmute microphone");
      await withRtp([carol, dave], async () => {
        await expect.poll(() => speaking(carol, "Dave"), FIRST_FRAMES).toBe(true);
        // Dave's own page meters his microphone itself, and never highlights the muted Carol.
        await expect.poll(() => speakers(dave), FIRST_FRAMES).toEqual(["Dave (you)"]);
      });
    });

    await scenario.step("Dave mutes and Carol talks: the highlight moves to her", async () => {
      await press(dave, "Mute microphone", "Unmute microphone");
      await press(carol, "Unmute microphone", "Mute microphone");
      await withRtp([carol, dave], async () => {
        await expect.poll(() => speaking(dave, "Carol"), FIRST_FRAMES).toBe(true);
        await expect.poll(() => speakers(carol), FIRST_FRAMES).toEqual(["Carol (you)"]);
      });
    });
  },
  CASE_TIMEOUT,
);

it(
  'shows a screen shared through Janus as "<name>\'s screen" on the other page',
  async () => {
    const [erin, frank] = await callOfTwo(ROOMS.share, ["Erin", "Frank"]);

    await scenario.step("Erin shares her screen: Frank gets it as Erin's screen", async () => {
      await press(erin, "Share screen", "Stop sharing");
      await withRtp([erin, frank], async () => {
        await tileVideo(frank.page, "Erin's screen").waitFor(FIRST_FRAMES);
        await expectFramesIn(frank.page, "Erin's screen");
        await expectFramesIn(frank.page, "Erin"); // her camera goes on beside the share
      });
    });

    await scenario.step("Erin stops sharing: the tile goes from Frank's stage", async () => {
      await press(erin, "Stop sharing", "Share screen");
      await tile(frank.page, "Erin's screen").waitFor({ state: "detached" });
      await expectFramesIn(frank.page, "Erin");
    });

    await scenario.step("Erin shares again: the same stream comes back on Frank's stage", async () => {
      await press(erin, "Share screen", "Stop sharing");
      await withRtp([erin, frank], async () => {
        await tileVideo(frank.page, "Erin's screen").waitFor(FIRST_FRAMES);
        await expectFramesIn(frank.page, "Erin's screen");
      });
    });
  },
  CASE_TIMEOUT,
);

it(
  "moves the call to the other node when its node dies, and the video flows again",
  async () => {
    const [gina, hugo] = await callOfTwo(ROOMS.move, ["Gina", "Hugo"]);

    await scenario.step("the node holding the call dies: the call moves and video flows again", async () => {
      // The earlier cases' rooms go once their pages are closed: wait until only this call is left.
      const counts = () => Promise.all(janus.nodes.map(participantsOn));
      await expect.poll(async () => (await counts()).reduce((a, b) => a + b), FIRST_FRAMES).toBe(2);
      const holding = janus.nodes[(await counts()).findIndex((count) => count > 0)]!;
      const other = janus.nodes.find((node) => node !== holding)!;
      await holding.stop("SIGKILL");
      const killedAt = Date.now();
      // Heartbeat TTL (3 s) and a sweep move the call; every page joins and publishes again by itself.
      await expect.poll(() => participantsOn(other), FIRST_FRAMES).toBe(2);
      await withRtp([gina, hugo], () => everyoneSeesEveryone([gina, hugo]));
      console.log(`sfu: video back on both pages ${Date.now() - killedAt} ms after SIGKILL of the node`);
    });
  },
  CASE_TIMEOUT,
);
