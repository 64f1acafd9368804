/**
 * Interned IP addresses: each distinct address gets a small integer id, so connections store two
 * 32-bit ids instead of strings, and address filters are decided once per address, not per row.
 */
import { ipv6ToString, parseIp } from '../decode/bytes.js';
import { discarded, osArray } from './memory.js';

/** A lookup-index array (it lives while loading: see osBuffer). */
const indexArray = (n: number): Int32Array => osArray(Int32Array, n);

/** Spread an int32 key over all bits (the low bits of addresses in one subnet are alike). */
function mix(k: number): number {
  let h = Math.imul(k, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export class AddrTable {
  // IPv4: open addressing over int32 keys (a Map with numbers above 2^31 hashes heap numbers, ~3x
  // slower), two words a slot: the id (-1: empty) beside its key, so that a probe reads one cache
  // line, not one per array (a new connection's lookup mostly misses the cache: addresses of
  // clients seen once)
  private v4slots = indexArray(2 << 12).fill(-1);
  private v4n = 0;
  private readonly v6 = new Map<string, number>();
  private raw = new Uint8Array(16 * 256);
  /** byte length of each address: 4 (IPv4) or 16 (IPv6) */
  private len = new Uint8Array(256);
  /** IPv6 text by id (IPv4 text is made on demand) */
  private readonly texts = new Map<number, string>();
  count = 0;

  private add(family: 4 | 6, data: Uint8Array, off: number): number {
    const id = this.newId(family);
    const n = family === 4 ? 4 : 16;
    for (let k = 0; k < n; k++) this.raw[id * 16 + k] = data[off + k]!;
    return id;
  }

  private newId(family: 4 | 6): number {
    const id = this.count++;
    if (id >= this.len.length) {
      // (doubling leaves the old arrays behind: see osBuffer)
      const oldBytes = this.len.length + this.raw.length;
      const f = osArray(Uint8Array, this.len.length * 2);
      f.set(this.len);
      this.len = f;
      const r = osArray(Uint8Array, this.raw.length * 2);
      r.set(this.raw);
      this.raw = r;
      discarded(oldBytes);
    }
    this.len[id] = family === 6 ? 16 : 4;
    return id;
  }

  /** Id of the IPv4 address `v` (unsigned 32-bit), whose bytes are at data[off..off+4). */
  v4Id(v: number, data: Uint8Array, off: number): number {
    void data, off; // the bytes are v's, big-endian
    return this.v4IdOf(v);
  }

  /**
   * Every address, 16 bytes an id, and each one's byte length: the table's own arrays, not a copy
   * (address filters read them). Valid until the next new address.
   */
  packed(): { bytes: Uint8Array; len: Uint8Array } {
    return { bytes: this.raw.subarray(0, this.count * 16), len: this.len.subarray(0, this.count) };
  }

  /**
   * Drop the IPv4 lookup index (16 bytes an address, ~16 MB at a million addresses) once loading
   * is done: ids are then read, not looked up. A later lookup builds it again.
   */
  dropIndex(): void {
    this.v4slots = new Int32Array(0);
    this.v4n = 0;
  }

  private rebuildIndex(): void {
    let size = 1 << 12;
    while (size < this.count * 2) size *= 2;
    this.v4slots = indexArray(size * 2).fill(-1);
    for (let id = 0; id < this.count; id++) {
      if (this.len[id] !== 4) continue;
      this.place(this.v4slots, this.v4Value(id) | 0, id);
      this.v4n++;
    }
  }

  /** Put key -> id in the first free slot of its probe sequence. */
  private place(slots: Int32Array, key: number, id: number): void {
    const mask = (slots.length >>> 1) - 1;
    let s = mix(key) & mask;
    while (slots[s << 1]! >= 0) s = (s + 1) & mask;
    slots[s << 1] = id;
    slots[(s << 1) + 1] = key;
  }

  /** Id of the IPv4 address `v` (unsigned 32-bit; its bytes are v's, big-endian). */
  v4IdOf(v: number): number {
    if (this.v4slots.length === 0) this.rebuildIndex();
    const key = v | 0;
    const slots = this.v4slots;
    const mask = (slots.length >>> 1) - 1;
    let s = mix(key) & mask;
    for (;;) {
      const id = slots[s << 1]!;
      if (id < 0) break;
      if (slots[(s << 1) + 1] === key) return id;
      s = (s + 1) & mask;
    }
    const nid = this.newId(4);
    const r = nid * 16;
    this.raw[r] = key >>> 24;
    this.raw[r + 1] = (key >>> 16) & 0xff;
    this.raw[r + 2] = (key >>> 8) & 0xff;
    this.raw[r + 3] = key & 0xff;
    slots[s << 1] = nid;
    slots[(s << 1) + 1] = key;
    if (++this.v4n * 4 > slots.length) this.growV4();
    return nid;
  }

  private growV4(): void {
    const old = this.v4slots;
    const slots = (this.v4slots = indexArray(old.length * 2).fill(-1));
    for (let k = 0; k < old.length; k += 2) if (old[k]! >= 0) this.place(slots, old[k + 1]!, old[k]!);
    discarded(old.byteLength);
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
    if (b === null) return undefined;
    if (b.length === 4) return this.v4Id(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, b, 0);
    return this.v6Id(b, 0);
  }

  family(id: number): 4 | 6 { return this.len[id] === 16 ? 6 : 4; }

  bytes(id: number): Uint8Array {
    return this.raw.subarray(id * 16, id * 16 + (this.len[id] === 16 ? 16 : 4));
  }

  /** The IPv4 address of id as an unsigned 32-bit number; -1 for IPv6. */
  v4Value(id: number): number {
    if (this.len[id] === 16) return -1;
    const r = id * 16, raw = this.raw;
    return ((raw[r]! << 24) | (raw[r + 1]! << 16) | (raw[r + 2]! << 8) | raw[r + 3]!) >>> 0;
  }

  text(id: number): string {
    // IPv4 text is made on demand: cheaper than keeping a string per address (at a million
    // addresses the cache held ~40 MB, most of the headless output's peak); IPv6 text, which
    // takes the zero-run search, is kept
    if (this.len[id] !== 16) {
      const r = id * 16, raw = this.raw;
      return `${raw[r]}.${raw[r + 1]}.${raw[r + 2]}.${raw[r + 3]}`;
    }
    let t = this.texts.get(id);
    if (t === undefined) {
      t = ipv6ToString(this.bytes(id), 0);
      this.texts.set(id, t);
    }
    return t;
  }
}
