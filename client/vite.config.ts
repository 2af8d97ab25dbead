// The SPA build; in development, Vite proxies the API and the socket to a local server.
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const api = `http://localhost:${process.env.API_PORT ?? 3000}`;

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      "/api": { target: api },
      "/socket.io": { target: api, ws: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true },
});
