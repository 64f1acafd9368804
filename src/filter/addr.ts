/**
 * Address values of the filter language: IPv4 / IPv6 literals and CIDR blocks, compared by
 * bytes. A value of one family never matches an address of the other (an IPv4 block does not
 * match `::ffff:10.0.0.1`), as the two are different fields in Wireshark.
 */
import type { FilterTarget } from './target.js';
import type { NumTest } from './fields.js';
import { parseIp } from '../decode/bytes.js';

export { parseIp };

export interface Cidr {
  net: Uint8Array;
  bits: number;
}

/**
 * An address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `10.0.0.1` = /32). Host bits after
 * the prefix are ignored, as Wireshark does. `error` explains a malformed value.
 */
export function parseCidr(s: string): { ok: true; cidr: Cidr } | { ok: false; error: string; hint?: string } {
  const slash = s.indexOf('/');
  const ipText = slash === -1 ? s : s.slice(0, slash);
  const ip = parseIp(ipText);
  if (ip === null) {
    const partial = v4BlockHint(ipText);
    return {
      ok: false,
      error: slash === -1 ? `'${s}' is not an IP address` : `bad CIDR '${s}': '${ipText}' is not an IP address`,
      ...(slash === -1 && partial !== undefined ? { hint: `did you mean ${partial}?` } : {}),
    };
  }
  const max = ip.length * 8;
  if (slash === -1) return { ok: true, cidr: { net: ip, bits: max } };
  const b = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(b) || Number(b) > max) {
    return { ok: false, error: `bad CIDR '${s}': prefix length must be 0..${max}` };
  }
  return { ok: true, cidr: { net: ip, bits: Number(b) } };
}

/** `203.0.113` -> `203.0.113.0/24`: what someone who typed a partial dotted quad meant. */
function v4BlockHint(s: string): string | undefined {
  const parts = s.replace(/\.$/, '').split('.');
  if (parts.length < 1 || parts.length > 3 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  if (!s.includes('.')) return undefined;
  while (parts.length < 4) parts.push('0');
  return `${parts.join('.')}/${8 * s.replace(/\.$/, '').split('.').length}`;
}

export function inCidr(a: Uint8Array, c: Cidr): boolean {
  if (a.length !== c.net.length) return false;
  const full = c.bits >> 3;
  for (let k = 0; k < full; k++) if (a[k] !== c.net[k]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (c.net[full]! & mask);
}

/** inCidr over an address stored at buf[off..off+len). */
export function inCidrAt(buf: Uint8Array, off: number, len: number, c: Cidr): boolean {
  if (len !== c.net.length) return false;
  const full = c.bits >> 3;
  for (let k = 0; k < full; k++) if (buf[off + k] !== c.net[k]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (buf[off + full]! & mask) === (c.net[full]! & mask);
}

/** Whether address `id` of the target lies in `c`, without a view per address when the target packs them. */
export function addrInCidr(t: FilterTarget, id: number, c: Cidr): boolean {
  const p = t.addrs.packed;
  return p ? inCidrAt(p.bytes, id * 16, p.len[id]!, c) : inCidr(t.addrs.bytes(id), c);
}

/**
 * The test "address id lies in c", made once per filter: for an IPv4 block over packed
 * addresses, a mask and compare on the address as a 32-bit number (a filter over a million
 * addresses was ~20 ms through addrInCidr's byte loop, a keystroke's worth of the budget).
 */
export function cidrTest(t: FilterTarget, c: Cidr): NumTest {
  const p = t.addrs.packed;
  if (!p || c.net.length !== 4 || p.bytes.byteOffset % 4 !== 0) return (id) => addrInCidr(t, id, c);
  const { bytes, len } = p;
  // the block's mask and network as the 4 bytes they are in memory, read as one native int32:
  // each address is then one load, an AND and a compare, whatever the machine's byte order
  const mb = new Uint8Array(4), nb = new Uint8Array(4);
  for (let k = 0; k < 4; k++) {
    const bits = Math.max(0, Math.min(8, c.bits - 8 * k));
    mb[k] = (0xff00 >> bits) & 0xff;
    nb[k] = c.net[k]! & mb[k]!;
  }
  const mask = new Int32Array(mb.buffer)[0]!, net = new Int32Array(nb.buffer)[0]!;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  const test = (id: number): boolean => len[id] === 4 && (words[id << 2]! & mask) === net;
  // (branch-free: x is 0 exactly for an IPv4 address in the block, and (x | -x) has its sign bit
  // set for every other x; with addresses in no order a branch per address was mispredicted half
  // the time: 1 M addresses took 6.8 ms, now 2.6)
  const table = (count: number): Uint8Array => {
    const tb = new Uint8Array(count);
    for (let id = 0, w = 0; id < count; id++, w += 4) {
      const x = ((words[w]! & mask) ^ net) | (len[id]! ^ 4);
      tb[id] = 1 - ((x | -x) >>> 31);
    }
    return tb;
  };
  return Object.assign(test, { table });
}

/** Byte length (4 or 16) of address `id`. */
export function addrLen(t: FilterTarget, id: number): number {
  const p = t.addrs.packed;
  return p ? p.len[id]! : t.addrs.bytes(id).length;
}

/** Byte order comparison of two addresses of the same family; `null` across families. */
export function compareAddr(a: Uint8Array, b: Uint8Array): number | null {
  if (a.length !== b.length) return null;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
  return 0;
}

/**
 * A bare word shaped like the start of an address (`203.0.113`, `172.17.`, `2001:db8`): digits
 * and dots, or hex digits and colons, with at least one separator.
 */
export function looksLikeAddrPrefix(s: string): boolean {
  return /^\d{1,3}(\.\d{0,3}){1,3}$/.test(s) || (/^[0-9A-Fa-f:]+$/.test(s) && s.includes(':'));
}
