// `npm start` opened from another device: the built app on all interfaces, opened by the machine's
// LAN address over plain HTTP, which is not a secure context. The page loads (no HTTPS upgrade, no
// secure-only API at start-up), the sockets connect, and the private chat says plainly that camera and
// microphone need HTTPS or localhost.
import { afterAll, beforeAll, expect, it } from "vitest";
import { openUrls } from "../server/src/http/urls.js";
import { startApp } from "./support/app.js";
import type { User } from "./support/browser.js";
import { callAndAccept, privateChat } from "./support/call.js";
import { Scenario } from "./support/scenario.js";
import { callStage } from "./support/stage.js";
import { join, memberItem } from "./support/ui.js";

let scenario: Scenario;

beforeAll(async () => {
  scenario = await Scenario.on("lan", async () => {
    const app = await startApp({ HOST: "0.0.0.0" });
    // The address `npm start` prints under "Network:".
    const [lan] = openUrls("0.0.0.0", Number(new URL(app.url).port)).network;
    if (!lan) {
      await app.stop();
      throw new Error("this machine has no non-loopback IPv4 address to open the app by");
    }
    return { ...app, url: lan };
  });
});

afterAll(async () => {
  await scenario?.close();
});

it("loads over plain HTTP by LAN address, connects, and explains why there is no camera", async () => {
  let alice!: User;
  let bob!: User;

  await scenario.step("Alice and Bob open the app by the machine's LAN address", async () => {
    const insecure = { grantMedia: false };
    [alice, bob] = await Promise.all([scenario.open("Alice", insecure), scenario.open("Bob", insecure)]);
    for (const { page } of [alice, bob]) {
      expect(await page.evaluate(() => [location.protocol, window.isSecureContext])).toEqual([
        "http:",
        false,
      ]);
      await page.getByRole("button", { name: "Join" }).waitFor();
    }
  });

  await scenario.step("They join GENERAL and see each other", async () => {
    await join(alice.page, "Alice", "GENERAL");
    await join(bob.page, "Bob", "GENERAL");
    await memberItem(alice.page, "Bob").waitFor();
    await memberItem(bob.page, "Alice").waitFor();
  });

  await scenario.step("The private chat says camera and microphone need HTTPS or localhost", async () => {
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    for (const [page, partner] of [
      [alice.page, "Bob"],
      [bob.page, "Alice"],
    ] as const) {
      const note = privateChat(page, partner).getByRole("note");
      await expect.poll(() => note.textContent()).toMatch(/^Camera and microphone need HTTPS or localhost\./);
    }
  });

  await scenario.step("A video call still starts, and says it again", async () => {
    await callAndAccept(alice.page, bob.page, "Alice");
    for (const page of [alice.page, bob.page]) {
      const alert = callStage(page).getByRole("alert");
      await expect
        .poll(() => alert.textContent())
        .toMatch(/^Camera and microphone need HTTPS or localhost\./);
    }
    await alice.page.getByRole("button", { name: "Hang up" }).click();
  });

  expect(scenario.pageErrors()).toEqual([]);
});
