/**
 * The join hashes (src/correlate/tuple-hash.ts) against a Map doing the same operations: random
 * tuples with colliding parts, both orders of a pair, growth past the first size, and (IdHash)
 * deletions that must shift later entries back into place.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { IdHash, TupleFilter, TupleHash } from '../src/correlate/tuple-hash.js';
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

test('TupleHash keys held with no value: get gives -1 until setIfPresent stores one; setIfPresent leaves other tuples out', () => {
  const h = new TupleHash(4);
  for (let i = 0; i < 3000; i++) h.addKey(i, 80, 70000 + i, 443);
  assert.equal(h.get(5, 80, 70005, 443), -1);
  h.setIfPresent(70005, 443, 5, 80, 42);
  assert.equal(h.get(5, 80, 70005, 443), 42, 'stored in either order');
  h.setIfPresent(5, 81, 70005, 443, 7);
  assert.equal(h.get(5, 81, 70005, 443), -1, 'a tuple never added stays out');
  h.addKey(5, 80, 70005, 443);
  assert.equal(h.get(5, 80, 70005, 443), 42, 'adding a held key again keeps its value');
  h.filterMap((v) => v);
  assert.equal(h.get(5, 80, 70005, 443), 42);
  h.setIfPresent(6, 80, 70006, 443, 3);
  assert.equal(h.get(6, 80, 70006, 443), 3, 'keys with no value survive filterMap');
});

test('TupleFilter has no false negatives and few false positives', () => {
  const rnd = mulberry32(5);
  const f = new TupleFilter(20000);
  const tuples: number[][] = [];
  for (let i = 0; i < 20000; i++) tuples.push([Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 65536), Math.floor(rnd() * 1000), 443]);
  for (const [a, pa, b, pb] of tuples) f.add(a!, pa!, b!, pb!);
  for (const [a, pa, b, pb] of tuples) assert.ok(f.mayHave(b!, pb!, a!, pa!));
  let fp = 0;
  for (let i = 0; i < 20000; i++) if (f.mayHave(Math.floor(rnd() * 2 ** 32), 1 + Math.floor(rnd() * 65535), 5000, 80)) fp++;
  assert.ok(fp < 20000 * 0.04, `${fp} false positives of 20000`);
});
