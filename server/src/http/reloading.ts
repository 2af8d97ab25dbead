// POST /api/session/reloading: the first thing a reloading tab says, from a small script in the page's
// head (client/public/reloading.js), long before its app has loaded and connected. A closed page's
// call place ends after CLOSED_TAB_GRACE_MS (a closed tab must leave the others' stage within
// seconds); this tells the server the page is coming back, so a reload slower than that (a slow
// machine) keeps the call for the call grace, the others seeing "reconnecting" meanwhile.
import type { RequestHandler } from "express";
import { reloadingBody } from "@videochat/protocol/schemas";
import type { Config } from "../config.js";
import type { Store } from "../state/store.js";
import { holdForReload } from "../realtime/places.js";

export function reloading(deps: {
  config: Config;
  store: Store;
  clock: () => number;
  deadlineAt: (at: number) => void;
}): RequestHandler {
  return async (req, res) => {
    const parsed = reloadingBody.safeParse(req.body);
    if (!parsed.success)
      return res
        .status(400)
        .json({ error: { code: "invalid_payload", message: "Expected a token and a tab." } });
    const userId = await deps.store.findSessionIdByToken(parsed.data.token);
    if (!userId)
      return res.status(401).json({ error: { code: "session_unknown", message: "No such session." } });
    res.json({ held: await holdForReload(deps, userId, parsed.data.tab) });
  };
}
