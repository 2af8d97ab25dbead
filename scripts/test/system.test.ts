// npm test's set-up decisions: which parts are missing, and what it runs or prints on each platform.
import { describe, expect, it } from "vitest";
import {
  chromiumPath,
  DEBIAN_CHROMIUM,
  detectPlatform,
  MACOS_CHROMIUM,
  missingParts,
  osReleaseId,
  systemParts,
  type SystemPart,
} from "../system/parts.js";
import { planSetup, type Machine } from "../system/plan.js";

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const UBUNTU = "NAME=Ubuntu\nID=ubuntu\nID_LIKE=debian\n";
const MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

const linuxParts = systemParts({}, "linux");
const byName = (parts: readonly SystemPart[], ...names: string[]) =>
  parts.filter((part) => names.includes(part.name));
const machine = (overrides: Partial<Machine>): Machine => ({
  platform: "debian",
  root: false,
  passwordlessSudo: false,
  noSystemInstall: false,
  ...overrides,
});
const stopMessage = (missing: readonly SystemPart[], on: Partial<Machine>) => {
  const plan = planSetup(missing, machine(on));
  if (plan.kind !== "stop") throw new Error(`expected a stop, got ${plan.kind}`);
  return plan.message;
};

describe("the parts", () => {
  it("are every program the suite starts, with Debian and Homebrew packages", () => {
    expect(linuxParts.map((p) => [p.name, p.binary, p.apt, p.brew, p.cask])).toEqual([
      ["redis-server", "redis-server", "redis-server", "redis", false],
      ["redis-sentinel", "redis-sentinel", "redis-sentinel", "redis", false],
      ["nginx", "nginx", "nginx", "nginx", false],
      ["envsubst", "envsubst", "gettext-base", "gettext", false],
      ["coturn", "turnserver", "coturn", "coturn", false],
      ["Chromium", DEBIAN_CHROMIUM, "chromium", "chromium", true],
    ]);
  });

  it("look for Chromium where the browser tests launch it", () => {
    expect(chromiumPath({}, "linux")).toBe("/usr/bin/chromium");
    expect(chromiumPath({}, "darwin")).toBe(MACOS_CHROMIUM);
    expect(chromiumPath({ CHROMIUM_PATH: "" }, "linux")).toBe("/usr/bin/chromium");
    expect(chromiumPath({ CHROMIUM_PATH: "/opt/chromium/chrome" }, "darwin")).toBe("/opt/chromium/chrome");
    expect(systemParts({}, "darwin").at(-1)?.binary).toBe(MACOS_CHROMIUM);
  });

  it("are missing when their binary is not found", () => {
    const found = new Set(["redis-server", "redis-sentinel", "envsubst", "turnserver"]);
    const missing = missingParts(linuxParts, (binary) => found.has(binary));
    expect(missing.map((part) => part.name)).toEqual(["nginx", "Chromium"]);
  });
});

describe("the platform", () => {
  it.each([
    ["Debian", DEBIAN],
    ["Ubuntu", UBUNTU],
    ["a derivative that names both", MINT],
  ])("is apt's on %s with apt-get", (_, release) => {
    expect(detectPlatform("linux", release, true)).toBe("debian");
  });

  it("has the id os-release gives", () => {
    expect([DEBIAN, UBUNTU, MINT, FEDORA, null].map(osReleaseId)).toEqual([
      "debian",
      "ubuntu",
      "linuxmint",
      "fedora",
      "",
    ]);
  });

  it("is neither elsewhere", () => {
    expect(detectPlatform("linux", FEDORA, false)).toBe("other");
    expect(detectPlatform("linux", DEBIAN, false)).toBe("other");
    expect(detectPlatform("linux", null, true)).toBe("other");
    expect(detectPlatform("win32", null, false)).toBe("other");
    expect(detectPlatform("darwin", null, false)).toBe("macos");
  });
});

describe("the plan", () => {
  const missing = byName(linuxParts, "redis-server", "nginx", "Chromium");

  it("is nothing to do when everything is there", () => {
    expect(planSetup([], machine({ root: false }))).toEqual({ kind: "ready" });
  });

  it("installs with apt-get as root: one quiet update, then a non-interactive install", () => {
    const plan = planSetup(missing, machine({ root: true }));
    expect(plan.kind).toBe("install");
    if (plan.kind !== "install") return;
    expect(plan.commands.map((command) => command.join(" "))).toEqual([
      "apt-get update -qq",
      "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server nginx chromium",
    ]);
  });

  it("installs through password-less sudo", () => {
    const plan = planSetup(byName(linuxParts, "coturn"), machine({ passwordlessSudo: true }));
    if (plan.kind !== "install") throw new Error(plan.kind);
    expect(plan.commands.map((command) => command.join(" "))).toEqual([
      "sudo apt-get update -qq",
      "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends coturn",
    ]);
  });

  it("stops with the sudo command when it may not install", () => {
    const message = stopMessage(missing, {});
    expect(message).toContain(
      "  sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server nginx chromium\n",
    );
    expect(message).toContain("  nginx (cluster and browser tests)");
    expect(message).toContain("only as root or with password-less sudo");
  });

  it("stops under NO_SYSTEM_INSTALL, even as root", () => {
    const message = stopMessage(byName(linuxParts, "envsubst"), { root: true, noSystemInstall: true });
    expect(message).toContain(
      "  apt-get update && apt-get install -y --no-install-recommends gettext-base\n",
    );
    expect(message).toContain("NO_SYSTEM_INSTALL is set");
  });

  it("stops on macOS with the brew command, casks apart", () => {
    const parts = systemParts({}, "darwin");
    const on = { platform: "macos" as const, root: true };
    expect(stopMessage(byName(parts, "redis-server", "envsubst", "Chromium"), on)).toContain(
      "  brew install redis gettext && brew install --cask chromium\n",
    );
    // redis-server and redis-sentinel come from one formula: named once.
    expect(stopMessage(byName(parts, "redis-server", "redis-sentinel"), on)).toContain(
      "  brew install redis\n",
    );
    expect(stopMessage(byName(parts, "Chromium"), on)).toContain("  brew install --cask chromium\n");
    expect(stopMessage(byName(parts, "nginx", "coturn"), on)).toContain("  brew install nginx coturn\n");
  });

  it("names the packages where it knows no package manager", () => {
    const message = stopMessage(missing, { platform: "other", root: true });
    expect(message).toContain("redis-server nginx chromium");
    expect(message).toContain("CHROMIUM_PATH");
  });

  it("stops on Ubuntu without Chromium, whose apt package is only a snap", () => {
    const parts = systemParts({}, "linux", "ubuntu");
    const message = stopMessage(byName(parts, "redis-server", "Chromium"), { root: true });
    expect(message).toContain("Chromium: Ubuntu packages Chromium only as a snap");
    expect(message).toContain(
      "  apt-get update && apt-get install -y --no-install-recommends redis-server\n",
    );
    expect(message).not.toContain("only as root");
    expect(planSetup(byName(parts, "redis-server"), machine({ root: true })).kind).toBe("install");
  });

  it("stops when CHROMIUM_PATH points nowhere, since no package fixes that", () => {
    const parts = systemParts({ CHROMIUM_PATH: "/opt/nowhere/chrome" }, "linux");
    const message = stopMessage(byName(parts, "nginx", "Chromium"), { root: true });
    expect(message).toContain("CHROMIUM_PATH is /opt/nowhere/chrome, which is not an executable file");
    expect(message).toContain("apt-get install -y --no-install-recommends nginx\n");
  });
});
