/**
 * Values of short byte runs that a log repeats on line after line (interface, host and ACL names,
 * teardown reasons): the byte readers (asa-bytes.ts) look a run up here by its bytes, and a value
 * is made (from the run's latin1 string, as the string path would see it) only the first time a
 * run is met. An open-addressed table of at most `max` runs; full, it starts again empty, so a log
 * with ever new names costs one string a line as before, never unbounded memory.
 */
export class ByteValues<T> {
  private keys: Uint8Array[] = [];
  private vals: T[] = [];
  /** slot -> entry index + 1 (0: empty); twice `max` slots, so probes stay short */
  private slots: Int32Array;
  private readonly mask: number;
  constructor(private readonly make: (s: string) => T, private readonly max = 2048) {
    let size = 16;
    while (size < 2 * max) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** the run met last and its value: most lines repeat the line before */
  private lastKey: Uint8Array = new Uint8Array(0);
  private lastVal: T | undefined;

  /**
   * The length of the run met last if b holds it at s followed by byte `then` (before `e`), else
   * -1: a caller that knows how its run ends finds it without looking for the end first.
   */
  lastAt(b: Uint8Array, s: number, e: number, then: number): number {
    const k = this.lastKey;
    const n = k.length;
    if (n === 0 || s + n >= e || b[s + n] !== then) return -1;
    for (let i = 0; i < n; i++) if (k[i] !== b[s + i]) return -1;
    return n;
  }

  /** The value of the run lastAt found. */
  get last(): T {
    return this.lastVal!;
  }

  /** The value of the bytes b[s, e). */
  get(b: Uint8Array, s: number, e: number): T {
    const n = e - s;
    const lk = this.lastKey;
    if (lk.length === n) {
      let i = 0;
      while (i < n && lk[i] === b[s + i]) i++;
      if (i === n) return this.lastVal!;
    }
    const v = this.lookUp(b, s, e);
    return v;
  }

  private lookUp(b: Uint8Array, s: number, e: number): T {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const n = e - s;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.slots[slot]!;
      if (at === 0) break;
      const k = this.keys[at - 1]!;
      if (k.length !== n) continue;
      let i = 0;
      while (i < n && k[i] === b[s + i]) i++;
      if (i === n) {
        this.lastKey = k;
        return (this.lastVal = this.vals[at - 1]!);
      }
    }
    if (this.keys.length >= this.max) {
      this.keys = [];
      this.vals = [];
      this.slots.fill(0);
    }
    const v = this.make(Buffer.from(b.buffer, b.byteOffset + s, n).toString('latin1'));
    // (a copy: a Buffer's slice() is a view of the block, which the reader fills again)
    const key = Uint8Array.prototype.slice.call(b, s, e);
    this.keys.push(key);
    this.vals.push(v);
    this.lastKey = key;
    this.lastVal = v;
    let slot = h & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = this.keys.length;
    return v;
  }
}
