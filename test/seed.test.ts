/**
 * The seed case end to end (the incident rsttui exists for, copied into fixtures/text and
 * fixtures/logs): the problem connection's whole story from two listings and the syslog.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
import { explainLines, timeline } from '../src/cli/explain.js';
import { fixture } from './helpers.js';

const inside = fixture('text/seed-inside.txt');
const outside = fixture('text/seed-outside.txt');
const clean = fixture('text/seed-clean.txt');
const log = fixture('logs/seed-asa.log');
const names = new Map([[inside, 'inside'], [outside, 'outside'], [clean, 'clean']]);

test('seed: one row per real connection, the problem one told in full', async () => {
  const ds = await loadDataset([inside, outside, log, clean], { names });
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  assert.equal(rows.length, 2, JSON.stringify(rows.map((r) => [r.orig_h, r.orig_p])));
  const problem = rows.find((r) => r.orig_p === 43918)!;
  assert.equal(problem.orig_h, '203.0.113.147');
  assert.equal(problem.resp_h, '172.17.77.250');
  assert.equal(problem.resp_p, 443);
  assert.equal(problem.teardown, 'fin-then-rst');
  assert.equal(problem.closed_by, 'resp');
  assert.deepEqual([...problem.anomalies].sort(), ['dropped-between-vantages', 'late-rst', 'rst-after-fin', 'rst-denied']);
  assert.deepEqual(problem.vantages, ['inside', 'outside']);
  assert.deepEqual(problem.firewall.map((e) => e.msgid), [302013, 302014, 106015]);
  assert.equal(problem.firewall[1]!.reason, 'TCP FINs');

  const ref = rows.find((r) => r.orig_p === 3954)!;
  assert.equal(ref.teardown, 'graceful');
  assert.deepEqual(ref.anomalies, []);
  assert.deepEqual(ref.firewall.map((e) => e.msgid), [609001, 302013, 302014, 609002]);
});

test('seed: the denied RST is the server RST seen inside only, linked to its 106015', async () => {
  const ds = await loadDataset([inside, outside, log], { names });
  const i = 0;
  const deny = ds.firewallOf(i).find((e) => e.msgid === 106015)!;
  const row = ds.eventPacket(deny);
  assert.ok(row !== undefined, 'the 106015 is linked to a packet');
  assert.equal(ds.packets.frame(row), 33750);
  assert.equal(ds.files[0]!.name, 'inside');
  const v = ds.verdict(i);
  const pr = ds.primaryRows(i);
  const dropped = v.evidence['dropped-between-vantages']!.map((k) => ds.packets.frame(pr[k]!));
  assert.deepEqual(dropped, [33750]);
});

test('seed: explain shows both vantages and the three firewall events in order, with the right words', async () => {
  const ds = await loadDataset([inside, outside, log], { names });
  const tl = timeline(ds, 0);
  const kinds = tl.map((e) => (e.kind === 'event' ? `fw${e.event.msgid}` : `${e.vantage}:${e.frame}`));
  // Built first; Teardown right after the client's FIN (the FIN that completed the exchange); the deny right after the server's RST
  assert.equal(kinds[0], 'fw302013');
  assert.ok(kinds.indexOf('fw302014') === kinds.indexOf('inside:33748') + 1, kinds.join(' '));
  assert.ok(kinds.indexOf('fw106015') === kinds.indexOf('inside:33750') + 1, kinds.join(' '));
  assert.ok(kinds.includes('outside:32468') && kinds.includes('inside:33748'));
  assert.ok(!kinds.some((k) => k.startsWith('outside:') && k.endsWith('33750')));
  const text = explainLines(ds, 0).join('\n');
  assert.match(text, /seen at +inside, outside/);
  assert.match(text, /client sends RST 0 µs after its own FIN/);
  assert.match(text, /TCP FINs from INSIDE\): normal close/);
  assert.match(text, /denied the server's RST as "no connection"/);
  assert.match(text, /not seen at outside/);
});

test('seed: sequence numbers differ between the vantages by a constant per direction, and still match', async () => {
  const ds = await loadDataset([inside, outside], { names });
  assert.equal(ds.conns.count, 1);
  const rows = ds.packetRows(0);
  const pk = ds.packets;
  const offsets = new Set<number>();
  const byFrame = new Map<number, number>();
  for (const r of rows) byFrame.set(pk.frame(r), r);
  // inside FIN 33437 is outside 32158; client FIN 33748 is outside 32468
  for (const [a, b] of [[33437, 32158], [33748, 32468]] as const) {
    offsets.add((pk.seq(byFrame.get(b)!) - pk.seq(byFrame.get(a)!)) >>> 0);
  }
  assert.equal(offsets.size, 2, 'one offset per direction, and the two differ');
});

test('log only: connections from the syslog alone are firewall-only rows', async () => {
  const ds = await loadDataset([log]);
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.ok(r.anomalies.includes('firewall-only'));
    assert.deepEqual(r.vantages, []);
  }
  assert.equal(rows.find((r) => r.orig_p === 3954)!.teardown, 'graceful');
});
