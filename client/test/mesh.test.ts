// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { callRoles, groupRoles } from "../src/webrtc/mesh";
import { fakeTrack } from "./fakePeerConnection";
import { createMeshWorld, type Person, settle } from "./meshHarness";

let world = createMeshWorld(groupRoles);
afterEach(() => {
  for (const person of world.people.values()) person.mesh.stop();
  world = createMeshWorld(groupRoles);
});

/** Everybody in `order` hears the same participant list; returns them in that order. */
function callOf(...ids: string[]): Person[] {
  const order = ids.map((id) => world.person(id));
  for (const person of order) world.tell(person, order);
  return order;
}

describe("a group call as a full mesh", () => {
  it("connects a newcomer to everyone already in the call, the newcomer offering", async () => {
    const [a, b] = callOf("a", "b");
    await settle();
    expect(world.negotiated(a!, b!)).toBe(true);
    // The newcomer's offers overtake the state that tells the others about it.
    const c = world.person("c");
    world.tell(c, [a!, b!, c]);
    await settle(3);
    world.tell(a!, [a!, b!, c]);
    world.tell(b!, [a!, b!, c]);
    await settle();
    for (const [x, y] of [
      [a, b],
      [a, c],
      [b, c],
    ] as const) {
      expect(world.negotiated(x!, y!)).toBe(true);
    }
    expect(c.sent.filter((s) => s.endsWith("offer")).sort()).toEqual(["a: offer", "b: offer"].sort());
    expect(a!.pcs.get("c")!.history[0]).toBe("remote offer: c>a offer 1"); // a waited for c's offer
    expect(a!.pcs.get("c")!.history).not.toContain("rollback");
    expect(c.events.filter((e) => e.startsWith("participantJoined"))).toEqual([
      "participantJoined a",
      "participantJoined b",
    ]);
  });

  it("takes leavers out in any order, and lets someone leave and come back", async () => {
    const [a, b, c] = callOf("a", "b", "c");
    await settle();
    // b leaves; c hears of it before a does.
    world.tell(c!, [a!, c!]);
    b!.mesh.stop();
    await settle(2);
    world.tell(a!, [a!, c!]);
    await settle();
    expect(a!.pcs.get("b")!.close).toHaveBeenCalled();
    expect(c!.pcs.get("b")!.close).toHaveBeenCalled();
    expect(a!.events).toContain("participantLeft b");
    expect(a!.mesh.participants.map((p) => p.id)).toEqual(["c"]);
    expect(world.negotiated(a!, c!)).toBe(true);

    // The first one leaves, and b comes back as a newcomer.
    world.tell(c!, [c!]);
    a!.mesh.stop();
    const back = world.person("b");
    world.tell(back, [c!, back]);
    world.tell(c!, [c!, back]);
    await settle();
    expect(world.negotiated(back, c!)).toBe(true);
    expect(c!.mesh.participants.map((p) => p.id)).toEqual(["b"]);
  });

  it("settles glare between two newcomers that both offer: the greater id yields", async () => {
    const a = world.person("a");
    const b = world.person("b");
    const c = world.person("c");
    world.tell(a, [a, b, c]);
    // Each newcomer believes the other was in the call first, so both offer at once.
    world.tell(b, [a, c, b]);
    world.tell(c, [a, b, c]);
    await settle(80);
    expect(world.negotiated(b, c)).toBe(true);
    expect(c.pcs.get("b")!.history).toContain("rollback"); // "c" > "b": c is polite
    expect(b.pcs.get("c")!.history).not.toContain("rollback");
    expect(world.negotiated(a, b)).toBe(true);
    expect(world.negotiated(a, c)).toBe(true);
  });

  it("restarts ICE with fresh servers on the one connection that failed", async () => {
    const [a, b, c] = callOf("a", "b", "c");
    await settle();
    for (const pc of a!.pcs.values()) pc.setIceState("connected");
    const toC = a!.pcs.get("c")!;
    toC.setIceState("failed");
    await settle();
    expect(a!.fetchIceServers).toHaveBeenCalledTimes(1);
    expect(toC.restartIce).toHaveBeenCalledTimes(1);
    expect(toC.config.iceServers).toEqual([{ urls: "turn:fresh.example:3478" }]);
    expect(a!.pcs.get("b")!.restartIce).not.toHaveBeenCalled();
    expect(a!.mesh.participant("c")?.state).toBe("reconnecting");
    toC.setIceState("connected");
    expect(a!.events.filter((e) => e.startsWith("stateChanged c"))).toEqual([
      "stateChanged c connected",
      "stateChanged c reconnecting",
      "stateChanged c connected",
    ]);
    expect(world.negotiated(b!, c!)).toBe(true);
  });
});

