/**
 * A hash from an unordered pair of endpoints (address id, port) to an int: the joins of firewall
 * events with each other and with captured connections (fw-groups.ts, firewall.ts) look up by
 * tuple in O(1) instead of scanning. Open addressing, four words a slot holding the tuple itself,
 * exactly, and the value: an endpoint is 48 bits (a 32-bit address id, a 16-bit port), the pair
 * in canonical order (lower endpoint first) is three words. A probe reads one cache line and
 * nothing else (an earlier layout kept only a 32-bit hash and confirmed a match against the
 * owner's columns, a random read into a gigabyte of events per probe at 10 M log lines). The value
 * is stored plus one, so that an empty slot is zero: a new table is fresh zeroed memory, with no
 * pass to mark its slots empty (128 MB at 10 M log lines).
 */
import { lazyBuffer } from '../flows/memory.js';

const W = 4;
/** the stored value of a key held with no value (addKey): not 0, which marks an empty slot */
const KEY_ONLY = -1;

/** The hash of a canonical key (three words). */
function mix(k0: number, k1: number, k2: number): number {
  let h = Math.imul(k0 ^ Math.imul(k2, 0x27d4eb2d), 0x9e3779b1) ^ Math.imul(k1, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/** Put key (k0, k1, k2) with stored value v (already plus one) in the first empty slot of s from its hash. */
function place(s: Int32Array, k0: number, k1: number, k2: number, v: number): void {
  const mask = s.length / W - 1;
  let i = mix(k0, k1, k2) & mask;
  while (s[i * W + 3] !== 0) i = (i + 1) & mask;
  const d = i * W;
  s[d] = k0;
  s[d + 1] = k1;
  s[d + 2] = k2;
  s[d + 3] = v;
}

export class TupleHash {
  private slots: Int32Array;
  private n = 0;
  /** `expected`: tuples it will hold (it grows past 3/4 full; linear probing stays short below that with this mix) */
  constructor(expected = 1024) {
    let cap = 1024;
    while (cap * 0.75 < expected) cap *= 2;
    this.slots = new Int32Array(cap * W);
  }

  // the key of the last find: low words of both endpoints, their high 16 bits together
  private k0 = 0;
  private k1 = 0;
  private k2 = 0;

  /** The slot of the tuple (>= 0), or -1 - the empty slot where it would go. */
  private find(a: number, pa: number, b: number, pb: number): number {
    let x = a * 65536 + pa, y = b * 65536 + pb;
    if (x > y) { const t = x; x = y; y = t; }
    const k0 = (this.k0 = x | 0), k1 = (this.k1 = y | 0);
    const k2 = (this.k2 = ((x / 4294967296) & 0xffff) | ((y / 4294967296) << 16));
    const s = this.slots;
    const mask = s.length / W - 1;
    let i = mix(k0, k1, k2) & mask;
    for (;;) {
      const o = i * W;
      if (s[o + 3] === 0) return -1 - i;
      if (s[o] === k0 && s[o + 1] === k1 && s[o + 2] === k2) return i;
      i = (i + 1) & mask;
    }
  }

  /** The value stored for the tuple, -1 when none (or only its key, see addKey). */
  get(a: number, pa: number, b: number, pb: number): number {
    const i = this.find(a, pa, b, pb);
    return i < 0 ? -1 : Math.max(-1, this.slots[i * W + 3]! - 1);
  }

  /**
   * Hold the tuple's key with no value yet (get gives -1): a table of the keys some later lookup
   * will ask for, filled by setIfPresent (the firewall join keeps only the tuples its denies name).
   */
  addKey(a: number, pa: number, b: number, pb: number): void {
    const i = this.find(a, pa, b, pb);
    if (i >= 0) return;
    const o = (-1 - i) * W;
    this.slots[o] = this.k0;
    this.slots[o + 1] = this.k1;
    this.slots[o + 2] = this.k2;
    this.slots[o + 3] = KEY_ONLY;
    if (++this.n * 4 > (this.slots.length / W) * 3) this.grow();
  }

  /** Store the value of a tuple the table holds (set or addKey); nothing for any other. */
  setIfPresent(a: number, pa: number, b: number, pb: number, v: number): void {
    const i = this.find(a, pa, b, pb);
    if (i >= 0) this.slots[i * W + 3] = v + 1;
  }

  /** Store (or replace) the value of the tuple; values are >= 0. */
  set(a: number, pa: number, b: number, pb: number, v: number): void {
    let i = this.find(a, pa, b, pb);
    if (i < 0) {
      i = -1 - i;
      const o = i * W;
      this.slots[o] = this.k0;
      this.slots[o + 1] = this.k1;
      this.slots[o + 2] = this.k2;
      this.n++;
    }
    this.slots[i * W + 3] = v + 1;
    if (this.n * 4 > (this.slots.length / W) * 3) this.grow();
  }

  /** Keep the entries whose value `f` maps to >= 0, with that value; the table shrinks to fit them (the live engine's compaction). */
  filterMap(f: (v: number) => number): void {
    const old = this.slots;
    const keep: number[] = [];
    for (let o = 0; o < old.length; o += W) {
      const v = old[o + 3]!;
      if (v === 0) continue;
      const nv = v === KEY_ONLY ? KEY_ONLY - 1 : f(v - 1);
      if (nv >= 0 || v === KEY_ONLY) keep.push(o, nv);
    }
    let cap = 1024;
    while (cap * 0.75 < keep.length / 2) cap *= 2;
    const s = (this.slots = new Int32Array(cap * W));
    this.n = keep.length / 2;
    for (let k = 0; k < keep.length; k += 2) {
      const o = keep[k]!;
      place(s, old[o]!, old[o + 1]!, old[o + 2]!, keep[k + 1]! + 1);
    }
  }

  private grow(): void {
    const old = this.slots;
    const s = (this.slots = new Int32Array(old.length * 2));
    for (let o = 0; o < old.length; o += W) if (old[o + 3] !== 0) place(s, old[o]!, old[o + 1]!, old[o + 2]!, old[o + 3]!);
  }
}

/**
 * Which tuples may be in a set (no false negatives; about 1.5 % false positives at the size
 * chosen): a bit array of 16 bits a tuple, two bits of one 32-bit word each. Small enough to stay
 * in cache where the set's hash table is not: the firewall join asks it for every Built and
 * Teardown, and probes the table only for the few whose tuple some deny names (at 10 M log lines
 * the table of every tuple was 128 MB and each probe a cache miss).
 */
export class TupleFilter {
  readonly words: Int32Array;
  /** `shared`: its words in shared memory (the grouping's worker reads them: fw-group-thread.ts); `words`: those of one made so */
  constructor(expected: number, shared = false, words?: Int32Array) {
    let n = 1024;
    while (n * 2 < expected) n *= 2;
    this.words = words ?? new Int32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n));
  }

  private hash(a: number, pa: number, b: number, pb: number): number {
    let x = a * 65536 + pa, y = b * 65536 + pb;
    if (x > y) { const t = x; x = y; y = t; }
    return mix(x | 0, y | 0, ((x / 4294967296) & 0xffff) | ((y / 4294967296) << 16));
  }

  add(a: number, pa: number, b: number, pb: number): void {
    const h = this.hash(a, pa, b, pb);
    this.words[h & (this.words.length - 1)]! |= (1 << (h >>> 27)) | (1 << ((h >>> 22) & 31));
  }

  mayHave(a: number, pa: number, b: number, pb: number): boolean {
    const h = this.hash(a, pa, b, pb);
    const bits = (1 << (h >>> 27)) | (1 << ((h >>> 22) & 31));
    return (this.words[h & (this.words.length - 1)]! & bits) === bits;
  }
}

