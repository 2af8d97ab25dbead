// How loud a microphone track is right now, with a Web Audio AnalyserNode: the settings panel's
// level meter and the stage's "who is speaking". The page's one AudioContext serves every meter.
import { audio } from "./audioContext";

/** One track's loudness as RMS of the waveform, 0 (silence) to about 1 (full scale). */
export interface LevelMeter {
  level(): number;
  stop(): void;
}

const SILENT: LevelMeter = { level: () => 0, stop: () => {} };

/** A meter for an audio track; a silent one where Web Audio is missing (tests, very old browsers). */
export function meterFor(track: MediaStreamTrack): LevelMeter {
  // A context still suspended (no gesture yet) reads silence; the first click anywhere resumes it.
  const ctx = audio();
  if (!ctx || track.kind !== "audio") return SILENT;
  try {
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    return {
      level() {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const sample of samples) sum += sample * sample;
        return Math.sqrt(sum / samples.length);
      },
      stop() {
        source.disconnect();
      },
    };
  } catch (error) {
    console.warn("[audio] no level meter", error);
    return SILENT;
  }
}

/** Below this RMS a microphone counts as quiet (room noise, breathing). */
export const SPEAKING_LEVEL = 0.02;

/**
 * The loudest of the levels above SPEAKING_LEVEL, or null when everyone is quiet. `previous` keeps
 * the highlight unless someone else is clearly louder, so it does not flicker between two voices.
 */
export function loudest(levels: Map<string, number>, previous: string | null): string | null {
  let best: string | null = null;
  let bestLevel = SPEAKING_LEVEL;
  for (const [id, level] of levels) {
    if (level > bestLevel) [best, bestLevel] = [id, level];
  }
  const held = previous === null ? 0 : (levels.get(previous) ?? 0);
  if (best !== null && previous !== null && held > SPEAKING_LEVEL && bestLevel < held * 1.5) return previous;
  return best;
}
