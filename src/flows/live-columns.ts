/**
 * Per-connection columns of the live engine's own state (live.ts, live-fw.ts): grown together as
 * connections come, and taken together into compacted tables (--keep: live-keep.ts).
 */
export type Col = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

type Make = new (n: number) => Col;

/** Grow the named columns of `o` to hold n connections (new slots filled with `fills[name]`, else 0); returns the capacity. */
export function growColumns(o: object, names: readonly string[], n: number, cap: number, fills: Readonly<Record<string, number>> = {}): number {
  if (n <= cap) return cap;
  const c = Math.max(n, cap * 2, 1024);
  const cols = o as Record<string, Col>;
  for (const k of names) {
    const a = cols[k]!;
    const b = new (a.constructor as Make)(c);
    b.set(a);
    if (fills[k] !== undefined) b.fill(fills[k]!, a.length);
    cols[k] = b;
  }
  return c;
}

/** Replace the named columns of `o` by new ones where connection i is old connection order[i]; returns the capacity. */
export function takeColumns(o: object, names: readonly string[], order: Int32Array, fills: Readonly<Record<string, number>> = {}): number {
  const c = Math.max(order.length, 1024);
  const cols = o as Record<string, Col>;
  for (const k of names) {
    const a = cols[k]!;
    const b = new (a.constructor as Make)(c);
    if (fills[k] !== undefined) b.fill(fills[k]!);
    for (let i = 0; i < order.length; i++) b[i] = a[order[i]!]!;
    cols[k] = b;
  }
  return c;
}

/**
 * The rows a view must take again: those older than the last view's (`from`) whose columns changed
 * since, each once (its mark, a per-connection column, says in which view's list it is).
 */
export class ChangeLog {
  private list = new Uint32Array(1024);
  private n = 0;
  /** rows from here on are new since the last view */
  private from = 0;
  private takeNo = 1;

  note(c: number, mark: Uint32Array): void {
    if (c >= this.from || mark[c] === this.takeNo) return;
    mark[c] = this.takeNo;
    if (this.n === this.list.length) {
      const l = new Uint32Array(this.n * 2);
      l.set(this.list);
      this.list = l;
    }
    this.list[this.n++] = c;
  }

  /** The changes since the last take; rows up to `published` are old from now on. */
  take(published: number): { from: number; changed: Uint32Array } {
    const r = { from: this.from, changed: this.list.slice(0, this.n) };
    this.reset(published);
    return r;
  }

  /** Forget the changes noted (the tables were compacted: the next view is taken whole). */
  reset(published: number): void {
    this.from = published;
    this.takeNo++;
    this.n = 0;
  }
}
