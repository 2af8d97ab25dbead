// @vitest-environment happy-dom
// Who is speaking in a call through the SFU: Janus's audio-level events (sfu:talking) say it, not a
// meter on every received voice; the highlight follows them, a muted or away person never holds it,
// and a mesh call ignores them (it measures what it receives).
import { afterEach, describe, expect, it } from "vitest";
import { ref } from "vue";
import { createStage } from "../src/features/call/stage";
import type { CallPeers } from "../src/webrtc/callPeers";
import { Emitter } from "../src/webrtc/emitter";
import type { MeshEvents, RemoteParticipant } from "../src/webrtc/mesh";

const person = (id: string, audio = true): RemoteParticipant => ({
  id,
  name: id,
  state: "connected",
  tracks: {},
  media: { audio, video: true, screen: false },
});

/** A call of Bob and Carol as the stage sees it (only what it reads). */
function callOf(people: RemoteParticipant[]) {
  const events = new Emitter<MeshEvents>();
  return Object.assign(events, { participants: people }) as unknown as CallPeers;
}

const stages: ReturnType<typeof createStage>[] = [];
function stageFor(people: RemoteParticipant[], talkingEvents: boolean) {
  const stage = createStage();
  stages.push(stage);
  const self = {
    id: "alice",
    name: "Alice",
    micOn: ref(true),
    cameraOn: ref(true),
    stream: ref(null),
    screen: ref(null),
  };
  stage.start(self, callOf(people), { talkingEvents });
  return stage;
}

afterEach(() => {
  for (const stage of stages.splice(0)) stage.stop();
});

describe("the speaker through the SFU", () => {
  it("follows Janus's talking events, and the tile of whoever talks is highlighted", () => {
    const stage = stageFor([person("bob"), person("carol")], true);
    expect(stage.speakerId.value).toBeNull();
    stage.setTalking("carol", true);
    expect(stage.speakerId.value).toBe("carol");
    expect(stage.tiles.value.find((tile) => tile.participantId === "carol")?.speaking).toBe(true);
    expect(stage.tiles.value.find((tile) => tile.participantId === "bob")?.speaking).toBe(false);
    // Bob starts while Carol still talks: the highlight holds (no flicker between two voices)...
    stage.setTalking("bob", true);
    expect(stage.speakerId.value).toBe("carol");
    // ...and moves when she stops.
    stage.setTalking("carol", false);
    expect(stage.speakerId.value).toBe("bob");
    stage.setTalking("bob", false);
    expect(stage.speakerId.value).toBeNull();
  });

  it("never highlights a muted microphone, nor a page that went away", () => {
    const stage = stageFor([person("bob", false), person("carol")], true);
    stage.setTalking("bob", true);
    expect(stage.speakerId.value).toBeNull();
    stage.setTalking("carol", true);
    expect(stage.speakerId.value).toBe("carol");
    stage.setAway("carol", true);
    stage.setAway("carol", false);
    stage.setTalking("bob", false);
    expect(stage.speakerId.value).toBeNull();
  });

  it("ignores talking events in a mesh call", () => {
    const stage = stageFor([person("bob")], false);
    stage.setTalking("bob", true);
    expect(stage.speakerId.value).toBeNull();
  });
});
