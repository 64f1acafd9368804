/**
 * The join hashes (src/correlate/tuple-hash.ts) against a Map doing the same operations: random
 * tuples with colliding parts, both orders of a pair, growth past the first size, and (IdHash)
 * deletions that must shift later entries back into place.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { IdHash, TupleHash } from '../src/correlate/tuple-hash.js';
import { mulberry32 } from '../bench/gen.js';

test('TupleHash finds a pair in either order, tells apart tuples sharing parts, and keeps them through growth', () => {
  const rnd = mulberry32(7);
  const h = new TupleHash(16);
  const ref = new Map<string, number>();
  const key = (a: number, pa: number, b: number, pb: number): string => (a * 65536 + pa < b * 65536 + pb ? `${a}/${pa}-${b}/${pb}` : `${b}/${pb}-${a}/${pa}`);
  for (let i = 0; i < 20000; i++) {
    // few addresses and ports: many tuples share an end; ids above 2^16 and 2^31 too
    const a = [1, 2, 70000, 2 ** 31 + 5][Math.floor(rnd() * 4)]!, b = Math.floor(rnd() * 50);
    const pa = Math.floor(rnd() * 40), pb = [443, 0, 65535][Math.floor(rnd() * 3)]!;
    if (rnd() < 0.5) h.set(a, pa, b, pb, i);
    else h.set(b, pb, a, pa, i);
    ref.set(key(a, pa, b, pb), i);
  }
  for (const [k, v] of ref) {
    const [x, y] = k.split('-').map((e) => e.split('/').map(Number)) as [number[], number[]];
    assert.equal(h.get(x[0]!, x[1]!, y[0]!, y[1]!), v, k);
    assert.equal(h.get(y[0]!, y[1]!, x[0]!, x[1]!), v, k);
  }
  assert.equal(h.get(3, 1, 4, 1), -1);
  assert.equal(h.get(1, 1, 1, 1 + 65536), -1, 'port bits do not spill into the address');
});

test('IdHash matches a Map under sets, replacements and deletions, ids up to 2^53', () => {
  const rnd = mulberry32(11);
  const h = new IdHash();
  const ref = new Map<number, number>();
  const ids = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 2 ** 40 + i * 4096 : i % 3 === 1 ? 4294967296 * (i & 7) : i));
  for (let i = 0; i < 60000; i++) {
    const id = ids[Math.floor(rnd() * ids.length)]!;
    if (rnd() < 0.4) {
      h.delete(id);
      ref.delete(id);
    } else {
      h.set(id, i);
      ref.set(id, i);
    }
    if (i % 997 === 0) for (const x of ids) assert.equal(h.get(x), ref.get(x) ?? -1, `id ${x} after op ${i}`);
  }
  for (const x of ids) assert.equal(h.get(x), ref.get(x) ?? -1);
});
