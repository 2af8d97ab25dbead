// The call screen as people see it: Alice on a 1280×800 desktop, Bob on a 390×844 phone, Carol on a
// laptop. A 1:1 call (the caller's own preview while ringing, the icon control bar and its shortcuts,
// the chat panel opened and closed), then a group call of three in the grid, speaker and share
// layouts with a pinned tile. Every screen passes axe-core in light and dark, is saved as a screenshot
// (test-artifacts/e2e/call-screen/), and the share of the viewport the stage takes is printed.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectNoAxeViolations } from "./support/axe.js";
import { PHONE, screenshot, type User } from "./support/browser.js";
import { expectCaptureStopped, expectFlowingVideo, privateChat } from "./support/call.js";
import { joinGroupCall, startGroupCall } from "./support/group.js";
import { videoState } from "./support/media.js";
import { Scenario } from "./support/scenario.js";
import {
  barButtons,
  callStage,
  expectFitsViewport,
  expectFramesIn,
  expectTiles,
  MEDIA_TIMEOUT,
  mutedBadge,
  showsInitials,
  moreItems,
  stageButton,
  tile,
} from "./support/stage.js";
import { join, memberItem } from "./support/ui.js";

const DESKTOP = { width: 1280, height: 800 };
/** The narrowest phone the call screen is made for. */
const SMALL_PHONE = { width: 320, height: 640 };

let scenario: Scenario;

beforeAll(async () => {
  // The ringing screen is looked at for a while (its toggles, screenshots, axe-core on a busy machine):
  // Bob answers later than the default 30 s would wait.
  scenario = await Scenario.start("call-screen", { CALL_RING_TIMEOUT_MS: "120000" });
});

afterAll(async () => {
  await scenario?.close();
});

