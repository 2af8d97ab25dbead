// Janus as the tests see it from outside the app: the participants each node holds, asked over
// Janus's own API with the admin key (the servers' secret, which no page ever gets).
import Janode from "janode";
import VideoRoomPlugin, { type VideoRoomHandle } from "janode/plugins/videoroom";
import type { Janus } from "../../scripts/cluster/janus.js";

/** Janode on `node` with the admin key (the API secret); `use` gets a VideoRoom handle. */
export async function onNode<T>(node: Janus, use: (handle: VideoRoomHandle) => Promise<T>): Promise<T> {
  const connection = await Janode.connect({ address: { url: node.url, apisecret: node.apiSecret } });
  try {
    const session = await connection.create();
    return await use(await session.attach(VideoRoomPlugin));
  } finally {
    await connection.close();
  }
}

/** Participants in the VideoRooms of `node`, as Janus counts them (the `list` request). */
export const participantsOn = (node: Janus): Promise<number> =>
  onNode(node, async (handle) => {
    const { list } = await handle.list({ admin_key: node.apiSecret });
    return list.reduce((sum, room) => sum + room.num_participants, 0);
  });
