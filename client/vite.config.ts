// The SPA build; in development, Vite proxies the API and the socket to a local server.
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const api = `http://localhost:${process.env.API_PORT ?? 3000}`;

export default defineConfig({
  plugins: [vue()],
  server: {
    // WEB_PORT: a second `npm run serve` (or its test) beside the first.
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      "/api": { target: api },
      "/socket.io": { target: api, ws: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true },
});
