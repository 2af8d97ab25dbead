// Alice and Bob on different instances of the cluster behind nginx hold a private chat and a video
// call; Bob's instance is killed mid-call: his tab resumes on the other one within 5 s, the media
// (peer to peer) never stops, signalling works again, and 15 s on nobody is a ghost or missing.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { User } from "./support/browser.js";
import {
  announcements,
  CONNECTED,
  expectCaptureStopped,
  expectFlowingVideo,
  MEDIA_TIMEOUT,
  privateChat,
  privateLogText,
  sendPrivately,
} from "./support/call.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { framesDecoded } from "./support/media.js";
import { aliceAndBobApart } from "./support/pair.js";
import { Scenario } from "./support/scenario.js";
import { callStage } from "./support/stage.js";
import { acceptLine, acceptToFirstFrames } from "./support/timing.js";
import { memberTexts, roomButton, servedBy } from "./support/ui.js";

/** The bounds the design promises after an instance dies, as shipped (default heartbeat and TTL). */
const RESUME_WITHIN_MS = 5_000;
const EXACT_MEMBERS_AFTER_MS = 15_000;

let scenario: Scenario<ClusterApp>;

beforeAll(async () => {
  // A fast reaper so that the 15 s bound is decided by the instance TTL and grace, not by polling.
  scenario = await Scenario.on("cluster-call", () => startClusterApp(2, { REAPER_INTERVAL_MS: "250" }));
});

afterAll(async () => {
  await scenario?.close();
});

const callStatus = (page: Page) => page.getByRole("status", { name: "Call status" });

/** The names in the member list, without "(you)", status or busy: ["Alice", "Bob"]. */
async function memberNames(page: Page): Promise<string[]> {
  return (await memberTexts(page)).map((text) => text.split(" ")[0] ?? "").sort();
}

it("keeps a call across instances going when the callee's instance dies, and resumes its signalling", async () => {
  let alice!: User;
  let bob!: User;
  let killedAt = 0;
  /** Video frames each page had decoded when app2 died. */
  const framesAtKill = new Map<User, number>();

  await scenario.step("Alice joins GENERAL on app1 and Bob on app2", async () => {
    [alice, bob] = await aliceAndBobApart(scenario);
  });

  await scenario.step("Alice opens a private chat with Bob", async () => {
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    await privateChat(alice.page, "Bob").waitFor();
    await privateChat(bob.page, "Alice").waitFor();
  });

  await scenario.step("Alice and Bob exchange private messages across instances", async () => {
    await sendPrivately(alice.page, "Bob", "Bob, are you on the other server?");
    await expect.poll(() => privateLogText(bob.page, "Alice")).toContain("Bob, are you on the other server?");
    await sendPrivately(bob.page, "Alice", "Yes, app2 here.");
    await expect.poll(() => privateLogText(alice.page, "Bob")).toContain("Yes, app2 here.");
  });

  await scenario.step("Alice calls Bob and Bob accepts", async () => {
    // Printed, not asserted: speed is the bench's to measure.
    console.log(acceptLine("1:1 call", await acceptToFirstFrames(alice.page, bob.page, "Alice")));
  });

  await scenario.step("Video flows both ways and the call is connected", async () => {
    await Promise.all([expectFlowingVideo(alice.page, "Bob"), expectFlowingVideo(bob.page, "Alice")]);
    for (const { page } of [alice, bob]) {
      await expect.poll(() => announcements(page), MEDIA_TIMEOUT).toMatch(CONNECTED);
    }
  });

  await scenario.step("app2 is killed and Bob resumes on app1 within 5 s", async () => {
    killedAt = Date.now();
    await scenario.app.kill("app2");
    // Taken at once, so that "keeps increasing" covers the time the signalling was down.
    for (const user of [alice, bob]) framesAtKill.set(user, await framesDecoded(user.page));
    await expect
      .poll(() => servedBy(bob.page), { timeout: RESUME_WITHIN_MS - (Date.now() - killedAt) })
      .toContain("Served by app1");
    console.log(`Bob's tab served by app1 ${Date.now() - killedAt} ms after app2 was killed`);
    // "Reconnecting…" is gone (the region is empty, and then hidden, once the socket is back).
    const connection = bob.page.getByRole("status", { name: "Connection", exact: true, includeHidden: true });
    await expect.poll(async () => (await connection.textContent())?.trim()).toBe("");
    expect(await servedBy(alice.page)).toContain("Served by app1");
  });

  await scenario.step("Bob's private chat is still open with its messages", async () => {
    const chat = privateChat(bob.page, "Alice");
    await chat.waitFor();
    expect(await privateLogText(bob.page, "Alice")).toContain("Bob, are you on the other server?");
    expect(await privateLogText(bob.page, "Alice")).toContain("Yes, app2 here.");
    await expect.poll(() => chat.getByRole("textbox", { name: "Private message" }).isEnabled()).toBe(true);
    const notices = chat.getByRole("status", { name: "Chat notices", exact: true });
    expect((await notices.textContent())?.trim()).toBe("");
  });

  await scenario.step("Video keeps flowing both ways after the kill", async () => {
    await Promise.all(
      [alice, bob].map(async (user) => {
        // Frames arrived while Bob's signalling was down, and still arrive now that it is back.
        await expect
          .poll(() => framesDecoded(user.page), MEDIA_TIMEOUT)
          .toBeGreaterThan((framesAtKill.get(user) ?? 0) + 10);
        await expectFlowingVideo(user.page, user === alice ? "Bob" : "Alice");
      }),
    );
    for (const { page } of [alice, bob]) {
      await expect.poll(() => callStatus(page).textContent(), MEDIA_TIMEOUT).toMatch(CONNECTED);
    }
  });

  await scenario.step("Bob writes privately from app1 and Alice reads it", async () => {
    await sendPrivately(bob.page, "Alice", "Still here, now on app1.");
    await expect.poll(() => privateLogText(alice.page, "Bob")).toContain("Still here, now on app1.");
    await expect.poll(() => privateLogText(bob.page, "Alice")).toContain("Still here, now on app1.");
  });

  await scenario.step("Alice hangs up, Bob's call ends and neither browser captures anything", async () => {
    await alice.page.getByRole("button", { name: "Hang up" }).click();
    // Alice stops her side at once; Bob's ends only when call:ended reaches him through app1.
    await expect.poll(() => callStatus(bob.page).textContent()).toContain("ended");
    await Promise.all([expectCaptureStopped(alice.page), expectCaptureStopped(bob.page)]);
    expect(await callStage(bob.page).count()).toBe(0);
    for (const { page } of [alice, bob]) await page.getByRole("button", { name: "Video call" }).waitFor();
  });

  await scenario.step("15 s after the kill both member lists hold exactly Alice and Bob", async () => {
    // The claim is about the state at the bound, once app2's orphan grace has run out and the
    // reaper has acted: a list that is right earlier could still lose Bob or keep a ghost later.
    const remaining = killedAt + EXACT_MEMBERS_AFTER_MS - Date.now();
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    for (const { page } of [alice, bob]) {
      expect(await memberNames(page)).toEqual(["Alice", "Bob"]);
      expect(await roomButton(page, "GENERAL").textContent()).toContain("(2)");
      expect(await servedBy(page)).toContain("Served by app1");
    }
  });

  expect(scenario.pageErrors()).toEqual([]);
});
