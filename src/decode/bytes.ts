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

/**
 * Parse an IPv4 dotted quad or an IPv6 address (text captures, logs, filters) into network-order
 * bytes, the inverse of ipToString / ipv6ToString; `null` if it is neither.
 */
export function parseIp(s: string): Uint8Array | null {
  return s.includes(':') ? parseV6(s) : parseV4(s);
}

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let k = 0; k < 4; k++) {
    const p = parts[k]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[k] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const fs = part.split(':');
    for (let k = 0; k < fs.length; k++) {
      const f = fs[k]!;
      if (k === fs.length - 1 && f.includes('.')) {
        const v4 = parseV4(f);
        if (v4 === null) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(f)) return null;
        out.push(parseInt(f, 16));
      }
    }
    return out;
  };
  let words: number[];
  if (dbl === -1) {
    const g = groups(s);
    if (g === null || g.length !== 8) return null;
    words = g;
  } else {
    const head = groups(s.slice(0, dbl));
    const tail = groups(s.slice(dbl + 2));
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const out = new Uint8Array(16);
  for (let k = 0; k < 8; k++) {
    out[2 * k] = words[k]! >> 8;
    out[2 * k + 1] = words[k]! & 0xff;
  }
  return out;
}
