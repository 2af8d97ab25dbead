// The programs `npm test` starts besides Node, and the package that brings each one on Debian/Ubuntu
// (apt) and on macOS (Homebrew). Binary and package names differ: envsubst comes from gettext-base,
// turnserver from coturn. Debian's `nginx` is the plain server (nginx-light only adds a module we do not use).

/** Where this machine stands for installing: apt on Debian/Ubuntu, Homebrew on macOS, or neither. */
export type Platform = "debian" | "macos" | "other";

export interface SystemPart {
  /** The name people know it by, in messages. */
  name: string;
  /** A command looked up on PATH, or an absolute path to an executable file (Chromium). */
  binary: string;
  /** The Debian/Ubuntu package that installs it. */
  apt: string;
  /** The Homebrew formula (or cask, see `cask`) that installs it. */
  brew: string;
  /** True when Homebrew installs it with `brew install --cask`. */
  cask: boolean;
  /** Which tests start it, for the message. */
  usedBy: string;
  /** Set when no package here can fix its absence (a CHROMIUM_PATH that points nowhere): what to do instead. */
  noPackage?: string;
}

/** Where Homebrew's `chromium` cask puts the browser's executable. */
export const MACOS_CHROMIUM = "/Applications/Chromium.app/Contents/MacOS/Chromium";
/** Where Debian's and Ubuntu's `chromium` package puts it. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * The Chromium the browser tests drive (e2e/support/browser.ts): CHROMIUM_PATH when set (an empty value
 * counts as unset), else where the platform's package puts it. No browser is ever downloaded.
 */
export function chromiumPath(
  env: NodeJS.ProcessEnv = process.env,
  os: NodeJS.Platform = process.platform,
): string {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return os === "darwin" ? MACOS_CHROMIUM : DEBIAN_CHROMIUM;
}

/** Why Chromium cannot come from apt on Ubuntu. */
const UBUNTU_CHROMIUM =
  "Ubuntu packages Chromium only as a snap, which cannot open the tests' profiles under /tmp: install a Chromium or Chrome .deb and set CHROMIUM_PATH to its executable";

/**
 * Every program the whole suite starts, in the order messages list them. `distro` is os-release's `ID`
 * (see osReleaseId), which matters for Chromium only.
 */
export function systemParts(
  env: NodeJS.ProcessEnv = process.env,
  os: NodeJS.Platform = process.platform,
  distro = "",
): SystemPart[] {
  const chromium = chromiumPath(env, os);
  return [
    {
      name: "redis-server",
      binary: "redis-server",
      apt: "redis-server",
      brew: "redis",
      cask: false,
      usedBy: "Redis store, cluster and browser tests",
    },
    {
      name: "redis-sentinel",
      binary: "redis-sentinel",
      apt: "redis-sentinel",
      // Homebrew's redis formula ships redis-sentinel beside redis-server.
      brew: "redis",
      cask: false,
      usedBy: "the Sentinel failover drill",
    },
    {
      name: "nginx",
      binary: "nginx",
      apt: "nginx",
      brew: "nginx",
      cask: false,
      usedBy: "cluster and browser tests",
    },
    {
      name: "envsubst",
      binary: "envsubst",
      apt: "gettext-base",
      brew: "gettext",
      cask: false,
      usedBy: "the Docker nginx template test",
    },
    {
      name: "coturn",
      binary: "turnserver",
      apt: "coturn",
      brew: "coturn",
      cask: false,
      usedBy: "call tests through TURN",
    },
    {
      name: "Chromium",
      binary: chromium,
      apt: "chromium",
      brew: "chromium",
      cask: true,
      usedBy: "browser tests",
      ...(env.CHROMIUM_PATH
        ? {
            noPackage: `CHROMIUM_PATH is ${chromium}, which is not an executable file: point it at Chromium's executable, or unset it to use the packaged Chromium`,
          }
        : distro === "ubuntu" && { noPackage: UBUNTU_CHROMIUM }),
    },
  ];
}

/** The parts whose binary `present` does not find. */
export function missingParts(
  parts: readonly SystemPart[],
  present: (binary: string) => boolean,
): SystemPart[] {
  return parts.filter((part) => !present(part.binary));
}

/**
 * Where the package manager can run: apt on a Debian-family os-release (`ID` or `ID_LIKE` naming debian
 * or ubuntu, per the os-release(5) format) with apt-get on PATH, Homebrew's platform on macOS.
 */
export function detectPlatform(os: NodeJS.Platform, osRelease: string | null, hasAptGet: boolean): Platform {
  if (os === "darwin") return "macos";
  if (os !== "linux" || osRelease === null || !hasAptGet) return "other";
  const ids = [...osReleaseField(osRelease, "ID"), ...osReleaseField(osRelease, "ID_LIKE")];
  return ids.some((id) => id === "debian" || id === "ubuntu") ? "debian" : "other";
}

/** os-release's `ID` (`debian`, `ubuntu`, …), or "" without one. */
export function osReleaseId(osRelease: string | null): string {
  return osRelease === null ? "" : (osReleaseField(osRelease, "ID")[0] ?? "");
}

/** The lower-case words of one `KEY=value` line of /etc/os-release (the value may be quoted). */
function osReleaseField(osRelease: string, key: string): string[] {
  const value = osRelease.match(new RegExp(`^${key}=(.*)$`, "m"))?.[1];
  return (
    value
      ?.replace(/^["']|["']$/g, "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean) ?? []
  );
}
