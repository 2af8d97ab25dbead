// The browser end-to-end suite: the built app and real Chromiums, one file at a time.
// Kept apart from the root config so that `npm run test:unit` never needs a build or a browser.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "e2e",
    root: fileURLToPath(new URL("..", import.meta.url)),
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    // Each file starts its own server and browsers; in parallel they would fight for two CPUs.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // UI changes travel over a socket: assertions poll until they hold or this much time passes.
    expect: { poll: { timeout: 10_000, interval: 100 } },
  },
});
