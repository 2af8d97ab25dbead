// The reactions a participant can send in a call: a fixed set, so that the server relays nothing else.
// Plain TypeScript without imports: the SPA's Reactions menu and the server's schema read the same list.

/** Thumbs up, heart, tears of joy, surprise, clapping, party popper: in the order the menu shows them. */
export const REACTIONS = ["👍", "❤️", "😂", "😮", "👏", "🎉"] as const;
