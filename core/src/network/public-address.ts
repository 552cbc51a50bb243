/*
 * Whether an address may be connected to: the adapters download from URLs that users wrote (a pull
 * request's description, `/ocr <URL>`, a Slack file link), and fetching them unchecked would let the
 * writer reach the network the adapter runs in (a cloud metadata service at 169.254.169.254, a service
 * on localhost or the private network). Refused:
 * - IPv4: "this network", private (RFC 1918), carrier-grade NAT, loopback, link-local, IETF protocol
 *   assignments, the documentation networks (TEST-NET-1/2/3), the old 6to4 relay anycast, the
 *   benchmarking network, multicast, reserved and broadcast;
 * - IPv6: unspecified, loopback, IPv4-compatible (::a.b.c.d, deprecated), the discard prefix, unique
 *   local, link-local, the old site-local, multicast, the documentation prefixes, Teredo, ORCHID and the
 *   benchmarking prefix;
 * - IPv6 forms that carry an IPv4 address a gateway translates: NAT64 (64:ff9b::/96, and the local-use
 *   64:ff9b:1::/48), 6to4 (2002::/16) and IPv4-translated (::ffff:0:0:0/96). The whole prefix is
 *   refused, whatever IPv4 address it embeds: where the translated packet goes depends on a gateway we
 *   cannot see, so judging the embedded address would be a guess (cautious, and no image host needs it).
 * - IPv4-mapped (::ffff:a.b.c.d, also written ::ffff:7f00:1): the socket connects to exactly the
 *   embedded IPv4 address, so that address is judged like any other IPv4 address.
 * The check is only half the defence, so no name-based "does this host resolve to public addresses"
 * helper is offered: checking a name and then letting a client resolve it again is the DNS-rebinding
 * gap. downloadUntrusted resolves once, checks every address, and connects to exactly those.
 */
import { BlockList, isIP } from "node:net";

const refusedIpv4 = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  // Multicast (224/4), reserved (240/4) and the limited broadcast address.
  ["224.0.0.0", 3],
] as const) {
  refusedIpv4.addSubnet(network, prefix, "ipv4");
}

const refusedIpv6 = new BlockList();
for (const [network, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible form (::a.b.c.d) all live in ::/96.
  ["::", 96],
  ["::ffff:0:0:0", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 32],
  ["2001:2::", 48],
  ["2001:10::", 28],
  ["2001:20::", 28],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["3fff::", 20],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  refusedIpv6.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:hhhh:hhhh), if it is one. */
function mappedIpv4(address: string): string | undefined {
  // The URL parser writes every IPv6 address in one canonical form: ::ffff:7f00:1 for ::ffff:127.0.0.1.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (match === null) return undefined;
  const high = Number.parseInt(match[1] ?? "0", 16);
  const low = Number.parseInt(match[2] ?? "0", 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** True for every address that is not plainly public (see the list above); anything unparsable counts as not public. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  // A zone index (fe80::1%eth0) only ever names a link-local destination.
  if (bare.includes("%")) return true;
  const family = isIP(bare);
  if (family === 4) return refusedIpv4.check(bare, "ipv4");
  if (family !== 6) return true;
  const embedded = mappedIpv4(bare);
  if (embedded !== undefined) return refusedIpv4.check(embedded, "ipv4");
  return refusedIpv6.check(bare, "ipv6");
}
