/**
 * A connection's rows found by scanning the conn column (conn-rows.ts, what the views use after
 * loading) are the rows the index by connection lists, for every connection: one capture or
 * several, in time order or not, and after the scans have added up and the index took over.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { ConnRows, groupByConn, inFile } from '../src/flows/conn-rows.js';
import { writeReordered } from './pcap-records.js';
import { fixture } from './helpers.js';

/** Every connection's rows, all vantages and primary only, by `rows` and by the index. */
function compare(ds: Dataset, cr: ConnRows, label: string): void {
  const { start, rows } = groupByConn(ds.packets, ds.conns.count);
  for (let i = 0; i < ds.conns.count; i++) {
    const want = Array.from(rows.subarray(start[i]!, start[i + 1]!));
    assert.deepEqual(Array.from(cr.rows(i)), want, `${label}: connection ${i + 1}, every vantage`);
    const v = ds.conns.vantage[i]!;
    if (v < ds.files.length) {
      assert.deepEqual(Array.from(cr.rows(i, v)), Array.from(inFile(rows.subarray(start[i]!, start[i + 1]!), ds.files[v])), `${label}: connection ${i + 1}, primary`);
    }
  }
}

test('scanned rows equal the index: one capture, two vantages with logs, several single captures', async () => {
  const sets = [
    ['tcp/port-reuse.pcap'],
    ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'],
    ['tcp/fin-then-rst.pcap', 'tcp/rejected.pcap', 'tcp/retransmission.pcap', 'formats/ipv6.pcap'],
  ];
  for (const s of sets) {
    const ds = await loadDataset(s.map(fixture), { worker: 'never' });
    assert.ok(ds.conns.count >= 2);
    // what the views ask for, the rows at the primary vantage, stays within the scan budget
    const prim = new ConnRows(ds.packets, ds.conns, ds.files);
    const { start: st, rows: rw } = groupByConn(ds.packets, ds.conns.count);
    for (let i = 0; i < ds.conns.count; i++) {
      const v = ds.conns.vantage[i]!;
      if (v < ds.files.length) assert.deepEqual(Array.from(prim.rows(i, v)), Array.from(inFile(rw.subarray(st[i]!, st[i + 1]!), ds.files[v])));
    }
    assert.equal(prim.indexed, false, 'a pass over every connection\'s primary rows stays within the scan budget');
    const cr = new ConnRows(ds.packets, ds.conns, ds.files);
    compare(ds, cr, s.join(' '));
    // and the dataset's own answers (the timeline's) agree with the index
    const { start, rows } = groupByConn(ds.packets, ds.conns.count);
    for (let i = 0; i < ds.conns.count; i++) {
      const sorted = Array.from(rows.subarray(start[i]!, start[i + 1]!)).sort((a, b) => ds.packets.ts(a) - ds.packets.ts(b) || a - b);
      assert.deepEqual(Array.from(ds.packetRows(i)), sorted);
    }
  }
});

test('scanned rows equal the index in a capture out of time order, and once the index takes over', async () => {
  // the demo's inside capture with its records reordered: neighbours swapped every 7 records
  // (a multi-queue NIC's small steps back) and one early record moved to the end (a big one)
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-connrows-'));
  try {
    const path = join(dir, 'shuffled.pcap');
    writeReordered(fixture('demo/inside.pcap'), path, 7, 10);
    const ds = await loadDataset([path, fixture('demo/outside.pcap')], { worker: 'never' });
    let back = 0;
    for (let r = 1; r < ds.files[0]!.end; r++) if (ds.packets.ts(r) < ds.packets.ts(r - 1)) back++;
    assert.ok(back > 10, `the capture steps back in time (${back} times)`);
    const cr = new ConnRows(ds.packets, ds.conns, ds.files);
    compare(ds, cr, 'shuffled');
    // scan until the scans add up to more than the budget: the index is built and answers alike
    for (let k = 0; k < 200 && !cr.indexed; k++) for (let i = 0; i < ds.conns.count; i++) cr.rows(i);
    assert.equal(cr.indexed, true);
    compare(ds, cr, 'shuffled, indexed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
