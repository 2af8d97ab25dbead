// The only global CSS (design tokens, the reset with the shared control looks); every component styles itself.
import "./ui/tokens.css";
import "./ui/reset.css";
import { createPinia } from "pinia";
import { createApp } from "vue";
import App from "./App.vue";
import { createAppRouter } from "./router";

const app = createApp(App);
app.use(createPinia());
app.use(createAppRouter());
app.mount("#app");
