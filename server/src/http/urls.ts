// Where to open the app, printed by `npm start` as Vite prints it for `npm run serve`.
import { isIP } from "node:net";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

export interface OpenUrls {
  /** On this machine: http://localhost:PORT, or the bound address when it is not loopback. */
  local?: string;
  /** From other devices: one URL per IPv4 address of this machine that the server listens on. */
  network: string[];
}

const url = (address: string, port: number) =>
  `http://${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
const isLoopback = (host: string) => host === "localhost" || host === "::1" || host.startsWith("127.");

/** The URLs for a server bound to `host` (HOST) on `port`. */
export function openUrls(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): OpenUrls {
  if (isLoopback(host)) return { local: url("localhost", port), network: [] };
  if (host !== "0.0.0.0" && host !== "::") return { network: [url(host, port)] };
  const addresses = Object.values(interfaces)
    .flat()
    .filter((info) => info && info.family === "IPv4" && !info.internal)
    .map((info) => info!.address);
  return { local: url("localhost", port), network: addresses.map((address) => url(address, port)) };
}

/** The lines `npm start` prints for a person at a terminal. */
export function describeUrls({ local, network }: OpenUrls): string {
  const lines = ["", "  Video chat is running:", ""];
  if (local) lines.push(`  Local:    ${local}`);
  for (const address of network) lines.push(`  Network:  ${address}`);
  if (network.length > 0) {
    lines.push("", "  Over plain HTTP, browsers give camera and microphone only to localhost: calls from");
    lines.push('  other devices need HTTPS in front (README, "Run it").');
  }
  return `${lines.join("\n")}\n`;
}
