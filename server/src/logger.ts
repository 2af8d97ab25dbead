// Structured logs: one JSON line per connection, error and lifecycle event, tagged with the instance id.
import { pino, type Logger } from "pino";
import type { Config } from "./config.js";

export type { Logger };

export function createLogger(config: Pick<Config, "instanceId" | "logLevel">): Logger {
  return pino({ level: config.logLevel, base: { instanceId: config.instanceId } });
}
