// A stand-in for navigator.mediaDevices in unit tests: cameras, microphones and speakers that can be
// plugged in and out (devicechange), getUserMedia honouring deviceId, devices that are missing or
// refused, and getDisplayMedia. And RTCPeerConnection swapped for FakePeerConnection, so the real
// MeshCall and PeerSession run against it.
import { vi } from "vitest";
import { fakeStream, fakeTrack, FakePeerConnection, type FakeTrack } from "./fakePeerConnection";

export interface FakeDevice {
  deviceId: string;
  kind: MediaDeviceKind;
  label: string;
  groupId: string;
}

const device = (kind: MediaDeviceKind, deviceId: string, label: string): FakeDevice => ({
  kind,
  deviceId,
  label,
  groupId: "g",
});

type Failure = "NotFoundError" | "NotAllowedError" | "NotReadableError";

/** The device a constraint asks for: exact wins, then ideal, then the first of its kind. */
function wanted(
  constraint: boolean | MediaTrackConstraints | undefined,
  list: FakeDevice[],
): FakeDevice | undefined {
  const id =
    typeof constraint === "object" ? (constraint.deviceId as { exact?: string; ideal?: string }) : undefined;
  if (id?.exact) return list.find((d) => d.deviceId === id.exact);
  return list.find((d) => d.deviceId === id?.ideal) ?? list[0];
}

export function installFakeDevices() {
  const events = new EventTarget();
  const devices: FakeDevice[] = [
    device("videoinput", "cam-1", "Front camera"),
    device("videoinput", "cam-2", "USB camera"),
    device("audioinput", "mic-1", "Built-in microphone"),
    device("audiooutput", "spk-1", "Speakers"),
    device("audiooutput", "spk-2", "Headphones"),
  ];
  /** Kinds that fail, and how. */
  const failing = new Map<"audio" | "video", Failure>();
  const opened: FakeTrack[] = [];
  const screens: FakeTrack[] = [];

  const getUserMedia = vi.fn(async (constraints: MediaStreamConstraints) => {
    const tracks: FakeTrack[] = [];
    for (const kind of ["audio", "video"] as const) {
      if (!constraints[kind]) continue;
      const failure = failing.get(kind);
      if (failure) throw new DOMException(`${kind} refused`, failure);
      const list = devices.filter((d) => d.kind === (kind === "audio" ? "audioinput" : "videoinput"));
      const picked = wanted(constraints[kind], list);
      if (!picked) throw new DOMException(`no ${kind}`, "OverconstrainedError");
      tracks.push(fakeTrack(kind, picked.label));
    }
    opened.push(...tracks);
    return fakeStream([], tracks) as unknown as MediaStream;
  });
  const getDisplayMedia = vi.fn(async () => {
    const track = fakeTrack("video", "screen:0");
    screens.push(track);
    return fakeStream([], [track]) as unknown as MediaStream;
  });
  const mediaDevices = {
    getUserMedia,
    getDisplayMedia,
    enumerateDevices: vi.fn(async () => devices.map((d) => ({ ...d }))),
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
  };
  Object.defineProperty(navigator, "mediaDevices", { value: mediaDevices, configurable: true });

  const pcs: FakePeerConnection[] = [];
  vi.stubGlobal(
    "RTCPeerConnection",
    class extends FakePeerConnection {
      constructor(config: RTCConfiguration) {
        super(`pc${pcs.length + 1}`, config, true);
        pcs.push(this);
      }
    },
  );

  return {
    devices,
    opened,
    screens,
    pcs,
    getUserMedia,
    getDisplayMedia,
    fail: (kind: "audio" | "video", failure: Failure) => failing.set(kind, failure),
    /** Plugs a device in (or, with `unplug`, out) and tells the page, as the browser does. */
    plug(added: FakeDevice | null, unplug?: string) {
      if (added) devices.push(added);
      if (unplug)
        devices.splice(
          devices.findIndex((d) => d.deviceId === unplug),
          1,
        );
      events.dispatchEvent(new Event("devicechange"));
    },
    device,
  };
}

export type FakeDevices = ReturnType<typeof installFakeDevices>;