/** call-screen/<name>-light.png and -dark.png: what the window shows. */
async function shots(page: Page, name: string): Promise<void> {
  // Focus leaves the control it is on: its tooltip would cover a tile.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, `call-screen/${name}-${colorScheme}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** The stage's share of the viewport (0–1), and whether the page is no taller than the window. */
async function stageShare(page: Page): Promise<{ share: number; fits: boolean }> {
  const box = await callStage(page).boundingBox();
  const { width, height, scroll } = await page.evaluate(() => ({
    width: window.innerWidth,
    height: window.innerHeight,
    scroll: document.documentElement.scrollHeight,
  }));
  return { share: box ? (box.width * box.height) / (width * height) : 0, fits: scroll <= height };
}

async function printShare(page: Page, what: string): Promise<void> {
  const { share, fits } = await stageShare(page);
  console.log(`call screen: stage takes ${(share * 100).toFixed(1)} % of the viewport (${what})`);
  expect(fits).toBe(true);
}

/**
 * Looks at the same moment on Alice's desktop and Bob's phone: prints the stage's share of each viewport,
 * saves <name>-desktop / <name>-phone in light and dark, and runs axe-core on both.
 */
async function lookAt(desktop: Page, phone: Page, name: string, what: string): Promise<void> {
  await printShare(desktop, `desktop, ${what}`);
  await printShare(phone, `phone, ${what}`);
  await shots(desktop, `${name}-desktop`);
  await shots(phone, `${name}-phone`);
  await expectNoAxeViolations(desktop, `${what} (desktop)`);
  await expectNoAxeViolations(phone, `${what} (phone)`);
}

const box = async (locator: Locator) => (await locator.boundingBox())!;
const area = (b: { width: number; height: number }) => b.width * b.height;

/** How a tile's video is fitted: "cover" for cameras, "contain" for a screen. */
const objectFit = (page: Page, name: string) =>
  tile(page, name)
    .locator("video")
    .evaluate((video) => getComputedStyle(video).objectFit);

/**
 * Picks an entry of the stage's "More" menu (a menuitem, or a menuitemradio of a group); `shot` names
 * screenshots of the open menu.
 */
async function fromMore(
  page: Page,
  item: string,
  role: "menuitem" | "menuitemradio" = "menuitem",
  shot?: string,
) {
  await openMore(page);
  if (shot) await screenshot(page, `call-screen/${shot}`, { fullPage: false }); // focus stays in the menu
  const entry = page.getByRole("menu").getByRole(role, { name: item, exact: true });
  await entry.click();
  await page.getByRole("menu").waitFor({ state: "hidden" });
}

/**
 * Opens the stage's "More" menu. The button is looked for for as long as media may take (the stage can
 * be re-laid out while a new participant's tiles arrive); if it never shows, the failure says what was
 * on the page instead (an open dialog or menu hides the stage from the accessibility tree, and a stage
 * that is gone has no button).
 */
async function openMore(page: Page): Promise<void> {
  const more = stageButton(page, "More");
  try {
    await more.waitFor(MEDIA_TIMEOUT);
  } catch (error) {
    const seen = await page.evaluate(() => ({
      stage: document.querySelectorAll("section[role=region].stage").length,
      open: [...document.querySelectorAll("[role=dialog],[role=alertdialog],[role=menu]")].map(
        (el) =>
          `${el.getAttribute("role")} "${el.getAttribute("aria-label") ?? el.textContent?.slice(0, 40)}"`,
      ),
      hidden: [...document.querySelectorAll("[aria-hidden=true]")].filter((el) =>
        el.querySelector("section.stage"),
      ).length,
      bar: [...document.querySelectorAll("section.stage [role=toolbar] button")].map((b) =>
        b.getAttribute("aria-label"),
      ),
    }));
    throw new Error(`"More" not found in the Call region: ${JSON.stringify(seen)}`, { cause: error });
  }
  // A renderer starved of CPU (three Chromiums sending video on a shared machine) can take longer than
  // the UI's 10 s to take a click ("performing click action" in CI's log): the click gets as long as
  // media does, and how long the page took to answer is printed, so a slow page is told from a missing button.
  const asked = Date.now();
  await page.evaluate(() => 0);
  const answered = Date.now() - asked;
  if (answered > 1000) console.log(`call screen: the page took ${answered} ms to answer before "More"`);
  await more.click({ timeout: MEDIA_TIMEOUT.timeout * 1.5 });
  await page.getByRole("menu").waitFor(MEDIA_TIMEOUT);
}

/** Closes an open menu with Escape. */
async function closeMenu(page: Page): Promise<void> {
  await page.keyboard.press("Escape");
  await page.getByRole("menu").waitFor({ state: "hidden" });
}

/**
 * Whose tile picture-in-picture shows: the Document Picture-in-Picture window's title, or the name of
 * the tile whose <video> is in the element's picture-in-picture; null when none is open.
 */
const pipShows = (page: Page): Promise<string | null> =>
  page.evaluate(() => {
    const api = (window as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture;
    if (api?.window) return api.window.document.title;
    return document.pictureInPictureElement?.closest("[role=group]")?.getAttribute("aria-label") ?? null;
  });

/**
 * A phone in a call with the private chat's sheet open: the page is no wider and no taller than the
 * window, and each of the chat's controls (its header's actions on one row, the message box, Send) can
 * be reached: scrolled into view within the sheet if need be, it lies inside the window and the sheet,
 * on top (what a finger on its middle would press). Prints the controls that needed a scroll.
 */
async function expectChatSheetFits(page: Page, partner: string): Promise<void> {
  await expectFitsViewport(page);
  // The sheet covers the whole window (the stage is not squeezed to share the height), with its way back.
  const sheet = await box(page.getByRole("region", { name: "Chat and people", exact: true }));
  const viewport = page.viewportSize()!;
  expect(sheet.x).toBeCloseTo(0, 0);
  expect(sheet.y).toBeCloseTo(0, 0);
  expect(sheet.width).toBeCloseTo(viewport.width, 0);
  expect(sheet.height).toBeCloseTo(viewport.height, 0);
  await page.getByRole("button", { name: "Back to call", exact: true }).waitFor();
  const size = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    scrollHeight: document.scrollingElement!.scrollHeight,
    width: window.innerWidth,
    height: window.innerHeight,
  }));
  expect(size.scrollWidth).toBeLessThanOrEqual(size.width);
  expect(size.scrollHeight, "the page is no taller than the window").toBeLessThanOrEqual(size.height);
  const chat = privateChat(page, partner);
  const actions = ["Video call", "Send a file", "Close chat"].map((name) =>
    chat.getByRole("button", { name, exact: true }),
  );
  const controls = {
    "Video call": actions[0]!,
    "Send a file": actions[1]!,
    "Close chat": actions[2]!,
    "Private message": chat.getByRole("textbox", { name: "Private message" }),
    Send: chat.getByRole("button", { name: "Send", exact: true }),
  };
  const inside = async (control: Locator) => {
    const [b, sheet] = [await box(control), await box(chat)];
    return (
      b.x >= Math.max(0, sheet.x) - 0.5 &&
      b.x + b.width <= Math.min(size.width, sheet.x + sheet.width) + 0.5 &&
      b.y >= Math.max(0, sheet.y) - 0.5 &&
      b.y + b.height <= Math.min(size.height, sheet.y + sheet.height) + 0.5
    );
  };
  // The composer sits at the sheet's bottom, in view without scrolling the sheet (the messages scroll).
  for (const name of ["Private message", "Send"] as const) {
    const b = await box(controls[name]);
    console.log(
      `chat sheet at ${size.width}×${size.height}: ${name} from y ${b.y.toFixed(0)} to ${(b.y + b.height).toFixed(0)} (window ${size.height})`,
    );
    expect(await inside(controls[name]), `${name} is in view at ${size.width} px without scrolling`).toBe(
      true,
    );
  }
  const scrolled: string[] = [];
  for (const [name, control] of Object.entries(controls)) {
    if (!(await inside(control))) {
      scrolled.push(name);
      await control.scrollIntoViewIfNeeded();
    }
    expect(await inside(control), `${name} lies inside the sheet and the ${size.width} px window`).toBe(true);
    const onTop = await control.evaluate((element) => {
      const r = element.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return hit !== null && element.contains(hit);
    });
    expect(onTop, `${name} is not covered`).toBe(true);
  }
  // Scrolling the page never moved: only the sheet scrolls.
  expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);
  await actions[0]!.scrollIntoViewIfNeeded();
  const middles = await Promise.all(actions.map(async (a) => ((b) => b.y + b.height / 2)(await box(a))));
  for (const middle of middles) expect(Math.abs(middle - middles[0]!)).toBeLessThan(2);
  console.log(
    `chat sheet at ${size.width}×${size.height}: ${scrolled.length ? `scrolled to ${scrolled.join(", ")}` : "every control in view"}`,
  );
}

