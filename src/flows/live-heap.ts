/**
 * A binary min-heap of (deadline, connection) pairs in typed arrays: the live engine (live.ts)
 * finds the connections whose time is up without looking at the others.
 */
export class DeadlineHeap {
  private keys = new Float64Array(1024);
  private vals = new Int32Array(1024);
  size = 0;

  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2), v = new Int32Array(this.size * 2);
      k.set(this.keys);
      v.set(this.vals);
      this.keys = k;
      this.vals = v;
    }
    const keys = this.keys, vals = this.vals;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      vals[i] = vals[p]!;
      i = p;
    }
    keys[i] = key;
    vals[i] = val;
  }

  /** The smallest deadline (Infinity when empty). */
  peekKey(): number {
    return this.size ? this.keys[0]! : Infinity;
  }

  peekVal(): number {
    return this.vals[0]!;
  }

  pop(): void {
    const keys = this.keys, vals = this.vals;
    const n = --this.size;
    if (n <= 0) return;
    const key = keys[n]!, val = vals[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1]! < keys[c]!) c++;
      if (keys[c]! >= key) break;
      keys[i] = keys[c]!;
      vals[i] = vals[c]!;
      i = c;
    }
    keys[i] = key;
    vals[i] = val;
  }

  /** Keep the entries whose value `map` takes to >= 0, with that value (-1: drop); O(n). */
  rebuild(map: (val: number) => number): void {
    const keys = this.keys.slice(0, this.size), vals = this.vals.slice(0, this.size);
    this.size = 0;
    for (let k = 0; k < keys.length; k++) {
      const v = map(vals[k]!);
      if (v >= 0) this.push(keys[k]!, v);
    }
  }
}
