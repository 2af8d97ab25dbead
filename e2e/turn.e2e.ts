// A 1:1 call relayed through a real coturn: Alice on app1 and Bob on app2 behind nginx, the cluster
// told to use relay candidates only (ICE_TRANSPORT_POLICY=relay), coturn on loopback with
// use-auth-secret and credentials issued per user by the instances. The browsers' own statistics
// must show that the media took a relay path, and coturn's log that it granted the allocations. The
// credentials live 60 s (TURN_TTL_S): the browsers renew them mid-call, and the call goes on over
// allocations made with the fresh ones.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { User } from "./support/browser.js";
import { CONNECTED, expectFlowingVideo, MEDIA_TIMEOUT, privateChat } from "./support/call.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { callPaths } from "./support/ice.js";
import { aliceAndBobApart } from "./support/pair.js";
import { Scenario } from "./support/scenario.js";
import { acceptLine, acceptToFirstFrames } from "./support/timing.js";

let scenario: Scenario<ClusterApp>;
/** The shortest credential lifetime the server accepts: renewed at half of it, 30 s into the call. */
const TTL_S = 60;

/** Per user id, the credential expiries (unix s) of the allocations coturn granted ("user <expiry>:<id>"). */
function allocationCredentials(log: string): Map<string, Set<string>> {
  const byUser = new Map<string, Set<string>>();
  for (const line of log.split("\n")) {
    const match = /user <(\d+):([^>]+)>.*ALLOCATE processed, success/.exec(line);
    if (!match) continue;
    const [, expiry, userId] = match as unknown as [string, string, string];
    byUser.set(userId, (byUser.get(userId) ?? new Set()).add(expiry));
  }
  return byUser;
}

beforeAll(async () => {
  scenario = await Scenario.on("turn", () =>
    startClusterApp(2, { ICE_TRANSPORT_POLICY: "relay", TURN_TTL_S: String(TTL_S) }, { turn: true }),
  );
});

afterAll(async () => {
  await scenario?.close();
});

it("relays a 1:1 call across instances through coturn when only relay candidates are allowed", async () => {
  let alice!: User;
  let bob!: User;

  await scenario.step("Alice joins GENERAL on app1 and Bob on app2", async () => {
    [alice, bob] = await aliceAndBobApart(scenario);
  });

  await scenario.step("Alice opens a private chat with Bob, calls him and he accepts", async () => {
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    await privateChat(bob.page, "Alice").waitFor();
    const ms = await acceptToFirstFrames(alice.page, bob.page, "Alice");
    console.log(acceptLine("1:1 call through TURN", ms));
  });

  await scenario.step("Video flows both ways and the call is connected", async () => {
    await Promise.all([expectFlowingVideo(alice.page, "Bob"), expectFlowingVideo(bob.page, "Alice")]);
    for (const { page } of [alice, bob]) {
      await expect
        .poll(() => page.getByRole("status", { name: "Call status" }).textContent(), MEDIA_TIMEOUT)
        .toMatch(CONNECTED);
    }
  });

  await scenario.step("Both browsers' selected path runs through relay candidates only", async () => {
    for (const { page } of [alice, bob]) {
      // One peer connection, whose selected pair joins a relayed address on each side; no host or
      // server-reflexive candidate was even gathered, so neither side learned the other's address.
      await expect
        .poll(() => callPaths(page), MEDIA_TIMEOUT)
        .toMatchObject([{ local: "relay", remote: "relay", localTypes: ["relay"], remoteTypes: ["relay"] }]);
    }
  });

  await scenario.step("coturn granted the relay allocations", async () => {
    const coturn = scenario.app.cluster.coturn!;
    // One allocation per browser at least (one per transport it tried, UDP and TCP).
    await expect.poll(() => coturn.allocations()).toBeGreaterThanOrEqual(2);
  });

  await scenario.step("Mid-call, both renew their credentials and relay on fresh allocations", async () => {
    const coturn = scenario.app.cluster.coturn!;
    // Each browser renews at half the 60 s lifetime and restarts its relayed path onto the fresh
    // credential: coturn grants each user a second allocation under a later expiry.
    // Where each side's path ran before: the relayed address of an allocation under the first credential.
    const before = await Promise.all(
      [alice, bob].map(async ({ page }) => (await callPaths(page))[0]!.localAddress),
    );
    expect(before).toEqual([expect.stringMatching(/:\d+$/), expect.stringMatching(/:\d+$/)]);
    const renewed = () =>
      [...allocationCredentials(coturn.log()).values()].filter((set) => set.size >= 2).length;
    await expect.poll(renewed, { timeout: TTL_S * 1000, interval: 500 }).toBe(2);
    await Promise.all([expectFlowingVideo(alice.page, "Bob"), expectFlowingVideo(bob.page, "Alice")]);
    for (const [index, { page }] of [alice, bob].entries()) {
      // The path moved off the old allocation (whose credential will expire) onto a fresh relay. The
      // partner's end may read "prflx": its connectivity check can arrive through coturn before its
      // trickled candidate does (a permission is per IP, and every relay here shares 127.0.0.2); with
      // the relay policy on both sides that address is still the partner's relay.
      await expect
        .poll(() => callPaths(page), MEDIA_TIMEOUT)
        .toMatchObject([
          {
            local: "relay",
            remote: expect.stringMatching(/^(relay|prflx)$/),
            localAddress: expect.not.stringMatching(`^${before[index]}$`),
          },
        ]);
      expect(await page.getByRole("status", { name: "Call status" }).textContent()).toMatch(CONNECTED);
    }
  });

  expect(scenario.pageErrors()).toEqual([]);
});
