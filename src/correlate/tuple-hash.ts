/**
 * A hash from an unordered pair of endpoints (address id, port) to an int: the joins of firewall
 * events with each other and with captured connections (fw-groups.ts, firewall.ts) look up by
 * tuple in O(1) instead of scanning. Open addressing in one Int32Array, five words a slot.
 */
const W = 5;

function mix(a: number, pa: number, b: number, pb: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x27d4eb2d, 0x85ebca6b);
  h ^= Math.imul((pa << 16) | pb, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

export class TupleHash {
  private slots: Int32Array;
  private n = 0;
  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap * W).fill(-1);
  }

  private find(a: number, pa: number, b: number, pb: number): number {
    // unordered: the smaller endpoint first
    if (a > b || (a === b && pa > pb)) [a, pa, b, pb] = [b, pb, a, pa];
    const s = this.slots;
    const mask = s.length / W - 1;
    let i = mix(a, pa, b, pb) & mask;
    for (;;) {
      const o = i * W;
      if (s[o + 4] === -1) return -1 - i;
      if (s[o] === a && s[o + 1] === pa && s[o + 2] === b && s[o + 3] === pb) return i;
      i = (i + 1) & mask;
    }
  }

  /** The value stored for the tuple, -1 when none. */
  get(a: number, pa: number, b: number, pb: number): number {
    const i = this.find(a, pa, b, pb);
    return i < 0 ? -1 : this.slots[i * W + 4]!;
  }

  /** Store (or replace) the value of the tuple; values are >= 0. */
  set(a: number, pa: number, b: number, pb: number, v: number): void {
    let i = this.find(a, pa, b, pb);
    if (i >= 0) {
      this.slots[i * W + 4] = v;
      return;
    }
    i = -1 - i;
    if (a > b || (a === b && pa > pb)) [a, pa, b, pb] = [b, pb, a, pa];
    const o = i * W;
    const s = this.slots;
    s[o] = a;
    s[o + 1] = pa;
    s[o + 2] = b;
    s[o + 3] = pb;
    s[o + 4] = v;
    if (++this.n * 2 > s.length / W) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.n = 0;
    for (let o = 0; o < old.length; o += W) if (old[o + 4] !== -1) this.set(old[o]!, old[o + 1]!, old[o + 2]!, old[o + 3]!, old[o + 4]!);
  }
}
