// @vitest-environment happy-dom
// Call settings: the devices to choose from (following devicechange), a preview before a call, the
// choice remembered in localStorage, a switch during a call by replaceTrack without renegotiation,
// and plain words when a device is missing or refused.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeDevices, installFakeDevices } from "./fakeDevices";
import { bob, chatWithBob, renderPrivate, requests, server } from "./privateHarness";
import { joinBobsCall, stage } from "./stageHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const DEVICES_KEY = "videochat.devices";
const panel = () => within(screen.getByRole("dialog", { name: "Call settings" }));
const select = (name: string) => panel().getByRole("combobox", { name }) as HTMLSelectElement;
const options = (name: string) => [...select(name).options].map((o) => o.textContent?.trim());

async function openSettings() {
  await userEvent.setup().click(await screen.findByRole("button", { name: "Call settings" }));
  await waitFor(() => expect(options("Camera")).toEqual(["Front camera", "USB camera"]));
}

let devices: FakeDevices;
let pinia: Pinia;
beforeEach(() => {
  localStorage.clear();
  devices = installFakeDevices();
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.unstubAllGlobals();
});

describe("before a call", () => {
  beforeEach(() => {
    pinia = renderPrivate();
  });

  it("lists cameras, microphones and speakers, and previews the camera and microphone", async () => {
    await openSettings();
    expect(options("Microphone")).toEqual(["Built-in microphone"]);
    expect(options("Speaker")).toEqual(["Speakers", "Headphones"]);
    expect(panel().getByLabelText("Microphone level").tagName).toBe("METER");
    await waitFor(() =>
      expect(devices.opened.map((t) => t.label).sort()).toEqual(["Built-in microphone", "Front camera"]),
    );
  });

  it("remembers a choice in the browser and previews the new camera", async () => {
    await openSettings();
    await userEvent.setup().selectOptions(select("Camera"), "cam-2");
    expect(JSON.parse(localStorage.getItem(DEVICES_KEY)!)).toMatchObject({ camera: "cam-2" });
    await waitFor(() =>
      expect(devices.getUserMedia).toHaveBeenLastCalledWith({ video: { deviceId: { exact: "cam-2" } } }),
    );
    expect(devices.opened.find((t) => t.label === "Front camera")!.stop).toHaveBeenCalled();
    await userEvent.setup().selectOptions(select("Speaker"), "spk-2");
    expect(JSON.parse(localStorage.getItem(DEVICES_KEY)!)).toEqual({
      camera: "cam-2",
      microphone: null,
      speaker: "spk-2",
    });
  });

  it("updates the lists when a device is plugged in or out", async () => {
    await openSettings();
    devices.plug(devices.device("videoinput", "cam-3", "Document camera"));
    await waitFor(() => expect(options("Camera")).toEqual(["Front camera", "USB camera", "Document camera"]));
    devices.plug(null, "cam-1");
    await waitFor(() => expect(options("Camera")).toEqual(["USB camera", "Document camera"]));
  });

  it("closes with Done or Escape, stopping its preview", async () => {
    await openSettings();
    await waitFor(() => expect(devices.opened).toHaveLength(2));
    await userEvent.setup().keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Call settings" })).toBeNull();
    expect(devices.opened.every((track) => track.stop.mock.calls.length > 0)).toBe(true);
  });
});

