// Reading Prometheus text: one sample's value, from a scrape or straight from an instance's registry.
import type { Instance } from "../../src/server.js";

/**
 * The value of the first sample of `name` whose labels contain `labels`, e.g.
 * `sample(text, "videochat_events_total", 'event="room:message",outcome="ok"')`; NaN when absent.
 */
export function sample(text: string, name: string, labels = ""): number {
  const line = text
    .split("\n")
    .find((row) => row.startsWith(`${name}{`) && row.includes(labels) && !row.startsWith("#"));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : NaN;
}

/** The same, read from an in-process instance's registry (what its GET /metrics would answer now). */
export async function instanceSample(instance: Instance, name: string, labels = ""): Promise<number> {
  return sample(await instance.metrics.registry.metrics(), name, labels);
}
