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
