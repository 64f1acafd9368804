/**
 * The chunk index (src/read/fw-chunk-index.ts) the log's matching reads instead of scanning every
 * row: on every fixture log of every vendor, and on a generated log read by the two log workers
 * (chunks made in a worker, posted with their index), each chunk's index equals a plain scan of
 * its rows; and a chunk that grows after it was indexed (the live engine's) is indexed again.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/flows/dataset.js';
import { B_PROTO, connIdAt, newChunk, type FwChunk } from '../src/read/fw-chunk.js';
import { chunkIndex, indexChunk } from '../src/read/fw-chunk-index.js';
import { K_BUILT, K_DENY, K_LH_BUILT, K_LH_TEARDOWN, K_NOCONN, K_OTHER, K_TEARDOWN } from '../src/read/asa.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { fixture } from './helpers.js';

/** The index by the plainest scan of the rows. */
function scan(c: FwChunk): ReturnType<typeof indexChunk> {
  const deny: number[] = [], lh: number[] = [];
  let groupRows = 0, notes = false, fraction = false, ordered = true, lo = Infinity, hi = -Infinity;
  const times: number[] = [];
  for (let r = 0; r < c.n; r++) {
    const kind = c.kind[r]!, tcp = ((c.bits[r]! >> B_PROTO) & 3) === 1, t = c.ts[r]!;
    if (kind === K_NOCONN || (tcp && (kind === K_BUILT || kind === K_TEARDOWN || kind === K_DENY))) groupRows++;
    if (kind === K_NOCONN || (tcp && kind === K_DENY)) deny.push(r);
    if ((kind === K_LH_BUILT || kind === K_LH_TEARDOWN) && c.amask[r]! & 1) lh.push(r);
    if (kind === K_OTHER && !Number.isNaN(connIdAt(c, r))) notes = true;
    if (Number.isFinite(t) && !Number.isInteger(t)) fraction = true;
    if (!Number.isNaN(t)) times.push(t);
  }
  let max = -Infinity;
  for (const t of times) {
    if (t < max) ordered = false;
    max = Math.max(max, t);
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return { n: c.n, groupRows, denyRows: Uint16Array.from(deny), lhRows: Uint16Array.from(lh), notes, fraction, ordered, lo, hi };
}

function logsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? logsUnder(p) : f.endsWith('.log') ? [p] : [];
  });
}

test('every fixture log: each chunk index equals a scan of its rows, and the logs have every kind of row it lists', async () => {
  const seen = { deny: 0, lh: 0, notes: 0, fraction: 0, disordered: 0 };
  for (const log of logsUnder(fixture('logs'))) {
    const ds = await loadDataset([log], { year: 2018, worker: 'never' });
    for (const c of ds.fw.chunks) {
      const x = chunkIndex(c);
      assert.deepEqual(x, scan(c), log);
      seen.deny += x.denyRows.length;
      seen.lh += x.lhRows.length;
      seen.notes += +x.notes;
      seen.fraction += +x.fraction;
      seen.disordered += +!x.ordered;
    }
  }
  // (else the comparison above proves little)
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 0, `no fixture chunk has ${k}`);
});

test('a log read by the two log workers: the index posted with each chunk equals a scan of its rows', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-chunkindex-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'asa.log');
  generateAsaLog(path, { lines: 150_000, seed: 11 });
  const ds = await loadDataset([path], { year: 2018, worker: 'always' });
  assert.ok(ds.fw.chunks.length >= 3);
  for (const c of ds.fw.chunks) {
    assert.ok(c.index, 'the reader indexed the chunk');
    assert.deepEqual(c.index, scan(c));
  }
});

test('a chunk that grew after it was indexed is indexed again', () => {
  const c = newChunk(0, 0, 0, false, false, 8);
  const row = (kind: number, t: number): void => {
    const r = c.n++;
    c.kind[r] = kind;
    c.bits[r] = 1 << B_PROTO;
    c.ts[r] = t;
    c.cid[r] = 0xffffffff;
  };
  row(K_BUILT, 10);
  assert.deepEqual(chunkIndex(c).denyRows, Uint16Array.of());
  row(K_NOCONN, 9.5);
  const x = chunkIndex(c);
  assert.deepEqual(x, scan(c));
  assert.deepEqual(x.denyRows, Uint16Array.of(1));
  assert.equal(x.ordered, false);
  assert.equal(x.fraction, true);
  assert.equal(chunkIndex(c), x, 'kept while the chunk does not grow');
});
