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
  // any vendor's kinds, the vendor and device (the demo's log is one ASA's)
  const noConn = ids('fw.kind == deny-no-conn');
  assert.ok(noConn.length > 0);
  assert.deepEqual(noConn, where((r) => r.firewall.some((e) => e.msgid === 106015)));
  assert.deepEqual(ids('fw.vendor == ASA'), where((r) => r.firewall.length > 0));
  assert.deepEqual(ids('fw.vendor == PAN-OS'), []);
  const dev = ds.firewallOf(noConn[0]!)[0]!.host!;
  assert.deepEqual(ids(`fw.device == "${dev}"`), where((r) => r.firewall.length > 0));
  assert.ok(ids('late-rst').length > 0);
  assert.deepEqual(ids('late-rst'), ids('anomaly == late-rst'), 'a bare enum word is that value');
});

test('address tests give the same answer with and without the packed address table', () => {
  const plain = { ...t, addrs: { count: t.addrs.count, bytes: t.addrs.bytes, text: t.addrs.text } };
  // every address of the demo under blocks of every length (the packed path masks 32-bit words)
  const blocks: string[] = [];
  for (let id = 0; id < t.addrs.count; id++) {
    const text = t.addrs.text(id);
    if (text.includes(':')) continue;
    for (const bits of [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32]) blocks.push(`${text}/${bits}`);
  }
  const exprs = ['ip.addr == 10.0.0.0/8', 'ip.src == 203.0.113.0/25', 'ip.dst == 192.0.2.80', 'ip.addr != 172.17.77.250', 'ipv6.addr',
    'ip.addr == 203.0.113.0/24 or ip.dst == 192.0.2.0/23', ...blocks.map((b) => `ip.addr == ${b}`), ...blocks.slice(0, 40)];
  let nonEmpty = 0;
  for (const e of exprs) {
    const a = filterIndices(e, t), b = filterIndices(e, plain);
    assert.deepEqual(Array.from(a as Uint32Array), Array.from(b as Uint32Array), e);
    if ((a as Uint32Array).length > 0 && (a as Uint32Array).length < ds.conns.count) nonEmpty++;
  }
  assert.ok(nonEmpty > 20, `${nonEmpty} blocks selected some but not all connections`);
});

test('the bulk scan of a test selects exactly the rows its per-row calls do', async () => {
  const { compileFilter, matchingRows } = await import('../src/filter/index.js');
  const exprs = ['ip.addr == 10.0.0.0/8', 'ip.src == 203.0.113.0/25', 'ip.addr === 203.0.113.0/24', 'tcp.port == 443', 'tcp.dstport in {80 443}',
    'anomaly == late-rst', 'anomaly in {late-rst rst-denied}', 'teardown == fin-then-rst', 'conn_state == RSTO', 'late-rst', 'ip.addr == 172.17.77.250'];
  let scanned = 0;
  for (const e of exprs) {
    const c = compileFilter(e, t);
    assert.ok(c.ok, e);
    if (c.test.scan) scanned++;
    const byRow: number[] = [];
    for (let i = 0; i < t.count; i++) if (c.test(i)) byRow.push(i);
    assert.deepEqual(Array.from(matchingRows(t.count, c.test)), byRow, e);
    // into an array of the caller's (the UI's recycled results), holding an older result
    const into = new Uint32Array(t.count + 5).fill(7);
    const got = matchingRows(t.count, c.test, into);
    assert.deepEqual(Array.from(got), byRow, `${e}, into`);
    assert.equal(got.buffer, into.buffer, `${e}: the result is a view of the caller's array`);
  }
  assert.ok(scanned >= 8, `${scanned} of the tests had a bulk scan`);
  // (a compound test has no bulk scan: the per-row loop writes into the caller's array too)
  const c = compileFilter('tcp.port == 443 and not late-rst', t);
  assert.ok(c.ok && !c.test.scan);
  const into = new Uint32Array(t.count);
  const got = matchingRows(t.count, c.test, into);
  assert.equal(got.buffer, into.buffer);
  assert.deepEqual(Array.from(got), Array.from(matchingRows(t.count, c.test)));
  assert.ok(got.length > 0 && got.length < t.count);
});
