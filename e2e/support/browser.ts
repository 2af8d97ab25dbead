// One real Chromium per user (the system's, never a downloaded one), each with a fresh profile, or one
// Chromium shared by several users, a context each; fake camera and microphone, and screenshots under
// test-artifacts/e2e/.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { chromiumPath } from "../../scripts/system/parts.js";
import { repoRoot } from "./app.js";
import { installMediaProbe } from "./media.js";

/** CHROMIUM_PATH, or where Debian's (or on macOS Homebrew's) package puts it; npm test checks the same path. */
export const CHROMIUM = chromiumPath();
export const artifactsDir = path.join(repoRoot, "test-artifacts/e2e");

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Synthetic cameras (a moving pattern) and microphones (a beep), granted without a prompt; three
  // cameras, so a test can switch: Chromium's fake_device_1 is a depth camera (Y16) that WebRTC
  // cannot send (the far side freezes), fake_device_2 an ordinary one (MJPEG). The fake UI also
  // accepts getDisplayMedia, which then shares a synthetic 1280×720 screen: no picker, no extra flag.
  "--use-fake-device-for-media-stream=device-count=3",
  "--use-fake-ui-for-media-stream",
];

/** How long an action or a wait on the UI may take before the step fails. */
const UI_TIMEOUT_MS = 10_000;
/** How long the app's first load may take: the whole bundle, on a machine that may be busy. */
const LOAD_TIMEOUT_MS = 45_000;

export interface User {
  name: string;
  page: Page;
  context: BrowserContext;
  /** Uncaught page errors and console errors and warnings, for failure messages. */
  problems: string[];
  close(): Promise<void>;
}

/** The key client/src/features/session/tabStorage.ts keeps the tab's id under; nginx hashes that id (`?tab=`). */
const TAB_KEY = "videochat.tab";

export interface OpenOptions {
  /** The tab id the app finds in sessionStorage from its first load, to pin the tab to one instance. */
  tab?: string;
  /** Grant camera and microphone (default). Chromium refuses to for a page that is not a secure context. */
  grantMedia?: boolean;
  /** The window's size in CSS pixels; a laptop-sized 1100×760 unless given. */
  viewport?: { width: number; height: number };
  /**
   * "voice": the fake microphone plays a voice-like warble that never stops (someone who talks all
   * the time) instead of Chromium's short beep twice a second, which an SFU's audio-level average
   * reads as silence.
   */
  microphone?: "beep" | "voice";
  /**
   * "small": the fake camera plays a 320×240 picture at 10 frames a second (smallCameraFile) instead of
   * Chromium's 640×480 pattern at 30, so a page encodes one small simulcast layer and the others decode
   * small frames: what lets several pages of one call share two cores.
   */
  camera?: "default" | "small";
  /**
   * Open the person as a new context (its own cookies, storage and renderer) of this browser, from
   * launchBrowser, instead of a browser of their own: `microphone` and `camera` are then the browser's.
   */
  browser?: Browser;
}

/**
 * A WAV file that sounds enough like a voice for WebRTC's noise suppression to keep it (a steady tone
 * is learnt as noise and removed): a warble between 300 and 1200 Hz with syllables at 3 per second,
 * never silent (1 s, 48 kHz mono, 16-bit; Chromium loops it).
 */
