/**
 * BSD loopback encapsulation: a 4-byte address family before the IP header.
 *   LINKTYPE_NULL (0): the family is in the byte order of the machine that captured, which
 *     the file does not record. The value is small, so if the little-endian reading has bits
 *     in the upper half it must have been big-endian (the test Wireshark uses).
 *   LINKTYPE_LOOP (108): the same header, always in network (big-endian) order.
 * AF_INET is 2 everywhere; AF_INET6 differs per OS: 10 Linux, 24 NetBSD/OpenBSD/BSD/OS,
 * 28 FreeBSD/DragonFly, 30 macOS/iOS. A capture can hold files from another OS, so accept all.
 */
import { type Layer, field, layer, truncated } from './layer.js';
import { LINK, LINK_DAMAGED, LINK_OTHER } from './link.js';

const NULL_LEN = 4;

/** IP version for an address family, or 0. */
function familyVersion(af: number): number {
  if (af === 2) return 4;
  if (af === 10 || af === 24 || af === 28 || af === 30) return 6;
  return 0;
}

/** The LINKTYPE_NULL family, in whichever byte order makes it small. */
function nullFamily(data: Uint8Array, off: number): number {
  const le = (data[off]! | (data[off + 1]! << 8) | (data[off + 2]! << 16) | (data[off + 3]! << 24)) >>> 0;
  if ((le & 0xffff0000) === 0) return le;
  return ((data[off]! << 24) | (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!) >>> 0;
}

function loopFamily(data: Uint8Array, off: number): number {
  return ((data[off]! << 24) | (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!) >>> 0;
}

export function linkNull(data: Uint8Array, off: number, end: number): number {
  if (off + NULL_LEN > end) return LINK_DAMAGED;
  const v = familyVersion(nullFamily(data, off));
  if (v === 0) return LINK_OTHER;
  LINK.ipVersion = v;
  return off + NULL_LEN;
}

export function linkLoop(data: Uint8Array, off: number, end: number): number {
  if (off + NULL_LEN > end) return LINK_DAMAGED;
  const v = familyVersion(loopFamily(data, off));
  if (v === 0) return LINK_OTHER;
  LINK.ipVersion = v;
  return off + NULL_LEN;
}

// ---- detail view (cold path) ----

function familyName(af: number): string {
  const v = familyVersion(af);
  return v === 4 ? `AF_INET (${af})` : v === 6 ? `AF_INET6 (${af})` : `unknown (${af})`;
}

function detail(name: string, af: number | undefined, data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const l = layer(name, '', 0, Math.min(NULL_LEN, end - off));
  out.push(l);
  if (af === undefined) {
    truncated(l, 'loopback header', NULL_LEN, end - off);
    l.summary = 'truncated';
    return LINK_DAMAGED;
  }
  field(l, 'Family', familyName(af));
  l.summary = `Family: ${familyName(af)}`;
  const v = familyVersion(af);
  if (v === 0) return LINK_OTHER;
  LINK.ipVersion = v;
  return off + NULL_LEN;
}

export function nullDetail(data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const af = off + NULL_LEN <= end ? nullFamily(data, off) : undefined;
  return detail('Null/Loopback', af, data, off, end, out);
}

export function loopDetail(data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const af = off + NULL_LEN <= end ? loopFamily(data, off) : undefined;
  return detail('OpenBSD loopback', af, data, off, end, out);
}
