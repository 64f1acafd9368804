/**
 * The filter language over real connection tables: the demo loaded, filters checked against the
 * same question answered from the flow records; the packed address path equals the plain one.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../src/flows/dataset.js';
import { datasetTarget } from '../src/flows/filter-target.js';
import { filterIndices } from '../src/filter/index.js';
import { flowRecord } from '../src/export/records.js';
import { fixture } from './helpers.js';

const ds = await loadDataset(['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture));
const t = datasetTarget(ds);
const recs = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
const ids = (expr: string): number[] => {
  const r = filterIndices(expr, t);
  assert.ok(r instanceof Uint32Array, `filter failed: ${JSON.stringify(r)}`);
  return Array.from(r as Uint32Array);
};
const where = (f: (r: (typeof recs)[number]) => boolean): number[] => recs.flatMap((r, i) => (f(r) ? [i] : []));

test('structured filters select what the flow records say', () => {
  assert.deepEqual(ids('anomaly == late-rst'), where((r) => r.anomalies.includes('late-rst')));
  assert.deepEqual(ids('teardown == rejected'), where((r) => r.teardown === 'rejected'));
  assert.deepEqual(ids('fw.msgid == 106015'), where((r) => r.firewall.some((e) => e.msgid === 106015)));
  assert.deepEqual(ids('ip.addr == 203.0.113.0/24 and not tls'), where((r) => (r.orig_h.startsWith('203.0.113.') || r.resp_h.startsWith('203.0.113.')) && !ds.conns.tls[r.id - 1]));
  assert.deepEqual(ids('fw.reason contains "Idle"'), where((r) => r.firewall.some((e) => (e.reason ?? '').includes('Idle'))));
  assert.ok(ids('late-rst').length > 0);
  assert.deepEqual(ids('late-rst'), ids('anomaly == late-rst'), 'a bare enum word is that value');
});

test('address tests give the same answer with and without the packed address table', () => {
  const plain = { ...t, addrs: { count: t.addrs.count, bytes: t.addrs.bytes, text: t.addrs.text } };
  for (const e of ['ip.addr == 10.0.0.0/8', 'ip.src == 203.0.113.0/25', 'ip.dst == 192.0.2.80', 'ip.addr != 172.17.77.250', 'ipv6.addr']) {
    const a = filterIndices(e, t), b = filterIndices(e, plain);
    assert.deepEqual(Array.from(a as Uint32Array), Array.from(b as Uint32Array), e);
  }
});
