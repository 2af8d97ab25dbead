// Socket.IO room names. Fan-out goes through these, so every instance reaches the right sockets.

/** Everyone in a chat room. */
export const roomChannel = (room: string) => `room:${room}`;

/** Every connection (tab, reconnect) of one user, on any instance. */
export const userChannel = (userId: string) => `user:${userId}`;

/** The sockets on this instance that show room counts (rooms:watch); counts reach it locally only. */
export const WATCHERS = "rooms:watchers";
