// One e2e scenario: the app, the people in it, and numbered steps that leave a screenshot per person
// (and, when a step fails, a "-FAILED" screenshot of every page plus the browsers' and server's output,
// and what each page offers to assistive technology: the ARIA tree a role locator searches).
import { rmSync } from "node:fs";
import path from "node:path";
import { startApp, type App } from "./app.js";
import type { Browser } from "playwright-core";
import { artifactsDir, launchBrowser, openUser, screenshot, type OpenOptions, type User } from "./browser.js";
import { peerSummaries } from "./media.js";
import { join, memberItem } from "./ui.js";

/** Lines of each page's ARIA tree in a failed step's message. */
const ARIA_LINES = 120;

export class Scenario<A extends App = App> {
  private readonly users: User[] = [];
  /** Browsers shared by several people (launchBrowser), closed after their people. */
  private readonly browsers: Browser[] = [];
  private stepCount = 0;
  /** The running step's file-name stem, e.g. "03-bob-joins-general". */
  private stepName = "00-setup";

  private constructor(
    readonly slug: string,
    readonly app: A,
  ) {}

  /** Starts the app for a test file; screenshots go to test-artifacts/e2e/<slug>/. */
  static async start(slug: string, env: Record<string, string> = {}): Promise<Scenario> {
    return Scenario.on(slug, () => startApp(env));
  }

  /** Like `start`, on another deployment of the app, e.g. a cluster behind nginx. */
  static async on<A extends App>(slug: string, launch: () => Promise<A>): Promise<Scenario<A>> {
    rmSync(path.join(artifactsDir, slug), { recursive: true, force: true });
    return new Scenario(slug, await launch());
  }

  /** A new person in their own browser, looking at the app's first screen. */
  async open(name: string, options: OpenOptions = {}): Promise<User> {
    const user = await openUser(name, this.app.url, options);
    this.users.push(user);
    return user;
  }

  /**
   * One Chromium for several people of this scenario (pass it as `open`'s `browser`): each gets a
   * context of it. Closed with the scenario.
   */
  async launchBrowser(options: Pick<OpenOptions, "microphone" | "camera"> = {}): Promise<Browser> {
    const browser = await launchBrowser(options);
    this.browsers.push(browser);
    return browser;
  }

  /** A browser per name, each joined to `room`; resolves once every one of them lists all of them. */
  async everyoneJoins<Names extends string[]>(
    room: string,
    ...names: Names
  ): Promise<{ [K in keyof Names]: User }> {
    const users = await Promise.all(names.map((name) => this.open(name)));
    for (const user of users) await join(user.page, user.name, room);
    for (const { page } of users) for (const name of names) await memberItem(page, name).waitFor();
    return users as { [K in keyof Names]: User };
  }

  /** Screenshots, then closes one person's browser (their session ends after the server's grace period). */
  async dismiss(user: User): Promise<void> {
    await screenshot(user.page, `${this.slug}/${this.stepName}-${user.name.toLowerCase()}`);
    this.users.splice(this.users.indexOf(user), 1);
    await user.close();
  }

  async step(title: string, action: () => Promise<void>): Promise<void> {
    const name = (this.stepName = `${String(++this.stepCount).padStart(2, "0")}-${title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")}`);
    try {
      await action();
    } catch (error) {
      await this.snapshotAll(`${name}-FAILED`);
      if (error instanceof Error)
        error.message = `step "${title}": ${error.message}${await this.diagnostics()}`;
      throw error;
    }
    await this.snapshotAll(name);
  }

  /** Uncaught errors in any page; console errors are not counted (a refused join logs a 409). */
  pageErrors(): string[] {
    return this.users.flatMap((user) =>
      user.problems.filter((p) => p.startsWith("pageerror")).map((p) => `${user.name}: ${p}`),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.users.splice(0).map((user) => user.close()));
    await Promise.allSettled(this.browsers.splice(0).map((browser) => browser.close()));
    await this.app.stop();
  }

  private async snapshotAll(name: string): Promise<void> {
    await Promise.allSettled(
      this.users.map((user) => screenshot(user.page, `${this.slug}/${name}-${user.name.toLowerCase()}`)),
    );
  }

  /**
   * What the browsers complained about, where their peer connections stand, each page's ARIA tree (up
   * to ARIA_LINES lines: a CI log is all a failure leaves behind, and "button not found" needs the
   * page as a role locator saw it), what the servers logged.
   */
  private async diagnostics(): Promise<string> {
    const lines: string[] = [];
    for (const user of this.users) {
      const peers = await peerSummaries(user.page).catch(() => []);
      for (const line of [...user.problems, ...peers]) lines.push(`  ${user.name} ${line}`);
    }
    for (const user of this.users) {
      const tree = await user.page
        .locator("body")
        .ariaSnapshot({ timeout: 2_000 })
        .catch((error: unknown) => `(no ARIA tree: ${String(error).split("\n")[0]})`);
      const treeLines = tree.split("\n");
      lines.push(`  ${user.name}'s page (ARIA):`, ...treeLines.slice(0, ARIA_LINES).map((l) => `    ${l}`));
      if (treeLines.length > ARIA_LINES) lines.push(`    … ${treeLines.length - ARIA_LINES} more lines`);
    }
    const server = this.app.output().trim();
    return (
      (lines.length ? `\nbrowsers:\n${lines.join("\n")}` : "") + (server ? `\nserver output:\n${server}` : "")
    );
  }
}
