// Reaching people, with Alice and Bob on two instances behind nginx: unread counts rise on a room
// button while messages arrive in another room and clear on entering it; "Unavailable" refuses a chat
// and a call and leaves "Alice tried to reach you"; files go peer to peer (a 5 MB file arrives intact,
// an image is previewed, a cancel mid-transfer stops both sides, a file past the limit is refused).
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectNoAxeViolations } from "./support/axe.js";
import { PHONE, screenshot, type User } from "./support/browser.js";
import { privateChat } from "./support/call.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { aliceAndBobApart } from "./support/pair.js";
import { Scenario } from "./support/scenario.js";
import { roomButton, roomChat } from "./support/ui.js";

let scenario: Scenario<ClusterApp>;
const dir = mkdtempSync(path.join(tmpdir(), "chat-reach-files-"));

beforeAll(async () => {
  scenario = await Scenario.on("chat-reach", () => startClusterApp(2));
});

afterAll(async () => {
  await scenario?.close();
  rmSync(dir, { recursive: true, force: true });
});

const roomName = (page: Page, room: string) =>
  roomButton(page, room).evaluate((button) => button.getAttribute("aria-label"));
const reachNotices = (page: Page) => page.getByRole("region", { name: "People who tried to reach you" });
const setStatus = (page: Page, status: string) =>
  page.getByRole("combobox", { name: "Status" }).selectOption({ label: status });
const transfers = (page: Page) => page.getByRole("list", { name: "File transfers" });

async function say(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect.poll(() => roomChat(page).textContent()).toContain(text);
}

/** Picks `file` with "Send a file" in the private chat with `partner`. */
async function sendFile(page: Page, partner: string, file: string): Promise<void> {
  const chooser = page.waitForEvent("filechooser");
  await privateChat(page, partner).getByRole("button", { name: "Send a file" }).click();
  await (await chooser).setFiles(file);
}

/** Records, in the page, whether a transfer's progress bar ever showed some but not all of a file. */
function watchProgress(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen = window as unknown as { sawProgress?: boolean };
    const check = () => {
      for (const bar of document.querySelectorAll("progress"))
        if (bar.value > 0 && bar.value < bar.max) seen.sawProgress = true;
    };
    new MutationObserver(check).observe(document.body, { subtree: true, attributes: true, childList: true });
  });
}

/** SHA-256 (hex) of the file a download link saves, as the browser saves it. */
async function sha256Of(page: Page, linkName: string): Promise<string> {
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: linkName }).click();
  const saved = await (await download).path();
  return createHash("sha256").update(readFileSync(saved)).digest("hex");
}

