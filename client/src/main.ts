import { createPinia } from "pinia";
import { createApp } from "vue";
import App from "./App.vue";
import { createAppRouter } from "./router";
import "./styles/base.css";
import "./styles/join.css";
import "./styles/room.css";
import "./styles/chat.css";
import "./styles/private.css";
import "./styles/call.css";

const app = createApp(App);
app.use(createPinia());
app.use(createAppRouter());
app.mount("#app");
