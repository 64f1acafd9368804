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
  // slower), two words a slot: the id plus one (0: empty, as fresh memory is) beside its key, so
  // that a probe reads one cache line, not one per array (a new connection's lookup mostly misses
  // the cache: addresses of clients seen once)
  private v4slots = indexArray(2 << 12);
  private v4n = 0;
  private readonly v6 = new Map<string, number>();
  /**
   * Per id: the IPv4 address as an unsigned 32-bit number, or for an IPv6 address the index of
   * its 16 bytes in `v6raw`. (4 bytes an address, not 16: most addresses of a large load are IPv4;
   * 10 M log lines name ~4 M of them.)
   */
  private val = new Uint32Array(256);
  private v6raw = new Uint8Array(16 * 16);
  private v6n = 0;
  /** byte length of each address: 4 (IPv4) or 16 (IPv6) */
  private len = new Uint8Array(256);
  /** IPv6 text by id (IPv4 text is made on demand) */
  private readonly texts = new Map<number, string>();
  count = 0;

  private newId(family: 4 | 6): number {
    const id = this.count++;
    if (id >= this.len.length) {
      // (doubling leaves the old arrays behind: see osBuffer)
      const oldBytes = this.len.byteLength + this.val.byteLength;
      const f = osArray(Uint8Array, this.len.length * 2);
      f.set(this.len);
      this.len = f;
      const v = osArray(Uint32Array, this.val.length * 2);
      v.set(this.val);
      this.val = v;
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

  /** the packed view's bytes (16 an id), filled up to id packN */
  private packBytes = new Uint8Array(0);
  private packN = 0;

  /**
   * Every address, 16 bytes an id (IPv4 in the first 4, big-endian), and each one's byte length,
   * for the address filters: views valid until the next new address. The table keeps 4 bytes an
   * IPv4 address; the 16-byte copy is made when first asked for and extended with the addresses
   * added since at each later call (the live view asks at every refresh).
   */
  packed(): { bytes: Uint8Array; len: Uint8Array } {
    const n = this.count;
    if (this.packN < n) {
      if (this.packBytes.length < n * 16) {
        const grown = new Uint8Array(Math.max(n * 16, this.packBytes.length * 2));
        grown.set(this.packBytes.subarray(0, this.packN * 16));
        this.packBytes = grown;
      }
      const bytes = this.packBytes;
      for (let id = this.packN; id < n; id++) {
        const v = this.val[id]!, r = id * 16;
        if (this.len[id] === 16) bytes.set(this.v6raw.subarray(v * 16, v * 16 + 16), r);
        else {
          bytes[r] = v >>> 24;
          bytes[r + 1] = (v >>> 16) & 0xff;
          bytes[r + 2] = (v >>> 8) & 0xff;
          bytes[r + 3] = v & 0xff;
        }
      }
      this.packN = n;
    }
    return { bytes: this.packBytes.subarray(0, n * 16), len: this.len.subarray(0, n) };
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
    this.v4slots = indexArray(size * 2);
    for (let id = 0; id < this.count; id++) {
      if (this.len[id] !== 4) continue;
      this.place(this.v4slots, this.val[id]! | 0, id);
      this.v4n++;
    }
  }

  /** Put key -> id in the first free slot of its probe sequence. */
  private place(slots: Int32Array, key: number, id: number): void {
    const mask = (slots.length >>> 1) - 1;
    let s = mix(key) & mask;
    while (slots[s << 1] !== 0) s = (s + 1) & mask;
    slots[s << 1] = id + 1;
    slots[(s << 1) + 1] = key;
  }

  /**
   * Room in the IPv4 index for n more addresses without growing it: a large log's reader says how
   * many it may bring (fw-load.ts). Each doubling left the old index to the C heap, which kept
   * its pages: at 10 M log lines the peak RSS was 1387-1421 MB without this, 1357-1369 MB with
   * it (three runs each; the time was the same within the machine's noise). An index sized beyond
   * what comes costs only the pages its addresses land in.
   */
  reserveV4(n: number): void {
    const old = this.v4slots;
    if (old.length === 0) return;
    let size = old.length;
    while (size < 4 * (this.v4n + n)) size *= 2;
    if (size > old.length) this.rehashV4(size);
  }

  /** The IPv4 index moved to one of `size` words (a power of two). */
  private rehashV4(size: number): void {
    const old = this.v4slots;
    const slots = (this.v4slots = indexArray(size));
    for (let k = 0; k < old.length; k += 2) if (old[k] !== 0) this.place(slots, old[k + 1]!, old[k]! - 1);
    discarded(old.byteLength);
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
      if (id === 0) break;
      if (slots[(s << 1) + 1] === key) return id - 1;
      s = (s + 1) & mask;
    }
    const nid = this.newId(4);
    this.val[nid] = key;
    slots[s << 1] = nid + 1;
    slots[(s << 1) + 1] = key;
    if (++this.v4n * 4 > slots.length) this.growV4();
    return nid;
  }

  /**
   * Read the IPv4 index's slots of the addresses vals[at[0, n)] (their first probe), all at once,
   * before they are looked up one by one (v4IdOf): at 10 M log lines the index is 64 MB, and most
   * lookups miss the CPU's caches; these reads do not depend on each other, so their misses
   * overlap, where a lookup's wait for its slot held up the next. Measured on the addresses of the
   * 10 M-line benchmark log (20 M lookups), in blocks of 256: 0.78-1.13 s -> 0.67-0.68 s. Returns
   * a number made of what it read, for nothing but to keep the reads.
   */
  warmV4(vals: Uint32Array, at: Int32Array, n: number): number {
    const slots = this.v4slots;
    const mask = (slots.length >>> 1) - 1;
    let x = 0;
    if (mask < 0) return x;
    for (let k = 0; k < n; k++) x ^= slots[(mix(vals[at[k]!]! | 0) & mask) << 1]!;
    return x;
  }

  private growV4(): void {
    this.rehashV4(this.v4slots.length * 2);
  }

  /** Id of the IPv6 address at data[off..off+16). */
  v6Id(data: Uint8Array, off: number): number {
    let key = '';
    for (let k = 0; k < 16; k += 2) key += String.fromCharCode((data[off + k]! << 8) | data[off + k + 1]!);
    const id = this.v6.get(key);
    if (id !== undefined) return id;
    const nid = this.newId(6);
    if ((this.v6n + 1) * 16 > this.v6raw.length) {
      const r = new Uint8Array(this.v6raw.length * 2);
      r.set(this.v6raw);
      this.v6raw = r;
    }
    this.v6raw.set(data.subarray(off, off + 16), this.v6n * 16);
    this.val[nid] = this.v6n++;
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

  /** The address's bytes (an IPv6 one's: a view of the table's; an IPv4 one's: made for the call). */
  bytes(id: number): Uint8Array {
    const v = this.val[id]!;
    if (this.len[id] === 16) return this.v6raw.subarray(v * 16, v * 16 + 16);
    return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }

  /**
   * Two addresses in the order of the addresses themselves (IPv4 by value, before IPv6 by its
   * bytes), for ties in rankings: ids follow the order the inputs were read in, which two log
   * workers make differ from run to run.
   */
  compare(a: number, b: number): number {
    const x = this.v4Value(a), y = this.v4Value(b);
    if (x >= 0 || y >= 0) return x >= 0 && y >= 0 ? x - y : x >= 0 ? -1 : 1;
    const p = this.bytes(a), q = this.bytes(b);
    for (let k = 0; k < 16; k++) if (p[k] !== q[k]) return p[k]! - q[k]!;
    return 0;
  }

  /** the IPv6 addresses' places in address order, by id, as of `v6n` IPv6 addresses (v6Rank) */
  private v6Ranks: { n: number; rank: Map<number, number> } | undefined;

  /**
   * The place of IPv6 address `id` among the table's IPv6 addresses in address order (0 the
   * lowest), -1 for an IPv4 one: a number that sorts as the whole 128-bit address (the UI's sort
   * by client). Ranked when first asked for, again once IPv6 addresses were added.
   */
  v6Rank(id: number): number {
    if (this.len[id] !== 16) return -1;
    if (this.v6Ranks?.n !== this.v6n) {
      const ids: number[] = [];
      for (let k = 0; k < this.count; k++) if (this.len[k] === 16) ids.push(k);
      const raw = this.v6raw, val = this.val;
      ids.sort((a, b) => {
        const p = val[a]! * 16, q = val[b]! * 16;
        for (let k = 0; k < 16; k++) if (raw[p + k] !== raw[q + k]) return raw[p + k]! - raw[q + k]!;
        return 0;
      });
      this.v6Ranks = { n: this.v6n, rank: new Map(ids.map((x, r) => [x, r])) };
    }
    return this.v6Ranks.rank.get(id)!;
  }

  /** The IPv4 address of id as an unsigned 32-bit number; -1 for IPv6. */
  v4Value(id: number): number {
    return this.len[id] === 16 ? -1 : this.val[id]!;
  }

  text(id: number): string {
    // IPv4 text is made on demand: cheaper than keeping a string per address (at a million
    // addresses the cache held ~40 MB, most of the headless output's peak); IPv6 text, which
    // takes the zero-run search, is kept
    if (this.len[id] !== 16) {
      const v = this.val[id]!;
      return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
    }
    let t = this.texts.get(id);
    if (t === undefined) {
      t = ipv6ToString(this.bytes(id), 0);
      this.texts.set(id, t);
    }
    return t;
  }
}