/** Desktop and phone, light and dark, of the page as it is now, `shown` scrolled into view. */
async function screens(page: Page, name: string, shown?: Locator): Promise<void> {
  const desktop = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const [size, viewport] of [
    ["desktop", desktop],
    ["phone", PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await shown?.scrollIntoViewIfNeeded();
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `chat-reach/screens/${name}-${size}-${colorScheme}`, { fullPage: false });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(desktop);
}

it("counts unread messages per room, respects Unavailable, and sends files peer to peer", async () => {
  let alice!: User;
  let bob!: User;

  await scenario.step("Alice joins GENERAL on app1 and Bob on app2", async () => {
    [alice, bob] = await aliceAndBobApart(scenario);
    expect(await roomName(alice.page, "GENERAL")).toBe("GENERAL");
  });

  await scenario.step("Bob writes in SPORTS: Alice's SPORTS button counts them", async () => {
    await roomButton(bob.page, "SPORTS").click();
    await bob.page.waitForURL("**/room/SPORTS");
    for (const text of ["Goal!", "What a match", "Anyone watching?"]) await say(bob.page, text);
    await expect.poll(() => roomName(alice.page, "SPORTS")).toBe("SPORTS, 3 unread");
    await alice.page.getByRole("button", { name: "SPORTS, 3 unread" }).waitFor();
    expect(await roomName(alice.page, "GENERAL")).toBe("GENERAL");
    await expectNoAxeViolations(alice.page, "room switcher with unread counts");
    await screens(alice.page, "unread");
  });

  await scenario.step("Alice enters SPORTS: the count clears, and stays clear in a new tab", async () => {
    await roomButton(alice.page, "SPORTS").click();
    await alice.page.waitForURL("**/room/SPORTS");
    await expect.poll(() => roomChat(alice.page).textContent()).toContain("Anyone watching?");
    await expect.poll(() => roomName(alice.page, "SPORTS")).toBe("SPORTS");
    await say(bob.page, "Half time");
    await expect.poll(() => roomChat(alice.page).textContent()).toContain("Half time");
    // Read where she is, and the position is the Store's: a reload shows nothing unread either.
    await alice.page.reload();
    await expect.poll(() => roomChat(alice.page).textContent()).toContain("Half time");
    await roomButton(alice.page, "GENERAL").click();
    await alice.page.waitForURL("**/room/GENERAL");
    await say(bob.page, "Second half");
    await expect.poll(() => roomName(alice.page, "SPORTS")).toBe("SPORTS, 1 unread");
    await roomButton(bob.page, "GENERAL").click();
    await bob.page.waitForURL("**/room/GENERAL");
  });

  await scenario.step(
    "Bob is Unavailable: Alice's chat is refused and nothing opens on his screen",
    async () => {
      await setStatus(bob.page, "Unavailable");
      await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
      await expect
        .poll(() => alice.page.getByRole("status", { name: "Private chat notices" }).textContent())
        .toContain("Bob is unavailable");
      expect(await privateChat(bob.page, "Alice").count()).toBe(0);
      expect(await reachNotices(bob.page).count()).toBe(0);
    },
  );

  await scenario.step("Bob is back: he sees that Alice tried to reach him, and chats back", async () => {
    await setStatus(bob.page, "Online");
    const notice = reachNotices(bob.page)
      .getByRole("listitem")
      .filter({ hasText: "Alice tried to reach you" });
    await notice.waitFor();
    await expectNoAxeViolations(bob.page, "tried to reach you");
    await screens(bob.page, "tried-to-reach", notice);
    await notice.getByRole("button", { name: "Chat", exact: true }).click();
    await privateChat(bob.page, "Alice").waitFor();
    await privateChat(alice.page, "Bob").waitFor();
    await expect.poll(() => reachNotices(bob.page).count()).toBe(0);
  });

  await scenario.step("Bob is Unavailable again: Alice's call is refused and never rings", async () => {
    await setStatus(bob.page, "Unavailable");
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Video call" }).click();
    await expect
      .poll(() => alice.page.getByRole("status", { name: "Call notices", exact: true }).textContent())
      .toContain("Bob is unavailable");
    expect(await bob.page.getByText("Incoming call from Alice").count()).toBe(0);
    await setStatus(bob.page, "Online");
    const notice = reachNotices(bob.page)
      .getByRole("listitem")
      .filter({ hasText: "Alice tried to reach you" });
    await notice.waitFor();
    await notice.getByRole("button", { name: "Dismiss: Alice tried to reach you" }).click();
    await expect.poll(() => reachNotices(bob.page).count()).toBe(0);
  });

  await scenario.step("Alice sends Bob a 5 MB file: it arrives intact, with progress shown", async () => {
    const file = path.join(dir, "holiday-video.bin");
    const bytes = randomBytes(5 * 1024 * 1024);
    writeFileSync(file, bytes);
    const expected = createHash("sha256").update(bytes).digest("hex");
    await watchProgress(bob.page);
    await watchProgress(alice.page);
    await sendFile(alice.page, "Bob", file);
    const offer = transfers(bob.page).getByRole("listitem").filter({ hasText: "holiday-video.bin" });
    await expect.poll(() => offer.textContent()).toContain("Alice offers a file");
    expect(await offer.textContent()).toContain("5.0 MB");
    await expectNoAxeViolations(bob.page, "file offer");
    await screens(bob.page, "file-offer", offer);
    await offer.getByRole("button", { name: "Accept" }).click();
    await bob.page.getByRole("link", { name: "Download holiday-video.bin" }).waitFor({ timeout: 30_000 });
    expect(await sha256Of(bob.page, "Download holiday-video.bin")).toBe(expected);
    await expect.poll(() => transfers(alice.page).textContent()).toContain("Sent");
    const saw = (page: Page) =>
      page.evaluate(() => (window as { sawProgress?: boolean }).sawProgress === true);
    expect(await saw(bob.page)).toBe(true);
    expect(await saw(alice.page)).toBe(true);
  });

  await scenario.step("An image is previewed once it arrives", async () => {
    const file = path.join(dir, "dot.png");
    // A 1×1 PNG.
    writeFileSync(
      file,
      Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
        "base64",
      ),
    );
    await sendFile(alice.page, "Bob", file);
    const offer = transfers(bob.page).getByRole("listitem").filter({ hasText: "dot.png" });
    await offer.getByRole("button", { name: "Accept" }).click();
    const preview = bob.page.getByRole("img", { name: "Preview of dot.png" });
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    await expectNoAxeViolations(bob.page, "received files");
    await screens(bob.page, "file-received", offer);
  });

  await scenario.step("Bob cancels a large file mid-transfer: both sides stop", async () => {
    const file = path.join(dir, "big-archive.bin");
    writeFileSync(file, randomBytes(90 * 1024 * 1024));
    await sendFile(alice.page, "Bob", file);
    const offer = transfers(bob.page).getByRole("listitem").filter({ hasText: "big-archive.bin" });
    await offer.getByRole("button", { name: "Accept" }).click();
    const bar = bob.page.getByRole("progressbar", { name: "Transfer of big-archive.bin" });
    await expect.poll(() => bar.evaluate((p) => (p as HTMLProgressElement).value)).toBeGreaterThan(0);
    await offer.getByRole("button", { name: "Cancel" }).click();
    const sent = transfers(alice.page).getByRole("listitem").filter({ hasText: "big-archive.bin" });
    await expect.poll(() => sent.textContent()).toContain("Transfer cancelled");
    await expect.poll(() => offer.textContent()).toContain("Transfer cancelled");
    expect(await sent.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    expect(await bob.page.getByRole("link", { name: "Download big-archive.bin" }).count()).toBe(0);
    expect(await bar.count()).toBe(0);
  });

  await scenario.step("A file past the limit is refused with a clear error", async () => {
    const file = path.join(dir, "too-big.bin");
    writeFileSync(file, "");
    truncateSync(file, 100 * 1024 * 1024 + 1);
    await sendFile(alice.page, "Bob", file);
    await expect
      .poll(() => privateChat(alice.page, "Bob").getByRole("alert").textContent())
      .toContain("That file is too large: the limit is 100 MB.");
    expect(await transfers(bob.page).getByRole("listitem").filter({ hasText: "too-big.bin" }).count()).toBe(
      0,
    );
  });

  expect(scenario.pageErrors()).toEqual([]);
  // Many steps with two browsers, axe and screenshots: well past the 90 s default on a busy machine.
}, 300_000);
