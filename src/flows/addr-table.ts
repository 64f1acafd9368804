/**
 * Interned IP addresses: each distinct address gets a small integer id, so connections store two
 * 32-bit ids instead of strings, and address filters are decided once per address, not per row.
 */
/** Spread an int32 key over all bits (the low bits of addresses in one subnet are alike). */
function mix(k: number): number {
  let h = Math.imul(k, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export class AddrTable {
  // IPv4: open addressing over int32 keys (a Map with numbers above 2^31 hashes heap numbers, ~3x slower)
  private v4keys = new Int32Array(1 << 12);
  private v4ids = new Int32Array(1 << 12).fill(-1);
  private v4n = 0;
  private readonly v6 = new Map<string, number>();
  private raw = new Uint8Array(16 * 256);
  private fam = new Uint8Array(256);
  private texts: (string | undefined)[] = [];
  count = 0;

  private add(family: 4 | 6, data: Uint8Array, off: number): number {
    const id = this.newId(family);
    const n = family === 4 ? 4 : 16;
    for (let k = 0; k < n; k++) this.raw[id * 16 + k] = data[off + k]!;
    return id;
  }

  private newId(family: 4 | 6): number {
    const id = this.count++;
    if (id >= this.fam.length) {
      const f = new Uint8Array(this.fam.length * 2);
      f.set(this.fam);
      this.fam = f;
      const r = new Uint8Array(this.raw.length * 2);
      r.set(this.raw);
      this.raw = r;
    }
    this.fam[id] = family;
    return id;
  }

  /** Id of the IPv4 address `v` (unsigned 32-bit), whose bytes are at data[off..off+4). */
  v4Id(v: number, data: Uint8Array, off: number): number {
    void data, off; // the bytes are v's, big-endian
    return this.v4IdOf(v);
  }

  /** Id of the IPv4 address `v` (unsigned 32-bit; its bytes are v's, big-endian). */
  v4IdOf(v: number): number {
    const key = v | 0;
    const ids = this.v4ids;
    const mask = ids.length - 1;
    let s = mix(key) & mask;
    for (;;) {
      const id = ids[s]!;
      if (id < 0) break;
      if (this.v4keys[s] === key) return id;
      s = (s + 1) & mask;
    }
    const nid = this.newId(4);
    const r = nid * 16;
    this.raw[r] = key >>> 24;
    this.raw[r + 1] = (key >>> 16) & 0xff;
    this.raw[r + 2] = (key >>> 8) & 0xff;
    this.raw[r + 3] = key & 0xff;
    this.v4keys[s] = key;
    ids[s] = nid;
    if (++this.v4n * 2 > ids.length) this.growV4();
    return nid;
  }

  private growV4(): void {
    const oldK = this.v4keys, oldI = this.v4ids;
    this.v4keys = new Int32Array(oldK.length * 2);
    this.v4ids = new Int32Array(oldK.length * 2).fill(-1);
    const mask = this.v4ids.length - 1;
    for (let k = 0; k < oldK.length; k++) {
      if (oldI[k]! < 0) continue;
      let s = mix(oldK[k]!) & mask;
      while (this.v4ids[s]! >= 0) s = (s + 1) & mask;
      this.v4keys[s] = oldK[k]!;
      this.v4ids[s] = oldI[k]!;
    }
  }

  /** Id of the IPv6 address at data[off..off+16). */
  v6Id(data: Uint8Array, off: number): number {
    let key = '';
    for (let k = 0; k < 16; k += 2) key += String.fromCharCode((data[off + k]! << 8) | data[off + k + 1]!);
    const id = this.v6.get(key);
    if (id !== undefined) return id;
    const nid = this.add(6, data, off);
    this.v6.set(key, nid);
    return nid;
  }

  /** Id of an address given as text (text captures, firewall logs); undefined when not an IP. */
  idOfText(text: string): number | undefined {
    const b = parseIp(text);
    if (!b) return undefined;
    if (b.length === 4) return this.v4Id(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, b, 0);
    return this.v6Id(b, 0);
  }

  family(id: number): 4 | 6 { return this.fam[id] === 6 ? 6 : 4; }

  bytes(id: number): Uint8Array {
    return this.raw.subarray(id * 16, id * 16 + (this.fam[id] === 6 ? 16 : 4));
  }

  text(id: number): string {
    let t = this.texts[id];
    if (t === undefined) {
      t = ipText(this.bytes(id));
      this.texts[id] = t;
    }
    return t;
  }
}

/** Dotted quad or RFC 5952 text of 4 or 16 address bytes. */
export function ipText(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const w: number[] = [];
  for (let k = 0; k < 16; k += 2) w.push((b[k]! << 8) | b[k + 1]!);
  // longest run of zero words (length >= 2) becomes '::' (RFC 5952 section 4.2)
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/** Parse IPv4 dotted quad or IPv6 text into bytes; undefined when not an address. */
export function parseIp(s: string): Uint8Array | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return Uint8Array.from(parts);
  }
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return undefined;
  let head = s, tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return undefined;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let k = 0; k < items.length; k++) {
      const it = items[k]!;
      if (k === items.length - 1 && it.includes('.')) {
        const v4 = parseIp(it);
        if (!v4 || v4.length !== 4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  const h = words(head), t = words(tail);
  if (!h || !t) return undefined;
  const fill = 8 - h.length - t.length;
  if ((dbl < 0 && fill !== 0) || fill < 0 || (dbl >= 0 && fill < 1)) return undefined;
  const all = [...h, ...new Array<number>(dbl >= 0 ? fill : 0).fill(0), ...t];
  const b = new Uint8Array(16);
  all.forEach((x, k) => { b[2 * k] = x >> 8; b[2 * k + 1] = x & 0xff; });
  return b;
}
