/** Firewall events <-> connections: clock offset estimation, --skew, NAT-mapped addresses. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord } from '../src/export/records.js';
import { fixture } from './helpers.js';
import { RST } from '../src/model.js';

const inside = fixture('text/seed-inside.txt');
const log = fixture('logs/seed-asa.log');

/** The seed log with every clock time moved `min` minutes later (a firewall clock running ahead). */
function shiftedLog(min: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-skew-'));
  const text = readFileSync(log, 'utf8').replace(/(\d\d):(\d\d):(\d\d)/g, (_m, h: string, m: string, sec: string) => {
    const t = Number(h) * 60 + Number(m) + min;
    return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}:${sec}`;
  });
  const p = join(dir, 'asa.log');
  writeFileSync(p, text);
  return p;
}

test('skew: a log clock 2 minutes ahead is found and measured', async () => {
  const ds = await loadDataset([inside, shiftedLog(2)], { date: '2018-06-20' });
  const rec = flowRecord(ds, ds.conns.count === 1 ? 0 : 0);
  assert.ok(Math.abs(ds.logOffset.seconds - 120) < 1, `offset ${ds.logOffset.seconds}`);
  assert.ok(rec.anomalies.includes('rst-denied'), rec.anomalies.join());
  assert.equal(rec.firewall.length, 3);
});

test('skew: outside the --skew bound the events are not matched and stand alone', async () => {
  // 10 minutes ahead, beyond the default 300 s bound; and 2 minutes ahead with --skew 30
  const ds = await loadDataset([inside, shiftedLog(10)], { date: '2018-06-20' });
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  const captured = rows.find((r) => r.vantages.length > 0)!;
  assert.deepEqual(captured.firewall, []);
  assert.ok(!captured.anomalies.includes('rst-denied'));
  assert.ok(rows.some((r) => r.anomalies.includes('firewall-only') && r.orig_p === 43918));
  const ds2 = await loadDataset([inside, shiftedLog(3)], { date: '2018-06-20', skew: 30 });
  const r2 = Array.from({ length: ds2.conns.count }, (_, i) => flowRecord(ds2, i)).find((r) => r.vantages.length > 0)!;
  assert.ok(!r2.firewall.some((e) => e.msgid === 106015), JSON.stringify(r2.firewall));
});

test('NAT: a log naming the server by its mapped address still matches the capture', async () => {
  // the outside listing with the server behind static NAT (192.0.2.80 outside), and a log whose
  // Built names the real inside address with the mapped one in parentheses, as the ASA writes it
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-nat-'));
  const text = readFileSync(fixture('text/seed-outside.txt'), 'utf8').replaceAll('172.17.77.250', '192.0.2.80');
  const cap = join(dir, 'outside-nat.txt');
  writeFileSync(cap, text);
  const lines = readFileSync(log, 'utf8').split('\n').slice(0, 3).join('\n')
    .replace('to INSIDE:172.17.77.250/443 (172.17.77.250/443)', 'to INSIDE:172.17.77.250/443 (192.0.2.80/443)');
  const lg = join(dir, 'asa.log');
  writeFileSync(lg, lines + '\n');
  const ds = await loadDataset([cap, lg]);
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  const r = rows.find((x) => x.vantages.length > 0)!;
  assert.equal(r.resp_h, '192.0.2.80');
  assert.ok(r.firewall.some((e) => e.msgid === 302013), JSON.stringify(r.firewall));
});

test('demo: NAT and a 1.3 s clock offset; every denied RST found on its connection', async () => {
  const ds = await loadDataset([fixture('demo/inside.pcap'), fixture('demo/outside.pcap'), fixture('demo/asa.log')]);
  // the demo's log clock runs 1.3 s behind the captures (fixtures/demo/README.md); stamps are whole seconds
  assert.ok(Math.abs(ds.logOffset.seconds + 1.3) < 0.6, `offset ${ds.logOffset.seconds}`);
  const rows = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  let denies = 0;
  ds.fw.forEach((e) => { if (ds.fw.msgid(e) === 106015 && ds.fw.flags(e) & RST) denies++; });
  assert.equal(rows.filter((r) => r.anomalies.includes('rst-denied')).length, denies);
  // the server behind static NAT: one row per connection although the captures name it differently
  // (rows with no vantage are the log's denies by policy, connections no capture has; a row Zeek's
  // inactivity timeout split off has the packets after the ASA's idle timeout, which one side alone saw)
  assert.equal(rows.filter((r) => r.vantages.length === 2).length,
    rows.filter((r) => r.vantages.length > 0 && r.teardown !== 'unanswered' && r.split !== 'idle').length);
  assert.equal(rows.filter((r) => r.split === 'idle' && r.vantages.length === 1).length, 2);
  for (const r of rows.filter((x) => x.teardown === 'fin-then-rst')) {
    assert.deepEqual(r.firewall.filter((e) => e.msgid !== 609001 && e.msgid !== 609002).map((e) => e.msgid), [302013, 302014, 106015]);
  }
});
