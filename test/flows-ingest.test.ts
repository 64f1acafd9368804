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

test('the ndjson fast path prints exactly the flow record', async () => {
  const { flowJson, flowJsonAt, newFlowJsonCache } = await import('../src/export/records.js');
  const { readdirSync } = await import('node:fs');
  const sets = [['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'], ['text/seed-inside.txt', 'text/seed-outside.txt', 'logs/seed-asa.log'],
    readdirSync(fixture('tcp')).filter((f) => f.endsWith('.pcap')).map((f) => `tcp/${f}`)];
  for (const set of sets) {
    const ds = await loadDataset(set.map(fixture));
    const cache = newFlowJsonCache();
    for (let i = 0; i < ds.conns.count; i++) assert.equal(flowJsonAt(ds, i, cache), flowJson(flowRecord(ds, i)));
    for (let i = 0; i < ds.conns.count; i++) assert.deepEqual(JSON.parse(flowJsonAt(ds, i, cache)), JSON.parse(JSON.stringify(flowRecord(ds, i))));
  }
});