/** The badge lies inside its tile, and overlaps none of the tile's buttons (Pin, Full screen). */
async function expectClear(tileLocator: Locator, badge: Locator, where: string): Promise<void> {
  const [t, b] = [await box(tileLocator), await box(badge)];
  expect(b.x >= t.x - 0.5 && b.y >= t.y - 0.5, `badge inside the ${where} tile`).toBe(true);
  expect(b.x + b.width <= t.x + t.width + 0.5 && b.y + b.height <= t.y + t.height + 0.5).toBe(true);
  for (const button of await tileLocator.getByRole("button").all()) {
    const k = await box(button);
    const apart =
      b.x + b.width <= k.x || k.x + k.width <= b.x || b.y + b.height <= k.y || k.y + k.height <= b.y;
    expect(apart, `"Poor connection" clear of ${await button.getAttribute("aria-label")} (${where})`).toBe(
      true,
    );
  }
  console.log(
    `call screen: Poor connection badge ${b.width.toFixed(0)}×${b.height.toFixed(0)} on a ${where} tile ${t.width.toFixed(0)} px wide`,
  );
}

/** No two of these tiles overlap: the self-view covers nobody. */
async function expectApart(page: Page, names: string[]): Promise<void> {
  const boxes = await Promise.all(names.map((name) => box(tile(page, name))));
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const overlap =
        Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
        Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
      expect(overlap).toBeLessThan(1);
    }
  }
}

