// The SPA build; in development, Vite proxies the API and the socket to a local server.
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const api = `http://localhost:${process.env.API_PORT ?? 3000}`;

export default defineConfig({
  plugins: [vue()],
  // vue-i18n's compile-time flags: composition API only (the legacy API's code is dropped), no devtools
  // hook in production; left undefined, the esm-bundler build warns in the console.
  define: {
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    // WEB_PORT: a second `npm run serve` (or its test) beside the first.
    port: Number(process.env.WEB_PORT ?? 5173),
    // A port asked for by name is that port or an error: moving on silently to the next one leaves the
    // asker (a test, a second run's proxy) talking to whatever holds it.
    strictPort: process.env.WEB_PORT !== undefined,
    proxy: {
      "/api": { target: api },
      "/socket.io": { target: api, ws: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true },
});
