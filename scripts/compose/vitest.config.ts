// `npm run test:compose`: the Docker Compose stack, built and run for real. Opt-in (not in `npm test`):
// it needs a Docker engine, the base images (or local stand-ins) and several minutes.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "compose",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    environment: "node",
    include: ["scripts/compose/*.compose.ts"],
    // Each file brings up a stack that publishes the same ports (8080, 3478): one at a time.
    fileParallelism: false,
    // Image builds on a busy 2-core machine: a bound on a hang, not a measure of speed.
    testTimeout: 1_200_000,
    hookTimeout: 1_200_000,
  },
});
