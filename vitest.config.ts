// One test run for the repo: the server suite in Node, the SPA suite in happy-dom with Vue SFCs.
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
          testTimeout: 20000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: "client",
          root: "client",
          environment: "happy-dom",
          include: ["test/**/*.test.ts"],
        },
      },
    ],
  },
});
