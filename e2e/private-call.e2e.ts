// Alice and Bob open a private chat, talk, refuse a third person, hold a video call peer to peer
// (real Chromium media: fake camera and microphone), hang up with every capture stopped, and close.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { User } from "./support/browser.js";
import {
  announcements,
  CONNECTED,
  expectCaptureStopped,
  expectFlowingVideo,
  MEDIA_TIMEOUT,
  privateChat,
  sendPrivately,
  callAndAccept,
} from "./support/call.js";
import { capturedTracks } from "./support/media.js";
import { Scenario } from "./support/scenario.js";
import { join, memberItem, textOf } from "./support/ui.js";

let scenario: Scenario;

beforeAll(async () => {
  scenario = await Scenario.start("private-call");
});

afterAll(async () => {
  await scenario?.close();
});

it("gives two people a private chat and a video call, and keeps a third one out", async () => {
  let alice!: User;
  let bob!: User;
  let carol!: User;

  await scenario.step("Alice, Bob and Carol join GENERAL", async () => {
    [alice, bob, carol] = await Promise.all([
      scenario.open("Alice"),
      scenario.open("Bob"),
      scenario.open("Carol"),
    ]);
    for (const user of [alice, bob, carol]) await join(user.page, user.name, "GENERAL");
    for (const { page } of [alice, bob, carol]) {
      for (const name of ["Alice", "Bob", "Carol"]) await memberItem(page, name).waitFor();
    }
  });

  await scenario.step("Alice opens a private chat with Bob", async () => {
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    await privateChat(alice.page, "Bob").waitFor();
    await privateChat(bob.page, "Alice").waitFor();
  });

  await scenario.step("Alice and Bob exchange private messages", async () => {
    await sendPrivately(alice.page, "Bob", "Psst, Bob: can we talk?");
    await expect
      .poll(() => textOf(privateChat(bob.page, "Alice").getByRole("log")))
      .toContain("Psst, Bob: can we talk?");
    await sendPrivately(bob.page, "Alice", "Sure, just the two of us.");
    await expect
      .poll(() => textOf(privateChat(alice.page, "Bob").getByRole("log")))
      .toContain("Sure, just the two of us.");
    // Private means private: nothing of it reaches the room.
    expect(await textOf(carol.page.getByRole("log", { name: "Room chat" }))).not.toContain("Psst");
  });

  await scenario.step("Carol finds Alice busy", async () => {
    await carol.page.getByRole("button", { name: "Private chat with Alice" }).click();
    await expect
      .poll(() => announcements(carol.page))
      .toContain("Alice is already talking with someone else");
    await expect.poll(() => memberItem(carol.page, "Alice").textContent()).toMatch(/\bbusy\b/);
    await expect.poll(() => memberItem(carol.page, "Bob").textContent()).toMatch(/\bbusy\b/);
    expect(await carol.page.getByRole("region", { name: /^Private chat with/ }).count()).toBe(0);
  });

  await scenario.step("Alice calls Bob and Bob accepts", () => callAndAccept(alice.page, bob.page, "Alice"));

  await scenario.step("Video flows both ways and the call is connected", async () => {
    await Promise.all([expectFlowingVideo(alice.page), expectFlowingVideo(bob.page)]);
    // The call state is a live region ("Call: connected 00:03"), announced as it changes.
    for (const { page } of [alice, bob]) {
      await expect.poll(() => announcements(page), MEDIA_TIMEOUT).toMatch(CONNECTED);
    }
  });

  await scenario.step("Alice mutes her microphone and turns her camera off", async () => {
    await alice.page.getByRole("button", { name: "Mute microphone" }).click();
    await alice.page.getByRole("button", { name: "Unmute microphone" }).waitFor();
    await alice.page.getByRole("button", { name: "Turn camera off" }).click();
    await alice.page.getByRole("button", { name: "Turn camera on" }).waitFor();
  });

  await scenario.step("Alice hangs up and neither browser captures anything", async () => {
    expect((await capturedTracks(alice.page)).total).toBeGreaterThan(0);
    expect((await capturedTracks(bob.page)).total).toBeGreaterThan(0);
    await alice.page.getByRole("button", { name: "Hang up" }).click();
    await Promise.all([expectCaptureStopped(alice.page), expectCaptureStopped(bob.page)]);
    await alice.page.getByRole("button", { name: "Video call" }).waitFor();
  });

  await scenario.step("Alice calls again and Bob declines", async () => {
    await alice.page.getByRole("button", { name: "Video call" }).click();
    const incoming = bob.page.getByRole("alertdialog", { name: "Incoming call from Alice" });
    await incoming.getByRole("button", { name: "Decline" }).click();
    await incoming.waitFor({ state: "hidden" });
    await expect.poll(() => announcements(alice.page)).toContain("Bob declined the call");
    await Promise.all([expectCaptureStopped(alice.page), expectCaptureStopped(bob.page)]);
    await alice.page.getByRole("button", { name: "Video call" }).waitFor();
  });

  await scenario.step("Alice closes the chat and Bob can no longer write", async () => {
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Close chat" }).click();
    await bob.page.getByText("Alice has closed the chat").first().waitFor();
    await expect
      .poll(() => bob.page.getByRole("textbox", { name: "Private message" }).isDisabled())
      .toBe(true);
    await expect.poll(() => memberItem(carol.page, "Alice").textContent()).not.toMatch(/\bbusy\b/);
  });

  expect(scenario.pageErrors()).toEqual([]);
});
