// Global CSS first (tokens, reset, the rules not yet moved into components), then the app and its scoped styles.
import "./ui/tokens.css";
import "./ui/reset.css";
import "./styles/private.css";
import "./styles/call.css";
import { createPinia } from "pinia";
import { createApp } from "vue";
import App from "./App.vue";
import { createAppRouter } from "./router";

const app = createApp(App);
app.use(createPinia());
app.use(createAppRouter());
app.mount("#app");
