/**
 * Bounds-checked byte reads and address formatting.
 *
 * Every read takes `end`, the first byte past what the caller may read (normally
 * `off + caplen` of the record), and returns -1 when the field does not fit: all fields
 * read this way are unsigned, so -1 can never be a real value and no exception is thrown.
 * The hot path (packet.ts and the layer files) checks a whole header's length once and then
 * indexes directly; these helpers are for the cold paths (detail view, tests).
 */

/** True when `len` bytes at `i` lie within both `end` and the buffer. */
export function fits(d: Uint8Array, i: number, len: number, end: number): boolean {
  return i >= 0 && len >= 0 && i + len <= end && i + len <= d.length;
}

export function u8(d: Uint8Array, i: number, end: number): number {
  return fits(d, i, 1, end) ? d[i]! : -1;
}

export function u16be(d: Uint8Array, i: number, end: number): number {
  return fits(d, i, 2, end) ? (d[i]! << 8) | d[i + 1]! : -1;
}

export function u16le(d: Uint8Array, i: number, end: number): number {
  return fits(d, i, 2, end) ? d[i]! | (d[i + 1]! << 8) : -1;
}

/** `>>> 0` keeps the result an unsigned 32-bit number (bitwise ops are signed in JS). */
export function u32be(d: Uint8Array, i: number, end: number): number {
  return fits(d, i, 4, end) ? ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0 : -1;
}

export function u32le(d: Uint8Array, i: number, end: number): number {
  return fits(d, i, 4, end) ? (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)) >>> 0 : -1;
}

/** Dotted-quad IPv4 address from an unsigned 32-bit number (TcpFacts.v4src / v4dst). */
export function ipv4NumToString(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Dotted-quad IPv4 address of the 4 bytes at `off`; '?' when they are not in the buffer. */
export function ipToString(d: Uint8Array, off: number, end: number = d.length): string {
  if (!fits(d, off, 4, end)) return '?';
  return `${d[off]!}.${d[off + 1]!}.${d[off + 2]!}.${d[off + 3]!}`;
}

/**
 * IPv6 address of the 16 bytes at `off` in RFC 5952 form: lower-case hex, no leading zeros,
 * the longest run of two or more all-zero groups (the first one on a tie) shortened to `::`,
 * and IPv4-mapped addresses (::ffff:0:0/96) written with a dotted-quad tail (RFC 5952 s. 5),
 * which is also how tshark prints them. '?' when the bytes are not in the buffer.
 */
export function ipv6ToString(d: Uint8Array, off: number, end: number = d.length): string {
  if (!fits(d, off, 16, end)) return '?';
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((d[off + 2 * i]! << 8) | d[off + 2 * i + 1]!);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipToString(d, off + 12, end)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // RFC 5952 4.2.2: a single zero group is not shortened.
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** Colon-separated lower-case hex of `len` bytes at `off` (MAC addresses, SLL addresses). */
export function hexColon(d: Uint8Array, off: number, len: number, end: number = d.length): string {
  if (!fits(d, off, len, end)) return '?';
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(d[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** `0x` and `digits` hex digits, for header fields shown as Wireshark shows them. */
export function hex(n: number, digits: number): string {
  return '0x' + n.toString(16).padStart(digits, '0');
}