it("lays the call out like a product: controls, layouts, share, pin, phone and desktop", async () => {
  let alice!: User;
  let bob!: User;
  let carol!: User;

  await scenario.step("Alice (desktop), Bob (phone) and Carol join GENERAL", async () => {
    [alice, bob, carol] = await Promise.all([
      scenario.open("Alice", { viewport: DESKTOP }),
      scenario.open("Bob", { viewport: PHONE }),
      scenario.open("Carol"),
    ]);
    for (const user of [alice, bob, carol]) await join(user.page, user.name, "GENERAL");
    for (const name of ["Alice", "Bob", "Carol"]) await memberItem(alice.page, name).waitFor();
  });

  await scenario.step("Alice calls Bob and sees her own camera while it rings", async () => {
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    await privateChat(bob.page, "Alice").waitFor();
    await alice.page.getByRole("button", { name: "Video call" }).click();
    await bob.page.getByRole("alertdialog", { name: "Incoming call from Alice" }).waitFor();
    const preview = tile(alice.page, "Alice (you)").locator("video");
    await expect.poll(async () => (await videoState(preview)).width, MEDIA_TIMEOUT).toBeGreaterThan(0);
    await shots(alice.page, "ringing-desktop");
    await expectNoAxeViolations(alice.page, "ringing (desktop)");
  });

  await scenario.step(
    "While it rings, Alice mutes her microphone and turns the preview's camera off and on",
    async () => {
      expect(await barButtons(alice.page)).toEqual([
        "Mute microphone",
        "Turn camera off",
        "Chat",
        "More",
        "Hang up",
      ]);
      await stageButton(alice.page, "Turn camera off").click();
      expect(await stageButton(alice.page, "Turn camera on").getAttribute("aria-pressed")).toBe("true");
      await expect.poll(() => showsInitials(alice.page, "Alice (you)")).toBe(true);
      await alice.page.keyboard.press("Control+d"); // the shortcut works while it rings, too
      await mutedBadge(alice.page, "Alice (you)").waitFor();
      await shots(alice.page, "ringing-muted-desktop");
      await stageButton(alice.page, "Turn camera on").click();
      await expect.poll(() => showsInitials(alice.page, "Alice (you)")).toBe(false);
      const preview = tile(alice.page, "Alice (you)").locator("video");
      await expect.poll(async () => (await videoState(preview)).width, MEDIA_TIMEOUT).toBeGreaterThan(0);
    },
  );

  await scenario.step("Bob accepts on his phone: the call is the page on both", async () => {
    const incoming = bob.page.getByRole("alertdialog", { name: "Incoming call from Alice" });
    await incoming.getByRole("button", { name: "Accept" }).click();
    await Promise.all([expectFlowingVideo(alice.page, "Bob"), expectFlowingVideo(bob.page, "Alice")]);
    // The call starts as Alice left her toggles while it rang: microphone off, camera on.
    expect(await stageButton(alice.page, "Unmute microphone").getAttribute("aria-pressed")).toBe("true");
    await mutedBadge(bob.page, "Alice").waitFor(MEDIA_TIMEOUT);
    await stageButton(alice.page, "Unmute microphone").click();
    await expect.poll(() => mutedBadge(bob.page, "Alice").count(), MEDIA_TIMEOUT).toBe(0);
    expect(await objectFit(alice.page, "Bob")).toBe("cover");
    // The self-view floats in a corner of the stage, off the other person's face (the middle).
    const [them, me] = [await box(tile(alice.page, "Bob")), await box(tile(alice.page, "Alice (you)"))];
    expect(area(me)).toBeLessThan(area(them) / 6);
    const face = {
      x: them.x + them.width / 3,
      y: them.y + them.height / 5,
      w: them.width / 3,
      h: them.height / 2,
    };
    expect(me.x >= face.x + face.w || me.y >= face.y + face.h).toBe(true);
    const bar = alice.page.getByRole("toolbar", { name: "Call controls" }).getByRole("button");
    expect(await bar.evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label")))).toEqual([
      "Mute microphone",
      "Turn camera off",
      "Share screen",
      "Raise hand",
      "Reactions",
      "Call settings",
      "Chat",
      "More",
      "Hang up",
    ]);
    await lookAt(alice.page, bob.page, "call", "1:1 call, chat open on the desktop");
  });

  await scenario.step(
    "At 1024 and 1280 px the private chat's actions keep one row in the side panel",
    async () => {
      const chat = privateChat(alice.page, "Bob");
      for (const viewport of [{ width: 1024, height: 768 }, DESKTOP]) {
        await alice.page.setViewportSize(viewport);
        const actions = ["Video call", "Send a file", "Close chat"].map((name) =>
          chat.getByRole("button", { name, exact: true }),
        );
        const boxes = await Promise.all(actions.map(box));
        const panel = await box(chat);
        const middle = (b: { y: number; height: number }) => b.y + b.height / 2;
        for (const b of boxes) {
          expect(Math.abs(middle(b) - middle(boxes[0]!))).toBeLessThan(2);
          expect(b.x + b.width).toBeLessThanOrEqual(panel.x + panel.width);
        }
        if (viewport.width === 1024) await shots(alice.page, "call-desktop-1024");
      }
    },
  );

  await scenario.step("Tooltips name the controls; the Reactions menu opens above its button", async () => {
    const reactions = stageButton(alice.page, "Reactions");
    await reactions.hover();
    await alice.page.getByRole("tooltip", { name: "Reactions", exact: true }).waitFor();
    await stageButton(alice.page, "Mute microphone").hover();
    await alice.page.getByRole("tooltip", { name: /^\s*Mute microphone\s*Ctrl\+D\s*$/ }).waitFor();
    await reactions.click();
    const menu = alice.page.getByRole("menu", { name: "Reactions" });
    await menu.waitFor();
    const [menuBox, buttonBox] = [await box(menu), await box(reactions)];
    expect(menuBox.y + menuBox.height).toBeLessThanOrEqual(buttonBox.y);
    expect(Math.abs(menuBox.x + menuBox.width / 2 - (buttonBox.x + buttonBox.width / 2))).toBeLessThan(
      menuBox.width / 2,
    );
    expect(await reactions.getAttribute("aria-expanded")).toBe("true");
    await screenshot(alice.page, "call-screen/reactions-menu-desktop", { fullPage: false });
    await closeMenu(alice.page);
  });

  await scenario.step("Alice moves her self view with the keyboard, corner by corner", async () => {
    const stageBox = await box(callStage(alice.page));
    const self = tile(alice.page, "Alice (you)");
    const corner = async () => {
      const b = await box(self);
      const vertical = b.y + b.height / 2 < stageBox.y + stageBox.height / 2 ? "top" : "bottom";
      const horizontal = b.x + b.width / 2 < stageBox.x + stageBox.width / 2 ? "left" : "right";
      return `${vertical}-${horizontal}`;
    };
    expect(await corner()).toBe("bottom-right");
    const move = stageButton(alice.page, "Move self view");
    await move.focus();
    await alice.page.keyboard.press("ArrowUp");
    await expect.poll(corner).toBe("top-right");
    await alice.page.keyboard.press("ArrowLeft");
    await expect.poll(corner).toBe("top-left");
    await alice.page.keyboard.press("Enter"); // a press: the next corner, clockwise
    await expect.poll(corner).toBe("top-right");
    await alice.page.keyboard.press("ArrowDown");
    await expect.poll(corner).toBe("bottom-right");
  });

  await scenario.step(
    "Bob's phone: one row of controls and a one-line header, at 390 and 320 px",
    async () => {
      // The secondary controls live under More on a phone; the rest stays in the bar, Hang up last.
      expect(await barButtons(bob.page)).toEqual([
        "Mute microphone",
        "Turn camera off",
        "Reactions",
        "Chat",
        "More",
        "Hang up",
      ]);
      const more = await moreItems(bob.page);
      expect(more).toEqual(expect.arrayContaining(["Share screen", "Call settings"]));
      await closeMenu(bob.page);
      await expectFitsViewport(bob.page);
      await bob.page.setViewportSize(SMALL_PHONE);
      await expectFitsViewport(bob.page);
      await shots(bob.page, "call-phone-320");
      await bob.page.setViewportSize(PHONE);
    },
  );

  await scenario.step("Ctrl+D and Ctrl+E toggle Alice's microphone and camera", async () => {
    await alice.page.keyboard.press("Control+d");
    const unmute = stageButton(alice.page, "Unmute microphone");
    await unmute.waitFor();
    expect(await unmute.getAttribute("aria-pressed")).toBe("true");
    await alice.page.keyboard.press("Control+e");
    await stageButton(alice.page, "Turn camera on").waitFor();
    await shots(alice.page, "muted-desktop");
    await alice.page.keyboard.press("Control+d");
    await alice.page.keyboard.press("Control+e");
    expect(await stageButton(alice.page, "Mute microphone").getAttribute("aria-pressed")).toBe("false");
    await stageButton(alice.page, "Turn camera off").waitFor();
  });

  await scenario.step("Alice closes the chat panel: the stage takes the screen", async () => {
    const chat = stageButton(alice.page, "Chat");
    await chat.click();
    expect(await chat.getAttribute("aria-pressed")).toBe("false");
    await alice.page.getByRole("log", { name: "Room chat" }).waitFor({ state: "hidden" });
    await printShare(alice.page, "desktop, 1:1, chat closed");
    await shots(alice.page, "call-desktop-chat-closed");
    // Bob opens his phone's chat as a sheet, and writes.
    await stageButton(bob.page, "Chat").click();
    await privateChat(bob.page, "Alice")
      .getByRole("textbox", { name: "Private message" })
      .fill("Can you see me?");
    await privateChat(bob.page, "Alice").getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(async () => (await stageShare(bob.page)).fits).toBe(true);
    await shots(bob.page, "call-phone-chat");
    await expectNoAxeViolations(bob.page, "1:1 call with the chat sheet (phone)");
    // The chat's header after its one-row change (icon-only actions in a narrow panel), at 390 and 320 px.
    await expectChatSheetFits(bob.page, "Alice");
    await bob.page.setViewportSize(SMALL_PHONE);
    await expectChatSheetFits(bob.page, "Alice");
    await shots(bob.page, "call-phone-320-chat");
    await bob.page.setViewportSize(PHONE);
    // "Back to call" closes the sheet; focus returns to the stage's Chat button.
    await bob.page.getByRole("button", { name: "Back to call", exact: true }).click();
    await bob.page
      .getByRole("region", { name: "Chat and people", exact: true })
      .waitFor({ state: "detached" });
    await expect
      .poll(() => bob.page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Chat");
    // Alice's closed chat counts what came in.
    await expect.poll(() => stageButton(alice.page, "Chat").locator("xpath=..").textContent()).toContain("1");
    await expectNoAxeViolations(alice.page, "1:1 call with unread messages (desktop)");
    await chat.click();
  });

  await scenario.step("Bob raises his hand from More on his phone: both see it on his tile", async () => {
    await fromMore(bob.page, "Raise hand");
    for (const [page, name] of [
      [bob.page, "Bob (you)"],
      [alice.page, "Bob"],
    ] as const)
      await tile(page, name).getByRole("img", { name: "Hand raised" }).waitFor();
    await lookAt(alice.page, bob.page, "hand-1-1", "1:1 call, Bob's hand raised");
    await fromMore(bob.page, "Lower hand");
    await expect
      .poll(() => tile(alice.page, "Bob").getByRole("img", { name: "Hand raised" }).count())
      .toBe(0);
  });

  await scenario.step("Alice hangs up", async () => {
    await stageButton(alice.page, "Hang up").click();
    await Promise.all([expectCaptureStopped(alice.page), expectCaptureStopped(bob.page)]);
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Close chat" }).click();
  });

  await scenario.step("A group call of three, in the grid", async () => {
    await startGroupCall(alice.page, "Alice");
    await joinGroupCall(bob.page, "Bob", ["Alice"]);
    await joinGroupCall(carol.page, "Carol", ["Alice", "Bob"]);
    await expectTiles(alice.page, ["Bob", "Carol", "Alice (you)"]);
    await Promise.all([expectFramesIn(alice.page, "Bob"), expectFramesIn(alice.page, "Carol")]);
    await expectApart(alice.page, ["Bob", "Carol", "Alice (you)"]);
    await expectApart(bob.page, ["Alice", "Carol", "Bob (you)"]);
    // Upright on Bob's phone: Alice and Carol side by side, Bob across the width below (no empty cell).
    const [a, c, b] = [
      await box(tile(bob.page, "Alice")),
      await box(tile(bob.page, "Carol")),
      await box(tile(bob.page, "Bob (you)")),
    ];
    expect(Math.abs(a.y - c.y)).toBeLessThan(2);
    expect(b.y).toBeGreaterThan(a.y + a.height - 1);
    expect(b.width).toBeGreaterThan(1.8 * a.width);
    expect(a.height).toBeGreaterThan(a.width); // upright tiles, larger faces than a stack of three
    expect(await moreItems(bob.page)).toEqual(expect.arrayContaining(["Share screen", "Raise hand"]));
    await closeMenu(bob.page);
    await expectFitsViewport(bob.page);
    await lookAt(alice.page, bob.page, "group-grid", "group call in the grid");
  });

  await scenario.step("Alice switches to the speaker layout", async () => {
    await fromMore(alice.page, "Speaker", "menuitemradio", "more-menu-desktop");
    // One large, the others in the filmstrip; measured once the tiles have moved to their new places
    // (a tile being moved has no box for a moment).
    const largestOverNext = async () => {
      const tiles = await Promise.all(
        ["Bob", "Carol", "Alice (you)"].map((n) => tile(alice.page, n).boundingBox()),
      );
      if (tiles.some((b) => b === null)) return 0;
      const sizes = tiles.map((b) => area(b!)).sort((a, b) => b - a);
      return sizes[0]! / sizes[1]!;
    };
    await expect.poll(largestOverNext).toBeGreaterThan(4);
    await shots(alice.page, "group-speaker-desktop");
    await fromMore(alice.page, "Grid", "menuitemradio");
  });

  await scenario.step("Alice pins Carol: Carol takes the stage", async () => {
    await tile(alice.page, "Carol").hover();
    await tile(alice.page, "Carol").getByRole("button", { name: "Pin Carol" }).click();
    const [carolBox, bobBox] = [await box(tile(alice.page, "Carol")), await box(tile(alice.page, "Bob"))];
    expect(area(carolBox)).toBeGreaterThan(4 * area(bobBox));
    await shots(alice.page, "group-pinned-desktop");
    await tile(alice.page, "Carol").getByRole("button", { name: "Unpin Carol" }).click();
  });

  await scenario.step(
    "Alice's uplink turns poor: its badge covers no tile button, large or small",
    async () => {
      // Every outbound link's round trip reads 2 s (the page's own stats, rewritten where they are read).
      await alice.page.evaluate(() => {
        const original = RTCPeerConnection.prototype.getStats;
        RTCPeerConnection.prototype.getStats = async function (this: RTCPeerConnection, ...args: []) {
          const report = await original.apply(this, args);
          const changed = new Map();
          report.forEach((entry: { type: string }, id: string) =>
            changed.set(id, entry.type === "remote-inbound-rtp" ? { ...entry, roundTripTime: 2 } : entry),
          );
          return changed as unknown as RTCStatsReport;
        };
        (window as { restoreStats?: () => void }).restoreStats = () =>
          (RTCPeerConnection.prototype.getStats = original);
      });
      const self = tile(alice.page, "Alice (you)");
      const badge = self.getByRole("status").filter({ hasText: "Poor connection" });
      await badge.waitFor(MEDIA_TIMEOUT);
      await self.hover();
      await expectClear(self, badge, "grid");
      await shots(alice.page, "group-poor-grid-desktop");
      // Carol pinned: Alice's own tile is small, in the filmstrip (an icon, the words its name).
      await tile(alice.page, "Carol").hover();
      await tile(alice.page, "Carol").getByRole("button", { name: "Pin Carol" }).click();
      await expect
        .poll(async () => area(await box(self)) * 4 < area(await box(tile(alice.page, "Carol"))))
        .toBe(true);
      await expectClear(self, badge, "filmstrip");
      await shots(alice.page, "group-poor-filmstrip-desktop");
      await tile(alice.page, "Carol").getByRole("button", { name: "Unpin Carol" }).click();
      await alice.page.evaluate(() => (window as { restoreStats?: () => void }).restoreStats?.());
      await badge.waitFor({ state: "detached", timeout: MEDIA_TIMEOUT.timeout });
    },
  );

  await scenario.step("Carol shares her screen: the share takes the stage, uncropped", async () => {
    await stageButton(carol.page, "Share screen").click();
    for (const { page } of [alice, bob]) {
      await expectFramesIn(page, "Carol's screen");
      expect(await objectFit(page, "Carol's screen")).toBe("contain");
      const share = await box(tile(page, "Carol's screen"));
      expect(area(share)).toBeGreaterThan(3 * area(await box(tile(page, "Carol"))));
    }
    await lookAt(alice.page, bob.page, "group-share", "screen share");
  });

  await scenario.step("Alice puts the share in picture-in-picture", async () => {
    await fromMore(alice.page, "Picture in picture");
    await expect
      .poll(() =>
        alice.page.evaluate(
          () =>
            Boolean(document.pictureInPictureElement) ||
            Boolean(
              (window as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture
                ?.window,
            ),
        ),
      )
      .toBe(true);
  });

  await scenario.step("Carol stops sharing: the picture-in-picture window follows the stage", async () => {
    await expect.poll(() => pipShows(alice.page)).toBe("Carol's screen");
    await stageButton(carol.page, "Stop sharing").click();
    await expect.poll(() => pipShows(alice.page), MEDIA_TIMEOUT).toMatch(/^(Bob|Carol)$/);
  });

  await scenario.step("Alice hides her self view and shows it again", async () => {
    await fromMore(alice.page, "Hide self view");
    await expectTiles(alice.page, ["Bob", "Carol"]);
    await fromMore(alice.page, "Show self view");
    await expectTiles(alice.page, ["Bob", "Carol", "Alice (you)"]);
  });

  expect(scenario.pageErrors()).toEqual([]);
}, 900_000);
