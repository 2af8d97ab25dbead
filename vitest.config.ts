// One test run for the repo: the server suite in Node, the SPA suite in happy-dom with Vue SFCs, and the
// scripts' own units. The browser suite has its own config (e2e/vitest.config.ts).
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "server",
          root: "server",
          environment: "node",
          include: ["test/**/*.test.ts"],
          // Safety nets against a hang, not measures of speed: tests wait for the state they need, and a
          // machine whose CPUs other processes keep busy can take many times as long as an idle one.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "scripts",
          root: "scripts",
          environment: "node",
          include: ["test/**/*.test.ts"],
        },
      },
      {
        plugins: [vue()],
        test: {
          name: "client",
          root: "client",
          environment: "happy-dom",
          include: ["test/**/*.test.ts"],
          setupFiles: ["test/setup.ts"],
          // As the server's: a menu opened twice by userEvent took over 5 s on a machine at load 40.
          testTimeout: 30_000,
        },
      },
    ],
  },
});