/**
 * A firewall connection id (an integer up to 2^53) -> int, with deletion: the connections open in
 * a log, Built to Teardown. Open addressing with backward-shift deletion; a slot is the key and
 * its value side by side in one Float64Array (-1: empty), so that a probe reads one cache line, not
 * one in a key array and another in a value array (a Map of numbers above 2^31, or of doubles
 * read from a Float64Array, hashes heap numbers).
 */
export class IdHash {
  private s = IdHash.empty(1024);
  private n = 0;

  private static empty(slots: number): Float64Array {
    // (mapped from the OS, given back to it when freed: the grouping's worker runs this table, and
    // what a thread frees from the C heap stays with that thread's arena when it ends)
    const s = new Float64Array(lazyBuffer(slots * 16, false), 0, slots * 2);
    for (let i = 1; i < s.length; i += 2) s[i] = -1;
    return s;
  }

  private home(k: number): number {
    const lo = k | 0, hi = (k / 4294967296) | 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
    h ^= h >>> 15;
    return (Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13)) & ((this.s.length >>> 1) - 1);
  }

  /** The slot of key k, or the empty slot where it would go. */
  private find(k: number): number {
    const s = this.s, mask = (s.length >>> 1) - 1;
    let i = this.home(k);
    while (s[2 * i + 1] !== -1 && s[2 * i] !== k) i = (i + 1) & mask;
    return i;
  }

  get(k: number): number {
    return this.s[2 * this.find(k) + 1]!;
  }

  set(k: number, v: number): void {
    const i = this.find(k);
    if (this.s[2 * i + 1] === -1) {
      this.s[2 * i] = k;
      if (++this.n * 2 > this.s.length >>> 1) {
        this.s[2 * i + 1] = v;
        this.grow();
        return;
      }
    }
    this.s[2 * i + 1] = v;
  }

  delete(k: number): void {
    const s = this.s, mask = (s.length >>> 1) - 1;
    let i = this.find(k);
    if (s[2 * i + 1] === -1) return;
    this.n--;
    // shift back the entries after the hole whose home is at or before it
    for (let j = (i + 1) & mask; s[2 * j + 1] !== -1; j = (j + 1) & mask) {
      const home = this.home(s[2 * j]!);
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        s[2 * i] = s[2 * j]!;
        s[2 * i + 1] = s[2 * j + 1]!;
        i = j;
      }
    }
    s[2 * i + 1] = -1;
  }

  private grow(): void {
    const old = this.s;
    this.s = IdHash.empty(old.length);
    for (let i = 1; i < old.length; i += 2) {
      if (old[i] === -1) continue;
      const j = this.find(old[i - 1]!);
      this.s[2 * j] = old[i - 1]!;
      this.s[2 * j + 1] = old[i]!;
    }
  }
}
