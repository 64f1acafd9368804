/**
 * The columns of connections a log alone makes (ConnTable.reserve after seal) are mapped from the
 * OS and renumbered without writing their zeros (conn-finalize.ts): the values must come out as the
 * heap columns' do, -0 and NaN included.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConnTable } from '../src/flows/conn-table.js';

const COLUMNS = [
  'vantage', 'origAddr', 'respAddr', 'origPort', 'respPort', 'firstTs', 'lastTs', 'origPkts', 'respPkts', 'origPayload', 'respPayload',
  'flagsOrig', 'flagsResp', 'marks', 'closeBits', 'flipped', 'reused', 'origIsn', 'splitWhy', 'connState', 'teardown', 'closedBy',
  'anomalies', 'tls', 'origBytes', 'respBytes', 'vantageMask',
] as const;

function table(reserve: boolean, n: number): ConnTable {
  const t = new ConnTable();
  t.seal();
  if (reserve) t.reserve(n);
  for (let k = 0; k < n; k++) {
    // (out of time order: the renumbering moves every row)
    const c = t.add(k % 3 === 0 ? 0 : 0xffff, k, 1024 + k, 7, 443, (k * 7919) % n, -1);
    const cols = t as unknown as Record<string, Float64Array | Uint32Array | Uint8Array | Uint16Array>;
    cols.origPayload![c] = k % 4 === 0 ? -0 : k % 4 === 1 ? NaN : k % 4 === 2 ? 0 : k * 1.5;
    cols.respBytes![c] = k % 5 === 0 ? -0 : k % 5;
    cols.origPkts![c] = k % 7;
    cols.anomalies![c] = k % 2 ? 0 : 2 ** 31 + k;
    cols.flagsOrig![c] = k & 0xff;
  }
  return t;
}

test('log-only connection columns: mapped from the OS, renumbered with every value as the heap columns give it', () => {
  const n = 20_000;
  const lazy = table(true, n), heap = table(false, n);
  assert.equal(lazy.lazyColumns, true);
  assert.equal(heap.lazyColumns, false);
  const a = lazy.finalize(), b = heap.finalize();
  assert.deepEqual([...a], [...b]);
  for (const name of COLUMNS) {
    const x = (lazy as unknown as Record<string, ArrayLike<number>>)[name]!, y = (heap as unknown as Record<string, ArrayLike<number>>)[name]!;
    for (let i = 0; i < lazy.count; i++) if (!Object.is(x[i], y[i])) assert.fail(`${name}[${i}]: ${x[i]} vs ${y[i]}`);
  }
  // (the rows did move, and the values were not all zeros)
  assert.notDeepEqual([...a].slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(Array.from({ length: lazy.count }, (_, i) => lazy.origPayload[i]!).some((v) => Object.is(v, -0)));
  assert.ok(Array.from({ length: lazy.count }, (_, i) => lazy.vantageMask[i]!).some((v) => v !== 0));
});
