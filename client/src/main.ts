// Global CSS first (tokens, reset, the rules not yet moved into components), then the app and its scoped styles.
import "./ui/tokens.css";
import "./ui/reset.css";
import "./styles/room.css";
import "./styles/chat.css";
import "./styles/private.css";
import "./styles/call.css";
import { createPinia } from "pinia";
import { createApp } from "vue";
import App from "./App.vue";
import { i18n } from "./i18n";
import { createAppRouter } from "./router";

const app = createApp(App);
// The page speaks the language vue-i18n picked from the browser (screen readers pronounce by it).
document.documentElement.lang = i18n.global.locale.value;
document.title = i18n.global.t("app.title");
app.use(i18n);
app.use(createPinia());
app.use(createAppRouter());
app.mount("#app");
