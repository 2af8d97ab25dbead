// A child process holding some of the bench's simulated participants (pool.ts): werift's SRTP and RTP
// are JavaScript, so one Node process sending and receiving for 20–25 of them cannot keep 15 fps; the
// bench spreads them over several of these. It runs the same SimParticipant, driven over IPC.
import { SimParticipant, type SimOptions } from "./participant.js";
import type { HostCommand, HostReply, SimSnapshot } from "./pool.js";

const sims = new Map<number, SimParticipant>();
let next = 0;

const sim = (key: number): SimParticipant => {
  const found = sims.get(key);
  if (!found) throw new Error(`no simulated participant ${key} in this process`);
  return found;
};

async function run(command: HostCommand): Promise<unknown> {
  switch (command.op) {
    case "connect": {
      const key = next++;
      const created = await SimParticipant.connect(command.options as SimOptions);
      sims.set(key, created);
      return { sim: key, userId: created.userId };
    }
    case "startCall":
      return sim(command.sim).startCall();
    case "joinCall":
      return sim(command.sim).joinCall(command.callId);
    case "startMedia":
      return sim(command.sim).startMedia();
    case "close":
      await sim(command.sim).close(command.quietly);
      sims.delete(command.sim);
      return null;
    case "snapshot":
      return [...sims].map(([key, one]): SimSnapshot => ({
        sim: key,
        callId: one.callId,
        framesSent: one.framesSent,
        received: Object.fromEntries([...one.received].map(([userId, got]) => [userId, got.frames])),
        problems: one.problems.splice(0),
        connections: one.connections,
      }));
  }
}

process.on("message", (command: HostCommand) => {
  run(command).then(
    (result) => process.send!({ id: command.id, ok: true, result } satisfies HostReply),
    (error: unknown) =>
      process.send!({
        id: command.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies HostReply),
  );
});
// The parent went: nothing is left to simulate for.
process.on("disconnect", () => process.exit(0));
