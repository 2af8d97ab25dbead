// `npm run bench:quick`: the bench's CI check, kept apart from `npm test` (it needs a build and about a
// minute of both CPUs).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "bench",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    environment: "node",
    include: ["scripts/bench/quick.test.ts"],
    testTimeout: 180_000,
  },
});
