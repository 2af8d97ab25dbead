// Where a TURN relay may send, and how much of it one user may hold. A relay is a way into whatever
// network coturn sits on, so it never relays to an address that is not a public host on the Internet.
// Shared by the native cluster's coturn (coturn.ts) and, as literal flags, Docker Compose's (a test
// checks that docker-compose.yml denies every range listed here).

/**
 * Every special-purpose range of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890
 * and its updates), plus multicast and the reserved 240/4, as coturn's `denied-peer-ip` ranges
 * (first-last). IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16)
 * are listed because each can name an IPv4 address that is denied in its plain form.
 */
export const SPECIAL_PURPOSE_RANGES: readonly string[] = [
  "0.0.0.0-0.255.255.255", // "this network"
  "10.0.0.0-10.255.255.255", // private
  "100.64.0.0-100.127.255.255", // shared address space (carrier-grade NAT)
  "127.0.0.0-127.255.255.255", // loopback
  "169.254.0.0-169.254.255.255", // link-local
  "172.16.0.0-172.31.255.255", // private
  "192.0.0.0-192.0.0.255", // IETF protocol assignments
  "192.0.2.0-192.0.2.255", // documentation (TEST-NET-1)
  "192.31.196.0-192.31.196.255", // AS112-v4
  "192.52.193.0-192.52.193.255", // AMT
  "192.88.99.0-192.88.99.255", // deprecated 6to4 relay anycast
  "192.168.0.0-192.168.255.255", // private
  "192.175.48.0-192.175.48.255", // direct delegation AS112 service
  "198.18.0.0-198.19.255.255", // benchmarking
  "198.51.100.0-198.51.100.255", // documentation (TEST-NET-2)
  "203.0.113.0-203.0.113.255", // documentation (TEST-NET-3)
  "224.0.0.0-239.255.255.255", // multicast
  "240.0.0.0-255.255.255.255", // reserved, limited broadcast
  "::-::ffff:ffff", // unspecified, loopback, IPv4-compatible
  "::ffff:0:0-::ffff:ffff:ffff", // IPv4-mapped
  "64:ff9b::-64:ff9b::ffff:ffff", // NAT64 well-known prefix
  "64:ff9b:1::-64:ff9b:1:ffff:ffff:ffff:ffff:ffff", // NAT64 local use
  "100::-100::ffff:ffff:ffff:ffff", // discard-only
  "2001::-2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", // IETF protocol assignments (Teredo, ORCHID, ...)
  "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", // documentation
  "2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // 6to4
  "3fff::-3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", // documentation
  "5f00::-5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // SRv6 SIDs
  "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // unique-local
  "fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // link-local
  "ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // multicast
];

/**
 * Relay allocations one user may hold at once (coturn's `user-quota`; with `use-auth-secret` coturn
 * counts the user part of "<expiry>:<user id>", so fresh credentials do not add to it). A full group
 * call mesh (GROUP_CALL_MAX 6: 5 peer connections, each gathering over TURN/UDP and TURN/TCP) holds 10;
 * an ICE restart briefly doubles that. Past it coturn answers 486 Allocation Quota Reached.
 */
export const TURN_USER_QUOTA = 24;

/** Relay allocations the native cluster's coturn holds at once in all (`total-quota`); past it, 486. */
export const TURN_TOTAL_QUOTA = 400;

/**
 * The native cluster's coturn relays from this loopback address of its own, and only to it (relay to
 * relay, as two local browsers on relay-only ICE need): nothing else listening on loopback (the
 * instances, Redis, nginx, whatever the developer runs on 127.0.0.1) is reachable through it.
 */
export const TURN_RELAY_ADDRESS = "127.0.0.2";