describe("participants' tracks", () => {
  it("names tracks by transceiver: microphone, camera, then screens; a share ends on removetrack", async () => {
    const [a] = callOf("a", "b");
    await settle();
    const pc = a!.pcs.get("b")!;
    const audio = pc.getTransceivers().findIndex((t) => t.kind === "audio");
    const video = pc.getTransceivers().findIndex((t) => t.kind === "video");
    pc.deliverTrack(audio);
    pc.deliverTrack(video);
    const screenIndex = pc.getTransceivers().length;
    pc.addTransceiver("video", { direction: "recvonly" }); // what b's share makes on a's side
    const screenStream = new MediaStream();
    const screen = pc.deliverTrack(screenIndex, screenStream);
    expect(Object.keys(a!.mesh.participant("b")!.tracks).sort()).toEqual(["camera", "microphone", "screen"]);
    screenStream.addTrack(screen as unknown as MediaStreamTrack);
    screenStream.removeTrack(screen as unknown as MediaStreamTrack); // the browser, once b stops sending it
    expect(a!.events.filter((e) => e.startsWith("track"))).toEqual([
      "trackSubscribed b microphone",
      "trackSubscribed b camera",
      "trackSubscribed b screen",
      "trackUnsubscribed b screen",
    ]);
    expect(a!.mesh.participant("b")!.tracks.screen).toBeUndefined();
  });

  it("tells when someone's microphone or camera goes off and on (call:media)", () => {
    const [a] = callOf("a", "b");
    a!.mesh.setRemoteMedia("b", { audio: true, video: true, screen: false });
    a!.mesh.setRemoteMedia("b", { audio: false, video: true, screen: false });
    a!.mesh.setRemoteMedia("b", { audio: false, video: false, screen: false });
    a!.mesh.setRemoteMedia("nobody", { audio: false, video: false, screen: false });
    expect(a!.events.filter((e) => e.startsWith("trackMuted"))).toEqual([
      "trackMuted b microphone false",
      "trackMuted b camera false",
      "trackMuted b microphone true",
      "trackMuted b camera true",
    ]);
  });

  it("switches the camera for everyone by replaceTrack, without renegotiating", async () => {
    const [a, b, c] = callOf("a", "b", "c");
    await settle();
    const histories = [...a!.pcs.values()].map((pc) => pc.history.length);
    const signals = [a!, b!, c!].map((person) => person.sent.length);
    const camera = fakeTrack("video");
    await a!.mesh.replaceTrack("camera", camera as unknown as MediaStreamTrack);
    await settle();
    for (const pc of a!.pcs.values()) {
      const sender = pc.senders.find((s) => s.track?.kind === "video")!;
      expect(sender.replaceTrack).toHaveBeenCalledWith(camera);
    }
    expect([...a!.pcs.values()].map((pc) => pc.history.length)).toEqual(histories);
    expect([a!, b!, c!].map((person) => person.sent.length)).toEqual(signals);
  });

  it("sends a screen share on a transceiver of its own, to newcomers too, and stops it", async () => {
    const [a, b] = callOf("a", "b");
    await settle();
    const share = { track: fakeTrack("video"), stream: new MediaStream() };
    a!.mesh.setScreen(share as unknown as { track: MediaStreamTrack; stream: MediaStream });
    await settle();
    const toB = a!.pcs.get("b")!;
    expect(toB.transceivers.at(-1)).toMatchObject({ direction: "sendonly" });
    expect(toB.transceivers.at(-1)!.sender.track).toBe(share.track);
    expect(world.negotiated(a!, b!)).toBe(true);
    const c = world.person("c");
    for (const who of [a!, b!, c]) world.tell(who, [a!, b!, c]);
    await settle();
    expect(a!.pcs.get("c")!.transceivers.some((t) => t.sender.track === share.track)).toBe(true);
    a!.mesh.setScreen(null);
    await settle();
    expect(toB.transceivers.at(-1)).toMatchObject({ direction: "inactive" });
    expect(world.negotiated(a!, b!)).toBe(true);
  });
});

describe("the 1:1 call as the two-person case", () => {
  it("has the caller offer and the callee answer, politely", async () => {
    world = createMeshWorld((id) => callRoles(id === "caller"));
    const caller = world.person("caller");
    const callee = world.person("callee");
    world.tell(caller, [callee]);
    world.tell(callee, [caller]);
    await settle();
    expect(world.negotiated(caller, callee)).toBe(true);
    expect(callee.pcs.get("caller")!.history[0]).toBe("remote offer: caller>callee offer 1");
  });
});
