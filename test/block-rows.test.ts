/**
 * The verdict pass's rows found block by block (block-rows.ts) are the rows the index by
 * connection lists, for blocks of every size, with port reuse, log-only connections (which
 * renumber the table) and records out of time order; the plan keeps to the index when the
 * windows would cost more than a few passes over the table.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestInputs } from '../src/flows/ingest.js';
import { groupByConn } from '../src/flows/conn-rows.js';
import { blockRows, planBlocks } from '../src/flows/block-rows.js';
import { correlateFirewall } from '../src/correlate/firewall.js';
import { CHUNK_ROWS } from '../src/flows/packet-table.js';
import { writeReordered } from './pcap-records.js';
import { fixture } from './helpers.js';

/** Load paths as loadDataset does up to the verdict pass (one capture: nothing merged). */
async function tables(paths: string[]) {
  const ing = await ingestInputs(paths, { worker: 'never' });
  if (ing.fw.count) correlateFirewall(ing.fw, ing.conns, ing.addrs);
  const map = ing.conns.finalize();
  ing.packets.remapConns(map);
  return { ...ing, map };
}

function compareBlocks(t: Awaited<ReturnType<typeof tables>>, block: number, label: string): void {
  const n = t.conns.count;
  const plan = planBlocks(t.conns, t.spans, t.map, t.packets.connChunks(), t.packets.count, block, false);
  assert.ok(plan, `${label}: windows planned`);
  const { start, rows } = groupByConn(t.packets, n);
  assert.deepEqual(Array.from(plan.start), Array.from(start), `${label}: the counts place every connection as the index does`);
  let scratch: Uint32Array = new Uint32Array(0);
  for (let from = 0; from < n; from += block) {
    const to = Math.min(n, from + block);
    scratch = blockRows(plan, from, to, scratch);
    const got = Array.from(scratch.subarray(0, start[to]! - start[from]!));
    assert.deepEqual(got, Array.from(rows.subarray(start[from]!, start[to]!)), `${label}: block ${from}..${to} of ${block}`);
  }
}

test('block rows equal the index: port reuse, several connections, log-only connections', async () => {
  const sets = [['tcp/port-reuse.pcap'], ['demo/inside.pcap'], ['demo/inside.pcap', 'demo/asa.log']];
  for (const s of sets) {
    const t = await tables(s.map(fixture));
    assert.ok(t.conns.count >= 2, s.join(' '));
    for (const block of [1, 2, 3, 7, 64, 4096]) compareBlocks(t, block, `${s.join(' ')}, blocks of ${block}`);
  }
  // the logs add connections with no packets, which renumber the table
  const withLogs = await tables(['demo/inside.pcap', 'demo/asa.log'].map(fixture));
  assert.ok(withLogs.conns.count > withLogs.spans.count, 'log-only connections were added');
  assert.ok(withLogs.map.some((v, k) => v !== k), 'the connections were renumbered');
});

test('block rows equal the index in a capture out of time order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-blockrows-'));
  try {
    // neighbours swapped every 5 records, and an early record moved to the end
    const path = join(dir, 'shuffled.pcap');
    writeReordered(fixture('demo/inside.pcap'), path, 5, 3);
    const t = await tables([path]);
    for (const block of [1, 4, 16, 4096]) compareBlocks(t, block, `shuffled, blocks of ${block}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the plan keeps to the index when the windows would add up to more than a few passes', async () => {
  const t = await tables([fixture('demo/inside.pcap')]);
  const n = t.conns.count;
  // the same table, as if every other connection had a packet in the last row: every block's
  // window then runs to the end of the table (long sessions seen in every block)
  const spans = { ...t.spans, last: Uint32Array.from(t.spans.last) };
  const long = (start: number) => {
    for (let c = 0; c < t.spans.count; c++) if (t.map[c]! % 2 === start) spans.last[c] = t.packets.count - 1;
  };
  long(0);
  // blocks of one connection: the windows add up to ~n/2 passes; 4 passes and a chunk are let off
  const rows = t.packets.count;
  assert.ok(n / 2 > 4 + CHUNK_ROWS / rows + 8, `enough connections for the check to bite (${n}, ${rows} rows)`);
  assert.equal(planBlocks(t.conns, spans, t.map, t.packets.connChunks(), rows, 1, false), undefined);
  assert.ok(planBlocks(t.conns, t.spans, t.map, t.packets.connChunks(), rows, 1, false), 'the real spans are planned');
});
