// Runs from the page's head, long before the app has loaded: a tab whose last page held a call place
// (a reload, or the app opened again in the same tab) tells the server at once that a page is on its
// way. A closed page's place ends within seconds; this keeps it while the app loads and connects,
// however slowly (server/src/http/reloading.ts). Plain script: the CSP allows only 'self' scripts.
(function () {
  try {
    var store = window.sessionStorage;
    var tab = store.getItem("videochat.tab");
    var session = JSON.parse(store.getItem("videochat.session") || "null");
    if (!tab || !store.getItem("videochat.callPlace") || !session || typeof session.token !== "string")
      return;
    // The old page's closed connection may reach the server after this does: until the place is seen
    // away ("held": false), ask again a few times, a second apart.
    var ask = function (tries) {
      fetch("/api/session/reloading?tab=" + encodeURIComponent(tab), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ token: session.token, tab: tab }),
      })
        .then(function (response) {
          return response.ok ? response.json() : { held: true };
        })
        .then(function (answer) {
          if (!answer.held && tries > 1) setTimeout(ask, 1000, tries - 1);
        })
        .catch(function () {});
    };
    ask(3);
  } catch {
    // No storage (a private mode) or no fetch: the page reconnects as it would have anyway.
  }
})();
