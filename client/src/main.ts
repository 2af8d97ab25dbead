// The only global CSS (design tokens, the reset); every component, the ui/ controls too, styles itself.
import "./ui/tokens.css";
import "./ui/reset.css";
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
