/**
 * A hash from an unordered pair of endpoints (address id, port) to an int: the joins of firewall
 * events with each other and with captured connections (fw-groups.ts, firewall.ts) look up by
 * tuple in O(1) instead of scanning. Open addressing, two words a slot: the tuple's 32-bit hash
 * and the value. The tuple itself is not stored (at 10 M log lines that took 670 MB): a slot whose
 * hash matches is confirmed by `holds(value, tuple)`, which asks the owner's own columns.
 */
export type Holds = (v: number, a: number, pa: number, b: number, pb: number) => boolean;

function mix(a: number, pa: number, b: number, pb: number): number {
  // unordered: the same for (a, b) and (b, a)
  const x = Math.imul(a ^ Math.imul(pa, 0x27d4eb2d), 0x9e3779b1);
  const y = Math.imul(b ^ Math.imul(pb, 0x27d4eb2d), 0x9e3779b1);
  let h = (x + y) ^ Math.imul(x ^ y, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) | 0;
}

export class TupleHash {
  private slots: Int32Array;
  private n = 0;
  constructor(private readonly holds: Holds, expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2).fill(-1);
  }

  /** The slot of the tuple (>= 0), or -1 - the empty slot where it would go. */
  private find(h: number, a: number, pa: number, b: number, pb: number): number {
    const s = this.slots;
    const mask = (s.length >>> 1) - 1;
    let i = h & mask;
    for (;;) {
      const v = s[2 * i + 1]!;
      if (v === -1) return -1 - i;
      if (s[2 * i] === h && (this.holds(v, a, pa, b, pb) || this.holds(v, b, pb, a, pa))) return i;
      i = (i + 1) & mask;
    }
  }

  /** The value stored for the tuple, -1 when none. */
  get(a: number, pa: number, b: number, pb: number): number {
    const i = this.find(mix(a, pa, b, pb), a, pa, b, pb);
    return i < 0 ? -1 : this.slots[2 * i + 1]!;
  }

  /** Store (or replace) the value of the tuple; values are >= 0, and `holds` must know them already. */
  set(a: number, pa: number, b: number, pb: number, v: number): void {
    const h = mix(a, pa, b, pb);
    let i = this.find(h, a, pa, b, pb);
    if (i < 0) {
      i = -1 - i;
      this.slots[2 * i] = h;
      this.n++;
    }
    this.slots[2 * i + 1] = v;
    if (this.n * 2 > this.slots.length >>> 1) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const s = (this.slots = new Int32Array(old.length * 2).fill(-1));
    const mask = (s.length >>> 1) - 1;
    for (let o = 0; o < old.length; o += 2) {
      if (old[o + 1] === -1) continue;
      let i = old[o]! & mask;
      while (s[2 * i + 1] !== -1) i = (i + 1) & mask;
      s[2 * i] = old[o]!;
      s[2 * i + 1] = old[o + 1]!;
    }
  }
}
