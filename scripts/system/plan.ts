// What `npm test` does about missing system parts: nothing, install them with apt-get (Debian/Ubuntu,
// as root or with password-less sudo, the way `playwright install-deps` does), or stop before any test
// with the one command a person runs. Pure: the caller probes the machine and runs the commands.
import type { Platform, SystemPart } from "./parts.js";

export interface Machine {
  platform: Platform;
  /** Running as root: apt-get works as it is. */
  root: boolean;
  /** `sudo -n true` succeeds: apt-get works through sudo without a password prompt. */
  passwordlessSudo: boolean;
  /** NO_SYSTEM_INSTALL is set: never install, only say what to run. */
  noSystemInstall: boolean;
}

/** A command as its argv; every word is shell-safe, so `argv.join(" ")` is exactly what runs. */
export type Command = readonly string[];

export type Plan =
  | { kind: "ready" }
  | { kind: "install"; missing: SystemPart[]; commands: Command[] }
  | { kind: "stop"; missing: SystemPart[]; message: string };

/** Quiet, no questions, only what the packages need (no recommended extras). */
const APT_INSTALL = ["install", "-y", "-qq", "--no-install-recommends"];

/** The apt-get runs that install `packages`: one list refresh, then one install. */
export function aptCommands(packages: readonly string[], viaSudo: boolean): Command[] {
  // sudo resets the environment but takes VAR=value words; `env` does the same without sudo.
  const noninteractive = [viaSudo ? "sudo" : "env", "DEBIAN_FRONTEND=noninteractive"];
  return [
    [...(viaSudo ? ["sudo"] : []), "apt-get", "update", "-qq"],
    [...noninteractive, "apt-get", ...APT_INSTALL, ...packages],
  ];
}

/** The one line a person runs to install `missing` on `platform`, or null where there is no one line. */
export function installLine(
  missing: readonly SystemPart[],
  platform: Platform,
  root: boolean,
): string | null {
  if (missing.length === 0) return null;
  if (platform === "debian") {
    const sudo = root ? "" : "sudo ";
    const packages = missing.map((part) => part.apt).join(" ");
    return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages}`;
  }
  if (platform === "macos") {
    // One formula can bring two parts (redis: redis-server and redis-sentinel).
    const formulas = [...new Set(missing.filter((part) => !part.cask).map((part) => part.brew))];
    const casks = missing.filter((part) => part.cask).map((part) => part.brew);
    return [
      formulas.length > 0 ? `brew install ${formulas.join(" ")}` : "",
      casks.length > 0 ? `brew install --cask ${casks.join(" ")}` : "",
    ]
      .filter(Boolean)
      .join(" && ");
  }
  return null;
}

/** Decides what to do about `missing` on `machine`. */
export function planSetup(missing: readonly SystemPart[], machine: Machine): Plan {
  if (missing.length === 0) return { kind: "ready" };
  const packaged = missing.filter((part) => !part.noPackage);
  const mayInstall =
    machine.platform === "debian" && !machine.noSystemInstall && (machine.root || machine.passwordlessSudo);
  if (mayInstall && packaged.length === missing.length) {
    const packages = packaged.map((part) => part.apt);
    return { kind: "install", missing: [...missing], commands: aptCommands(packages, !machine.root) };
  }
  return { kind: "stop", missing: [...missing], message: stopMessage(missing, machine) };
}

function stopMessage(missing: readonly SystemPart[], machine: Machine): string {
  const lines = [
    "npm test needs programs that are not installed:",
    ...missing.map((part) => `  ${part.name} (${part.usedBy})`),
    "",
  ];
  for (const part of missing) if (part.noPackage) lines.push(`${part.name}: ${part.noPackage}.`, "");
  const packaged = missing.filter((part) => !part.noPackage);
  const line = installLine(packaged, machine.platform, machine.root);
  if (line) lines.push("Install them with:", "", `  ${line}`, "");
  else if (packaged.length > 0) {
    lines.push(
      "Install them with your system's package manager. The packages are called, on Debian/Ubuntu:",
      `  ${packaged.map((part) => part.apt).join(" ")}`,
      `and in Homebrew: ${packaged.map((part) => (part.cask ? `${part.brew} (cask)` : part.brew)).join(" ")}`,
      "Chromium may live anywhere: set CHROMIUM_PATH to its executable.",
      "",
    );
  }
  if (machine.platform === "debian" && packaged.length > 0) {
    if (machine.noSystemInstall)
      lines.push("(NO_SYSTEM_INSTALL is set, so npm test does not install them itself.)");
    else if (!machine.root && !machine.passwordlessSudo)
      lines.push("(npm test installs them itself only as root or with password-less sudo.)");
  }
  lines.push("Then run npm test again.");
  return lines.join("\n");
}
