// The caller's own camera while a 1:1 call rings out, so the stage shows them, not a black box. Opened
// when the ringing starts, stopped as soon as the call's own media takes over, the ringing ends or the
// caller switches the camera off (the call will then start with it off).
import { markRaw, onScopeDispose, shallowRef, watch } from "vue";
import { openDevice } from "../../webrtc/devices";
import { useDeviceStore } from "../devices/deviceStore";
import { useCallMediaStore } from "./callMediaStore";
import { useCallStore } from "./callStore";

/** The preview stream (camera only) while ringing out, else null. */
export function useRingingPreview() {
  const call = useCallStore();
  const media = useCallMediaStore();
  const devices = useDeviceStore();
  const stream = shallowRef<MediaStream | null>(null);
  let opening = 0;

  function stop(): void {
    opening += 1;
    for (const track of stream.value?.getTracks() ?? []) track.stop();
    stream.value = null;
  }

  async function start(): Promise<void> {
    const attempt = ++opening;
    const track = await openDevice("camera", devices.chosen.camera).catch(() => null);
    // The ringing may have ended (or the call's media started) while the camera was opening.
    if (attempt !== opening) return track?.stop();
    if (track) stream.value = markRaw(new MediaStream([track]));
  }

  const ringing = (): boolean => call.status === "ringing-out" && !media.active;
  // Each ringing starts with the microphone and camera on, and leaves them so: the call's media (which
  // starts in the same turn as the ringing ends) has read them already, a cancelled one needs them no more.
  watch(ringing, () => media.resetStart(), { immediate: true });
  watch(
    () => ringing() && media.startCameraOn,
    (shown) => (shown ? void start() : stop()),
    { immediate: true },
  );
  onScopeDispose(stop);
  return stream;
}