describe("in a call", () => {
  it("starts with the remembered devices", async () => {
    localStorage.setItem(DEVICES_KEY, JSON.stringify({ camera: "cam-2", microphone: null, speaker: null }));
    ({ pinia } = await joinBobsCall(devices));
    expect(devices.getUserMedia.mock.calls[0]![0]).toEqual({
      audio: true,
      video: { deviceId: { ideal: "cam-2" } },
    });
    expect(devices.opened.map((t) => t.label)).toContain("USB camera");
  });

  it("switches the camera on every connection by replaceTrack, without renegotiating", async () => {
    ({ pinia } = await joinBobsCall(devices));
    const pc = devices.pcs[0]!;
    const history = [...pc.history];
    const signals = requests("group:signal").length;
    const old = devices.opened.find((t) => t.label === "Front camera")!;
    await openSettings();
    await userEvent.setup().selectOptions(select("Camera"), "cam-2");
    const sender = pc.transceivers.find((t) => t.kind === "video")!.sender;
    await waitFor(() => expect(sender.replaceTrack).toHaveBeenCalled());
    expect(sender.track?.label).toBe("USB camera");
    expect(old.stop).toHaveBeenCalled();
    expect(pc.history).toEqual(history);
    expect(requests("group:signal")).toHaveLength(signals);
  });

  it("keeps the old camera and says why when the new one is refused", async () => {
    ({ pinia } = await joinBobsCall(devices));
    await openSettings();
    devices.fail("video", "NotAllowedError");
    await userEvent.setup().selectOptions(select("Camera"), "cam-2");
    await waitFor(() =>
      expect(stage().getByRole("alert").textContent).toBe(
        "Your browser blocked the camera. Allow it in the site settings; the call goes on without it.",
      ),
    );
    const sender = devices.pcs[0]!.transceivers.find((t) => t.kind === "video")!.sender;
    expect(sender.track?.label).toBe("Front camera");
  });

  it("says so plainly when the camera is unplugged mid-call, and goes on", async () => {
    ({ pinia } = await joinBobsCall(devices));
    const camera = devices.opened.find((t) => t.label === "Front camera")!;
    camera.dispatchEvent(new Event("ended"));
    await waitFor(() =>
      expect(stage().getByRole("alert").textContent).toBe(
        "Your camera stopped (was it unplugged?). The call goes on; pick another in Call settings.",
      ),
    );
    expect((stage().getByRole("button", { name: "Turn camera on" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    await waitFor(() =>
      expect(requests("call:media").at(-1)).toEqual({ audio: true, video: false, screen: false }),
    );
  });

  it("goes on with the microphone when there is no camera, and says so plainly", async () => {
    devices.fail("video", "NotFoundError");
    ({ pinia } = await joinBobsCall(devices));
    expect(stage().getByRole("alert").textContent).toBe("Camera unavailable: you are on audio only.");
    expect((stage().getByRole("button", { name: "Turn camera on" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(devices.pcs[0]!.senders.map((s) => (s.track as { kind: string }).kind)).toEqual(["audio"]);
  });

  it("says what Bob misses in a 1:1 call, by his name", async () => {
    devices.fail("audio", "NotFoundError");
    pinia = renderPrivate();
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    await screen.findByRole("textbox", { name: "Private message" });
    const call = { id: "call-9", callerId: bob.id, state: "ringing" as const };
    server.serverEmit("call:incoming", { call, from: chatWithBob.with });
    const ringing = await screen.findByRole("alertdialog", { name: "Incoming call from Bob" });
    await userEvent.setup().click(within(ringing).getByRole("button", { name: "Accept" }));
    expect((await stage().findByRole("alert")).textContent).toBe(
      "Microphone unavailable: Bob can see you but cannot hear you.",
    );
  });

  it("says what the others miss in a group call", async () => {
    devices.fail("video", "NotAllowedError");
    devices.fail("audio", "NotAllowedError");
    ({ pinia } = await joinBobsCall(devices));
    expect(stage().getByRole("alert").textContent).toBe(
      "Camera and microphone blocked: you can see and hear the others, but they cannot see or hear you. " +
        "Allow them in your browser's site settings.",
    );
  });
});

describe("voice processing", () => {
  const toggle = (name: string) => panel().getByRole("switch", { name }) as HTMLInputElement;
  /** The audio constraints of the last getUserMedia call that asked for a microphone. */
  const lastAudio = () =>
    devices.getUserMedia.mock.calls
      .map(([constraints]) => constraints.audio)
      .filter(Boolean)
      .at(-1);

  it("offers Noise suppression and Echo cancellation, on by default, remembered, and used for the preview", async () => {
    pinia = renderPrivate();
    await openSettings();
    expect(toggle("Noise suppression").checked).toBe(true);
    expect(toggle("Echo cancellation").checked).toBe(true);
    await userEvent.setup().click(toggle("Noise suppression"));
    expect(JSON.parse(localStorage.getItem("videochat.voice")!)).toEqual({
      noiseSuppression: false,
      echoCancellation: true,
    });
    await waitFor(() => expect(lastAudio()).toEqual({ noiseSuppression: false, echoCancellation: true }));
  });

  it("applies a change to the call's microphone, opening it again when the live track cannot take it", async () => {
    localStorage.setItem(
      "videochat.voice",
      JSON.stringify({ noiseSuppression: true, echoCancellation: false }),
    );
    ({ pinia } = await joinBobsCall(devices));
    expect(lastAudio()).toEqual({ noiseSuppression: true, echoCancellation: false });
    await openSettings();
    expect(toggle("Echo cancellation").checked).toBe(false);
    await userEvent.setup().click(toggle("Echo cancellation"));
    const sender = devices.pcs[0]!.transceivers.find((t) => t.kind === "audio")!.sender;
    await waitFor(() => expect(sender.replaceTrack).toHaveBeenCalled());
    expect(lastAudio()).toEqual({
      noiseSuppression: true,
      echoCancellation: true,
    });
  });
});

describe("device names", () => {
  it("shows devices as people know them: no Default prefix, no USB ids, the system's entry named as such", async () => {
    const { plainDeviceLabel } = await import("../src/webrtc/devices");
    expect(plainDeviceLabel("Default - HD Pro Webcam C920 (046d:082d)")).toBe("HD Pro Webcam C920");
    expect(plainDeviceLabel("Communications - Headset (Jabra) (0b0e:245e)")).toBe("Headset (Jabra)");
    expect(plainDeviceLabel("Built-in microphone")).toBe("Built-in microphone");
    devices.plug({
      deviceId: "default",
      kind: "audioinput",
      label: "Default - USB Mic (046d:0a44)",
      groupId: "g",
    });
    pinia = renderPrivate();
    await openSettings();
    await waitFor(() =>
      expect(options("Microphone")).toEqual(["Built-in microphone", "Same as system (USB Mic)"]),
    );
  });
});
