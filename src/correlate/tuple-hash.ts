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
const W = 4;

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

  /** The value stored for the tuple, -1 when none. */
  get(a: number, pa: number, b: number, pb: number): number {
    const i = this.find(a, pa, b, pb);
    return i < 0 ? -1 : this.slots[i * W + 3]! - 1;
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
      const nv = f(v - 1);
      if (nv >= 0) keep.push(o, nv);
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
 * A firewall connection id (an integer up to 2^53) -> int, with deletion: the connections open in
 * a log, Built to Teardown. Open addressing with backward-shift deletion, keys and values in typed
 * arrays (a Map of numbers above 2^31, or of doubles read from a Float64Array, hashes heap numbers).
 */
export class IdHash {
  private keys = new Float64Array(1024);
  private vals = new Int32Array(1024).fill(-1);
  private n = 0;

  private slot(k: number): number {
    const lo = k | 0, hi = (k / 4294967296) | 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
  }

  private find(k: number): number {
    const mask = this.vals.length - 1;
    let i = this.slot(k) & mask;
    while (this.vals[i] !== -1 && this.keys[i] !== k) i = (i + 1) & mask;
    return i;
  }

  get(k: number): number {
    return this.vals[this.find(k)]!;
  }

  set(k: number, v: number): void {
    const i = this.find(k);
    if (this.vals[i] === -1) {
      this.keys[i] = k;
      if (++this.n * 2 > this.vals.length) {
        this.vals[i] = v;
        this.grow();
        return;
      }
    }
    this.vals[i] = v;
  }

  delete(k: number): void {
    const mask = this.vals.length - 1;
    let i = this.find(k);
    if (this.vals[i] === -1) return;
    this.n--;
    // shift back the entries after the hole whose home is at or before it
    for (let j = (i + 1) & mask; this.vals[j] !== -1; j = (j + 1) & mask) {
      const home = this.slot(this.keys[j]!) & mask;
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        this.keys[i] = this.keys[j]!;
        this.vals[i] = this.vals[j]!;
        i = j;
      }
    }
    this.vals[i] = -1;
  }

  private grow(): void {
    const keys = this.keys, vals = this.vals;
    this.keys = new Float64Array(keys.length * 2);
    this.vals = new Int32Array(vals.length * 2).fill(-1);
    for (let i = 0; i < vals.length; i++) {
      if (vals[i] === -1) continue;
      const j = this.find(keys[i]!);
      this.keys[j] = keys[i]!;
      this.vals[j] = vals[i]!;
    }
  }
}