function voiceFile(): string {
  const file = path.join(tmpdir(), "videochat-e2e-voice-2.wav");
  if (existsSync(file)) return file;
  const rate = 48_000;
  const samples = Buffer.alloc(rate * 2);
  let phase = 0;
  for (let i = 0; i < rate; i += 1) {
    const t = i / rate;
    phase += (2 * Math.PI * (750 + 450 * Math.sin(2 * Math.PI * 4 * t))) / rate;
    const envelope = 0.55 + 0.35 * Math.sin(2 * Math.PI * 3 * t);
    samples.writeInt16LE(Math.round(30_000 * envelope * Math.sin(phase)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36);
  header.writeUInt32LE(samples.length, 40);
  writeFileSync(file, Buffer.concat([header, samples]));
  return file;
}

/**
 * A Y4M video Chromium's fake camera loops (`--use-file-for-fake-video-capture`): 320×240 at 10 frames
 * a second, a light square crossing a grey picture in 2 s (20 frames; 4:2:0, about 2.3 MB), so every
 * frame differs and the encoder keeps sending.
 */
function smallCameraFile(): string {
  const file = path.join(tmpdir(), "videochat-e2e-camera-320x240-10.y4m");
  if (existsSync(file)) return file;
  const [width, height, frames, side] = [320, 240, 20, 60];
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < frames; f += 1) {
    const luma = Buffer.alloc(width * height, 90);
    const left = Math.round(((width - side) * f) / (frames - 1));
    const top = (height - side) / 2;
    for (let y = top; y < top + side; y += 1) luma.fill(220, y * width + left, y * width + left + side);
    const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
    parts.push(Buffer.from("FRAME\n"), luma, chroma);
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** Chromium's command line for the fake devices `options` ask for. */
function chromiumArgs({ microphone, camera }: Pick<OpenOptions, "microphone" | "camera">): string[] {
  return [
    ...CHROMIUM_ARGS,
    ...(microphone === "voice" ? [`--use-file-for-fake-audio-capture=${voiceFile()}`] : []),
    ...(camera === "small" ? [`--use-file-for-fake-video-capture=${smallCameraFile()}`] : []),
  ];
}

/**
 * One Chromium for several people (openUser's `browser`): one browser process, GPU process, network
 * and audio service and one fake camera for all of them, instead of a set per person; each person
 * still has a context (and a renderer) of their own.
 */
export async function launchBrowser(
  options: Pick<OpenOptions, "microphone" | "camera"> = {},
): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(options) });
}

function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: \`npm test\` says how to install it (or set CHROMIUM_PATH)`,
    );
  }
}

/** A phone held upright (an iPhone 12–15's CSS viewport). */
export const PHONE = { width: 390, height: 844 };

/**
 * Launches a browser for one person, on its own throw-away profile, with the app's origin open (or,
 * with `browser`, a new context of that browser).
 */
export async function openUser(name: string, appUrl: string, options: OpenOptions = {}): Promise<User> {
  requireChromium();
  const viewport = options.viewport ?? { width: 1100, height: 760 };
  const profile = options.browser
    ? null
    : mkdtempSync(path.join(tmpdir(), `videochat-e2e-${name.toLowerCase()}-`));
  const context = profile
    ? await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: chromiumArgs(options),
        viewport,
      })
    : await options.browser!.newContext({ viewport });
  if (options.grantMedia ?? true)
    await context.grantPermissions(["camera", "microphone"], { origin: appUrl });
  // Under tsx (the bench's call row), esbuild keeps function names by wrapping functions in a
  // `__name` helper, which then travels into the page with every function sent there.
  await context.addInitScript("globalThis.__name ??= (target) => target;");
  await installMediaProbe(context);
  if (options.tab) {
    await context.addInitScript(
      ({ key, tab }) => {
        try {
          window.sessionStorage.setItem(key, tab);
        } catch {
          // about:blank and other opaque origins have no storage; the app's origin does
        }
      },
      { key: TAB_KEY, tab: options.tab },
    );
  }
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    const type = message.type();
    if (type === "error" || type === "warning") problems.push(`console.${type}: ${message.text()}`);
  });
  await page.goto(appUrl, { timeout: LOAD_TIMEOUT_MS });
  return {
    name,
    page,
    context,
    problems,
    close: async () => {
      await context.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a PNG as test-artifacts/e2e/<name>.png (name may contain folders): the full page, or with
 * `fullPage: false` what the window shows, as a person holding the phone sees it.
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  const file = path.join(artifactsDir, `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage });
  return file;
}
