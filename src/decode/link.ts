/**
 * The shape every link-layer decoder shares, and the trivial link types (raw IP).
 *
 * A link function is `(data, off, end) => number`: `off` is the record's first byte, `end`
 * the first byte past what was captured. It returns the offset of the IP header (>= 0) and
 * writes the IP version the link layer announced (4 or 6) into `LINK.ipVersion`, or it
 * returns a negative code (LINK_OTHER, LINK_DAMAGED) and leaves `LINK` alone.
 *
 * Why a module-level scratch and not an encoded return: the offset is an index into a reader
 * chunk that may be large, so packing the version into spare bits of the number would take
 * it out of V8's small-integer range on big buffers; a field store on one long-lived object
 * costs next to nothing and allocates nothing. The decoders are synchronous, so the scratch
 * is read straight after the call, before anything else can overwrite it.
 */

/** Not IP (ARP, LLDP, 802.3/LLC, an unknown address family, MPLS carrying Ethernet...). */
export const LINK_OTHER = -1;
/** The link header itself is cut short or inconsistent. */
export const LINK_DAMAGED = -2;

/** Scratch written by a link function that returned an offset: the IP version the link layer announced. */
export const LINK = { ipVersion: 0 };

export type LinkFn = (data: Uint8Array, off: number, end: number) => number;

/** LINKTYPE_RAW (101): no link header; the version nibble of the first byte says IPv4 or IPv6. */
export function linkRaw(data: Uint8Array, off: number, end: number): number {
  if (off >= end) return LINK_DAMAGED;
  const v = data[off]! >> 4;
  if (v !== 4 && v !== 6) return LINK_OTHER;
  LINK.ipVersion = v;
  return off;
}

/** LINKTYPE_IPV4 (228): the record is an IPv4 packet. */
export function linkIpv4(_data: Uint8Array, off: number, end: number): number {
  if (off >= end) return LINK_DAMAGED;
  LINK.ipVersion = 4;
  return off;
}

/** LINKTYPE_IPV6 (229): the record is an IPv6 packet. */
export function linkIpv6(_data: Uint8Array, off: number, end: number): number {
  if (off >= end) return LINK_DAMAGED;
  LINK.ipVersion = 6;
  return off;
}

/** Ethertypes of the network layers rsttui reads. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
