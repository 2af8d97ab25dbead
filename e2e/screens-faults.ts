// Screenshots of the five newcomer faults (branch ui5) before and after: the Status control while the
// tab is in the background, a switch of rooms during a group call, a phone's call with the chat open,
// "Poor connection" on the self-view, and the Emoji dialog's first open. `npm run build` first;
// `npx tsx e2e/screens-faults.ts <label>` saves them under test-artifacts/screens/<label>/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { repoRoot, startApp } from "./support/app.js";
import { openUser, PHONE, type User } from "./support/browser.js";
import { join, roomChat } from "./support/ui.js";

const stageButton = (page: Page, name: string) =>
  page.getByRole("region", { name: "Call", exact: true }).getByRole("button", { name, exact: true });

const label = process.argv[2] ?? "now";
const outDir = path.join(repoRoot, "test-artifacts/screens", label);
mkdirSync(outDir, { recursive: true });
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: PHONE } as const;

async function shoot(page: Page, name: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: path.join(outDir, `${name}-${colorScheme}.png`), fullPage: false });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Makes the page believe it is hidden (a tab in the background) and tells it so. */
async function hideTab(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

/** Every outbound link's round trip reads 2 s from now on: the uplink grades poor. */
const POOR_UPLINK = `(() => {
  const original = RTCPeerConnection.prototype.getStats;
  RTCPeerConnection.prototype.getStats = async function (...args) {
    const report = await original.apply(this, args);
    if (!window.__poorUplink) return report;
    const changed = new Map();
    report.forEach((entry, id) => {
      changed.set(id, entry.type === "remote-inbound-rtp" ? { ...entry, roundTripTime: 2 } : entry);
    });
    return changed;
  };
})();`;

const app = await startApp({ SESSION_GRACE_MS: "1000" });
const users: User[] = [];
try {
  const only = process.argv[3];
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    if (only && device !== only) continue;
    const alice = await openUser(`Alice${device}`, app.url, { viewport });
    await alice.context.addInitScript(POOR_UPLINK);
    await alice.page.reload();
    const bob = await openUser(`Bob${device}`, app.url);
    users.push(alice, bob);
    await join(alice.page, "Alice", "GENERAL");
    await join(bob.page, "Bob", "GENERAL");
    await bob.page.getByRole("textbox", { name: "Message" }).fill("Anyone up for a match?");
    await bob.page.getByRole("button", { name: "Send", exact: true }).click();
    const item = roomChat(alice.page).locator("li.message").filter({ hasText: "Anyone up" }).last();
    await item.waitFor();

    // 5. The Emoji dialog's first open.
    await item.hover();
    await item.getByRole("button", { name: "Add reaction", exact: true }).click();
    const dialog = alice.page.getByRole("dialog", { name: "Emoji" });
    await dialog.waitFor();
    await shoot(alice.page, `${device}-emoji-first`);
    await alice.page.waitForTimeout(1500);
    await shoot(alice.page, `${device}-emoji-first-later`);
    await alice.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    // 1. The tab in the background: the room sees Alice absent.
    await hideTab(alice.page);
    await bob.page
      .getByRole("listitem")
      .filter({ hasText: "Alice" })
      .filter({ hasText: "absent" })
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => {});
    await alice.page.waitForTimeout(500);
    await shoot(alice.page, `${device}-status-hidden`);
    await alice.page.reload();
    await alice.page.getByRole("textbox", { name: "Message" }).waitFor();

    // 2, 3, 4: a group call.
    await alice.page.getByRole("button", { name: "Start group call", exact: true }).click();
    await bob.page.getByRole("button", { name: "Join group call", exact: true }).click();
    await alice.page.getByRole("group", { name: "Bob", exact: true }).waitFor({ timeout: 20_000 });
    if (device === "phone")
      await stageButton(alice.page, "Chat")
        .click()
        .catch(() => {});
    await alice.page.waitForTimeout(1000);
    await shoot(alice.page, `${device}-call-chat`);
    if (device === "phone") {
      const back = alice.page.getByRole("button", { name: "Back to call", exact: true });
      if (await back.count())
        await back.click(); // the sheet's way back (after the fix)
      else await stageButton(alice.page, "Chat").click();
    }

    await alice.page.evaluate(() => ((window as unknown as { __poorUplink: boolean }).__poorUplink = true));
    await alice.page
      .getByText("Poor connection")
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(() => {});
    const self = alice.page.locator(".floating");
    if (await self.count()) await self.hover();
    await shoot(alice.page, `${device}-poor-floating`);
    // The self-view as a grid tile (pinned), and as a filmstrip tile (Bob pinned).
    await alice.page
      .getByRole("button", { name: "Pin Alice (you)", exact: true })
      .click({ force: true })
      .catch(() => {});
    await alice.page.waitForTimeout(500);
    await alice.page
      .getByRole("group", { name: "Alice (you)" })
      .first()
      .hover()
      .catch(() => {});
    await shoot(alice.page, `${device}-poor-pinned`);
    await alice.page
      .getByRole("button", { name: "Pin Bob", exact: true })
      .click({ force: true })
      .catch(() => {});
    await alice.page.waitForTimeout(500);
    await shoot(alice.page, `${device}-poor-filmstrip`);

    const other =
      device === "phone"
        ? null
        : alice.page.getByRole("navigation", { name: "Rooms" }).getByRole("button", { name: /^SPORTS/ });
    if (other) await other.click();
    else await alice.page.getByRole("combobox", { name: "Room" }).selectOption("SPORTS");
    await alice.page.waitForTimeout(1500);
    await shoot(alice.page, `${device}-switch-room`);
    for (const user of users.splice(0)) await user.close();
  }
} finally {
  await Promise.allSettled(users.map((user) => user.close()));
  await app.stop();
}
console.log(`screenshots in ${outDir}`);
