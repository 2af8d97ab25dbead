// Alice and Bob open a private chat, talk, refuse a third person, hold a video call peer to peer
// (real Chromium media: fake cameras and microphone) on a stage of named tiles, see each other's
// muted microphone and camera, share a screen and stop it from the browser's own control, switch
// camera without renegotiating, pass axe-core, hang up with every capture stopped, and close.
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
import { expectNoAxeViolations } from "./support/axe.js";
import { capturedTracks, endScreenCapture, negotiations, sentVideoLabels } from "./support/media.js";
import { Scenario } from "./support/scenario.js";
import {
  callSettings,
  deviceOptions,
  expectFramesIn,
  expectTiles,
  mutedBadge,
  openCallSettings,
  showsInitials,
  stageButton,
} from "./support/stage.js";
import { memberItem, textOf } from "./support/ui.js";

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
    [alice, bob, carol] = await scenario.everyoneJoins("GENERAL", "Alice", "Bob", "Carol");
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
    await Promise.all([expectFlowingVideo(alice.page, "Bob"), expectFlowingVideo(bob.page, "Alice")]);
    // The call state is a live region ("Call: connected 00:03"), announced as it changes.
    for (const { page } of [alice, bob]) {
      await expect.poll(() => announcements(page), MEDIA_TIMEOUT).toMatch(CONNECTED);
    }
  });

  await scenario.step("The stage shows one tile per person, named after them", async () => {
    await expectTiles(alice.page, ["Bob", "Alice (you)"]);
    await expectTiles(bob.page, ["Alice", "Bob (you)"]);
  });

  await scenario.step("Alice mutes her microphone and turns her camera off, and Bob sees it", async () => {
    await stageButton(alice.page, "Mute microphone").click();
    await stageButton(alice.page, "Unmute microphone").waitFor();
    await stageButton(alice.page, "Turn camera off").click();
    await stageButton(alice.page, "Turn camera on").waitFor();
    await mutedBadge(bob.page, "Alice").waitFor();
    await expect.poll(() => showsInitials(bob.page, "Alice")).toBe(true);
    expect(await mutedBadge(bob.page, "Bob (you)").count()).toBe(0);
  });

  await scenario.step("Alice turns both back on, and Bob sees her again", async () => {
    await stageButton(alice.page, "Unmute microphone").click();
    await stageButton(alice.page, "Turn camera on").click();
    await mutedBadge(bob.page, "Alice").waitFor({ state: "detached" });
    await expect.poll(() => showsInitials(bob.page, "Alice")).toBe(false);
    await expectFramesIn(bob.page, "Alice");
  });

  await scenario.step("Alice shares her screen and Bob sees it on a tile of its own", async () => {
    await stageButton(alice.page, "Share screen").click();
    await stageButton(alice.page, "Stop sharing").waitFor();
    await expectTiles(bob.page, ["Alice", "Alice's screen", "Bob (you)"]);
    await expectFramesIn(bob.page, "Alice's screen");
    await expectFramesIn(bob.page, "Alice"); // the camera goes on beside it
  });

  await scenario.step("Alice stops sharing from the browser's own control", async () => {
    expect(await endScreenCapture(alice.page)).toBe(1);
    await stageButton(alice.page, "Share screen").waitFor();
    await expectTiles(bob.page, ["Alice", "Bob (you)"]);
  });

  await scenario.step("Alice switches camera in Call settings, without renegotiating", async () => {
    const panel = await openCallSettings(alice.page);
    const cameras = await deviceOptions(panel, "Camera");
    // The last of Chromium's fake cameras is an ordinary one (see e2e/support/browser.ts).
    const [first, other] = [cameras[0]!, cameras.at(-1)!];
    expect(cameras.length).toBeGreaterThanOrEqual(2);
    const [before, offersBefore] = [await sentVideoLabels(alice.page), await negotiations(alice.page)];
    expect(before).toEqual([first.label]);
    await panel.getByRole("combobox", { name: "Camera" }).selectOption(other.value);
    await expect.poll(() => sentVideoLabels(alice.page), MEDIA_TIMEOUT).toEqual([other.label]);
    await expectFramesIn(bob.page, "Alice");
    expect(await negotiations(alice.page)).toBe(offersBefore);
    expect(await negotiations(bob.page)).toBe(offersBefore);
    // The first camera is released: only the one in use captures.
    expect((await capturedTracks(alice.page)).live.filter((kind) => kind === "video")).toEqual(["video"]);
  });

  await scenario.step("The call screen passes axe-core, with Call settings open and closed", async () => {
    await expectNoAxeViolations(alice.page, "call with Call settings");
    await callSettings(alice.page).getByRole("button", { name: "Done" }).click();
    await callSettings(alice.page).waitFor({ state: "detached" });
    await expectNoAxeViolations(bob.page, "call");
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
