// Entrypoint: configuration -> instance -> listen, and a clean shutdown on SIGINT/SIGTERM.
import { loadConfig } from "./config.js";
import { describeUrls, openUrls } from "./http/urls.js";
import { createInstance } from "./server.js";

const config = loadConfig();
const instance = createInstance(config);
const port = await instance.listen();
// For a person at a terminal; under Docker or the cluster runner stdout carries JSON logs only.
if (process.stdout.isTTY) console.log(describeUrls(openUrls(config.host, port)));

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    instance.logger.info({ signal }, "shutting down");
    // close() waits on Store writes, and ioredis retries them for as long as Redis is away (or
    // frozen): the deadline, not Redis, decides when the process is gone.
    setTimeout(() => {
      instance.logger.error(
        { timeoutMs: config.shutdownTimeoutMs },
        "shutdown deadline passed: exiting with the rest undone (other instances take over)",
      );
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    instance.close().then(
      () => process.exit(0),
      (error: unknown) => {
        instance.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
