// Four people in a group call through a real Janus (the SFU): each page publishes once and receives
// everyone else over one subscriber connection, so every page holds two peer connections however
// many people are in the call, and decodes video from every other participant. A leaver's tile goes
// from every page.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { JanusNodes } from "../scripts/cluster/janus.js";
import { startJanusNodes } from "../server/test/support/janus.js";
import { joinGroupCall, leaveGroupCall, startGroupCall } from "./support/group.js";
import { Scenario } from "./support/scenario.js";
import { expectFramesIn, expectTiles, MEDIA_TIMEOUT } from "./support/stage.js";
import type { User } from "./support/browser.js";

let janus: JanusNodes;
let scenario: Scenario;

beforeAll(async () => {
  janus = await startJanusNodes(1);
  scenario = await Scenario.start("sfu-call", { ...janus.env, LOG_LEVEL: "info" });
});

afterAll(async () => {
  await scenario?.close();
  await janus?.stop();
});

/** The page's open peer connections (the media probe records every one the page made). */
const openConnections = (user: User) =>
  user.page.evaluate(
    () => (window.__e2eMedia?.peers ?? []).filter((peer) => peer.connectionState !== "closed").length,
  );

it("holds a group call of four through Janus, with video from every other participant on every page", async () => {
  const names = ["Alice", "Bob", "Carol", "Dave"];
  const users = await scenario.everyoneJoins("GENERAL", ...names);
  const alice = users[0]!;

  await scenario.step("everyone joins the call", async () => {
    await startGroupCall(alice.page, "Alice");
    for (let i = 1; i < users.length; i += 1) {
      const user = users[i]!;
      await joinGroupCall(user.page, user.name, names.slice(0, i));
    }
  });

  await scenario.step("every page decodes video from every other, over two connections", async () => {
    for (const user of users) {
      for (const other of names) if (other !== user.name) await expectFramesIn(user.page, other);
      // A mesh of four would hold three; through the SFU, one publisher and one subscriber.
      await expect.poll(() => openConnections(user), MEDIA_TIMEOUT).toBe(2);
    }
  });

  await scenario.step("a leaver's tile goes from every page", async () => {
    const dave = users[3]!;
    await leaveGroupCall(dave.page);
    for (const user of users.slice(0, 3)) {
      await expectTiles(
        user.page,
        names.slice(0, 3).map((name) => (name === user.name ? `${name} (you)` : name)),
      );
    }
    await expectFramesIn(alice.page, "Carol");
  });
  // Four browsers encoding and decoding on two shared cores: minutes, not the default 90 s.
}, 300_000);
