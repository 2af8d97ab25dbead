// The app's sounds, made in the browser with Web Audio (no audio files): a ring for an incoming call
// and a short chime for a message, played on the page's one AudioContext (webrtc/audioContext.ts).
import { audio } from "../../webrtc/audioContext";

/** One ring: two tones a third apart, repeated every RING_PERIOD_S until stopped. */
const RING_PERIOD_S = 2;
const RING_TONES_HZ = [784, 659] as const;
const CHIME_TONES_HZ = [880, 1318.5] as const;
const PEAK_GAIN = 0.18;

/** A soft tone with a quick attack and a decay, so it never clicks. */
function tone(ctx: AudioContext, hz: number, start: number, seconds: number): OscillatorNode {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = "sine";
  oscillator.frequency.setValueAtTime(hz, start);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(PEAK_GAIN, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + seconds + 0.05);
  return oscillator;
}

/** A two-note chime for a message that arrives while the tab is hidden. */
export function playChime(): void {
  const ctx = audio();
  if (!ctx || ctx.state !== "running") return;
  const now = ctx.currentTime;
  CHIME_TONES_HZ.forEach((hz, i) => tone(ctx, hz, now + i * 0.12, 0.25));
}

/** Rings until the returned function is called, which also silences the tones already scheduled. */
export function startRing(): () => void {
  let scheduled: OscillatorNode[] = [];
  const ring = () => {
    const ctx = audio();
    if (!ctx || ctx.state !== "running") return;
    const now = ctx.currentTime;
    scheduled = RING_TONES_HZ.map((hz, i) => tone(ctx, hz, now + i * 0.35, 0.3));
  };
  ring();
  const timer = setInterval(ring, RING_PERIOD_S * 1000);
  return () => {
    clearInterval(timer);
    for (const oscillator of scheduled) {
      try {
        oscillator.stop();
      } catch {
        // already stopped
      }
    }
    scheduled = [];
  };
}
