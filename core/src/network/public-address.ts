/*
 * Whether a host may be fetched: the adapters download images from URLs that users wrote (a pull
 * request's description, `/ocr <URL>`), and fetching them unchecked would let the writer reach the
 * network the adapter runs in (a cloud metadata service at 169.254.169.254, a service on localhost or
 * the private network). Loopback,
 * private (RFC 1918, fc00::/7), link-local, carrier-grade NAT, multicast and unspecified ranges are
 * refused. Known gap: fetch resolves the name again after this check, so a DNS-rebinding host could
 * switch addresses in between; pinning the address would need a custom HTTP agent.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** True for loopback, private, link-local and other non-public addresses (IPv4-mapped IPv6 included). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return blocked.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** True when every address the host name resolves to is public (and it resolves at all). */
export async function resolvesToPublicAddresses(hostname: string): Promise<boolean> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const addresses =
    isIP(bare) === 0 ? (await lookup(bare, { all: true, verbatim: true })).map((entry) => entry.address) : [bare];
  return addresses.length > 0 && !addresses.some(isNonPublicAddress);
}
