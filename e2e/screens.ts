// Screenshots of the app's screens for a before/after look at a UI change: the join screen, the room with
// a few messages, a private chat, and a 1:1 call, at 1280×800 and 390×844, light and dark, under
// test-artifacts/screens/<label>/. `npm run build` first; `npx tsx e2e/screens.ts before`, or
// `npx tsx e2e/screens.ts before room` for the join and room screens only (no call: quicker on a busy machine).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { repoRoot, startApp } from "./support/app.js";
import { openUser, PHONE, type User } from "./support/browser.js";
import { callAndAccept, privateChat } from "./support/call.js";
import { join } from "./support/ui.js";

const label = process.argv[2] ?? "now";
const roomOnly = process.argv[3] === "room";
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

const app = await startApp({ SESSION_GRACE_MS: "1000" });
const users: User[] = [];
try {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    const alice = await openUser(`Alice${device}`, app.url, { viewport });
    const bob = await openUser(`Bob${device}`, app.url);
    users.push(alice, bob);
    await alice.page
      .getByRole("combobox", { name: "Room" })
      .locator("option")
      .first()
      .waitFor({ state: "attached" });
    await shoot(alice.page, `${device}-join`);
    await join(alice.page, "Alice", "GENERAL");
    await join(bob.page, "Bob", "GENERAL");
    await alice.page.getByRole("textbox", { name: "Message" }).fill("Hello Bob, anyone up for a match?");
    await alice.page.getByRole("button", { name: "Send", exact: true }).click();
    await bob.page
      .getByRole("textbox", { name: "Message" })
      .fill("Count me in! Rules: https://example.com/rules");
    await bob.page.getByRole("button", { name: "Send", exact: true }).click();
    await alice.page.getByText("Count me in!").last().waitFor();
    await shoot(alice.page, `${device}-room`);
    if (roomOnly) {
      for (const user of users.splice(0)) await user.close();
      continue;
    }
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    await privateChat(bob.page, "Alice").waitFor();
    await privateChat(alice.page, "Bob").getByRole("textbox", { name: "Private message" }).fill("Just us?");
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Send", exact: true }).click();
    await privateChat(bob.page, "Alice").getByText("Just us?").last().waitFor();
    await shoot(alice.page, `${device}-private`);
    await callAndAccept(alice.page, bob.page, "Alice");
    await alice.page
      .getByText(/connected/i)
      .first()
      .waitFor({ timeout: 30_000 });
    await shoot(alice.page, `${device}-call`);
    await shoot(bob.page, `${device}-call-bob`);
    for (const user of users.splice(0)) await user.close();
  }
} finally {
  await Promise.allSettled(users.map((user) => user.close()));
  await app.stop();
}
console.log(`screenshots in ${outDir}`);
