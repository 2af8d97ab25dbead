// `npm test`'s first step: finds every program the suite starts (scripts/system/parts.ts) and, when some
// are missing, installs them with apt-get where it may, or stops before any test with the command to run.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { detectPlatform, missingParts, osReleaseId, systemParts, type SystemPart } from "./system/parts.js";
import { planSetup, type Machine } from "./system/plan.js";

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Found the way the tests start it: an absolute path as it is, a bare name through PATH. */
function present(binary: string): boolean {
  if (path.isAbsolute(binary)) return isExecutableFile(binary);
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return dirs.some((dir) => isExecutableFile(path.join(dir, binary)));
}

function readOsRelease(): string | null {
  try {
    return readFileSync("/etc/os-release", "utf8");
  } catch {
    return null;
  }
}

function probeMachine(osRelease: string | null): Machine {
  const root = process.getuid?.() === 0;
  const flag = process.env.NO_SYSTEM_INSTALL ?? "";
  return {
    platform: detectPlatform(process.platform, osRelease, present("apt-get")),
    root,
    passwordlessSudo:
      !root && present("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0,
    noSystemInstall: flag !== "" && flag !== "0",
  };
}

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

const osRelease = readOsRelease();
const parts = systemParts(process.env, process.platform, osReleaseId(osRelease));
const names = (list: readonly SystemPart[]) => list.map((part) => part.name).join(", ");
const missing = missingParts(parts, present);
const plan = planSetup(missing, probeMachine(osRelease));

if (plan.kind === "stop") fail(plan.message);
if (plan.kind === "install") {
  console.log(`test setup: installing what the tests start and this machine lacks: ${names(plan.missing)}`);
  for (const command of plan.commands) {
    console.log(`$ ${command.join(" ")}`);
    const run = spawnSync(command[0]!, command.slice(1), { stdio: "inherit" });
    if (run.status !== 0)
      fail(`test setup: \`${command.join(" ")}\` failed (${run.error?.message ?? run.status})`);
  }
  const still = missingParts(parts, present);
  if (still.length > 0) {
    fail(
      `test setup: still not found after installing: ${still.map((part) => `${part.name} (${part.binary})`).join(", ")}.\n` +
        "Is the folder it was installed to on PATH? (nginx lives in /usr/sbin on Debian.)",
    );
  }
}
console.log(`test setup: ${names(parts)} found`);
