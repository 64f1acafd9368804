/** Connection building across files and interfaces. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
import { fixture } from './helpers.js';

test('two pcapng interfaces that saw the same connection give two connections, not duplicate packets', async () => {
  // multi-if.pcapng: dumpcap on the veth (Ethernet) and on `any` (SLL) at once, one TCP exchange
  const ds = await loadDataset([fixture('formats/multi-if.pcapng')]);
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.equal(r.conn_state, 'SF');
    assert.ok(!r.anomalies.includes('retransmission'), `${r.id}: ${r.anomalies}`);
  }
  assert.equal(rows[0]!.orig_pkts + rows[0]!.resp_pkts, rows[1]!.orig_pkts + rows[1]!.resp_pkts);
});

test('ids follow the first packet across files, whatever the order of the files', async () => {
  const a = fixture('tcp/clean-close-client.pcap'), b = fixture('tcp/rejected.pcap');
  const x = await loadDataset([a, b]), y = await loadDataset([b, a]);
  const key = (ds: typeof x) => Array.from({ length: ds.conns.count }, (_, i) => { const r = flowRecord(ds, i); return `${r.id} ${r.orig_p} ${r.ts}`; });
  assert.deepEqual(key(x), key(y));
  const ts = key(x).map((k) => Number(k.split(' ')[2]));
  assert.deepEqual(ts, [...ts].sort((p, q) => p - q));
});

test('port reuse: a new SYN on a closed 4-tuple starts a new connection', async () => {
  const ds = await loadDataset([fixture('tcp/port-reuse.pcap')]);
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.orig_p, rows[1]!.orig_p);
  assert.ok(rows[0]!.anomalies.includes('port-reuse'));
});

test("cooperative loading (the UI's): the analysis pass yields and reports progress, with the same verdicts", async () => {
  const files = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);
  const seen: string[] = [];
  const a = await loadDataset(files, { yieldEveryMs: 0, onProgress: (p) => { if (p.phase === 'analysing') seen.push(`${p.bytesRead}/${p.totalBytes}`); } });
  const b = await loadDataset(files);
  assert.ok(seen.length >= 1, 'at least one analysing progress report');
  const rec = (ds: typeof a) => Array.from({ length: ds.conns.count }, (_, i) => JSON.stringify(flowRecord(ds, i)));
  assert.deepEqual(rec(a), rec(b));
});

test('the ndjson lines, written as bytes, are exactly the flow records as JSON', async () => {
  const { FlowLineEncoder } = await import('../src/export/flow-bytes.js');
  const { readdirSync } = await import('node:fs');
  const sets = [['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'], ['text/seed-inside.txt', 'text/seed-outside.txt', 'logs/seed-asa.log'],
    readdirSync(fixture('tcp')).filter((f) => f.endsWith('.pcap')).map((f) => `tcp/${f}`),
    // logs alone: no packets, the packet columns are not read (FlowSource.noPackets)
    ['logs/seed-asa.log']];
  for (const set of sets) {
    const ds = await loadDataset(set.map(fixture));
    // a small buffer, so that lines also start at the end of one and go to the next
    const chunks: string[] = [];
    let buffer = new Uint8Array(600), pos = 0;
    const out = {
      get buffer() { return buffer; },
      reserve(n: number) { if (pos + n > buffer.length) { chunks.push(Buffer.from(buffer.subarray(0, pos)).toString()); buffer = new Uint8Array(Math.max(600, n)); pos = 0; } return pos; },
      commit(end: number) { pos = end; },
    };
    const enc = new FlowLineEncoder(ds);
    for (let i = 0; i < ds.conns.count; i++) enc.write(out, i);
    chunks.push(Buffer.from(buffer.subarray(0, pos)).toString());
    const want = Array.from({ length: ds.conns.count }, (_, i) => JSON.stringify(flowRecord(ds, i)) + '\n');
    assert.equal(chunks.join(''), want.join(''), set.join(' '));
  }
});

test('numbers and times in the byte-written lines print as JSON prints them', async () => {
  const { FlowLineEncoder } = await import('../src/export/flow-bytes.js');
  const ds = await loadDataset([fixture('tcp/clean-close-client.pcap')]);
  const c = ds.conns;
  const cases: [number, number, number][] = [
    // firstTs, lastTs, orig_bytes: whole seconds, sub-µs remainders, big and odd numbers
    [1700000000, 1700000000, 0], [1700000000.5, 1700000001.000001, 4294967296], [1e-7, 0.1, 2 ** 53], [1700000000.1234567, 1700000000.2, 12345678901],
    [3e9, 3e9 + 0.25, 1.5], [0, 2147483647.999999, -1], [Number.NaN, 5, 10],
  ];
  for (const [first, last, ob] of cases) {
    c.firstTs[0] = first;
    c.lastTs[0] = last;
    c.origBytes[0] = ob;
    const buffer = new Uint8Array(4096);
    let pos = 0;
    new FlowLineEncoder(ds).write({ get buffer() { return buffer; }, reserve: () => pos, commit: (e: number) => { pos = e; } }, 0);
    assert.equal(Buffer.from(buffer.subarray(0, pos)).toString(), JSON.stringify(flowRecord(ds, 0)) + '\n', `${first} ${last} ${ob}`);
  }
});
