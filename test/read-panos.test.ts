/**
 * PAN-OS syslog (src/read/panos.ts): TRAFFIC start/end/drop/deny, every session end reason with its
 * class and closing side, NAT, IPv6, quoted CSV fields, the layouts of 8.1 to 11.x, THREAT resets as
 * notes on their session, damage reported as FILE:LINE, and the seed's close from the log alone.
 * Fixtures: fixtures/logs/panos/ (see its README).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { readSyslog } from '../src/read/syslog.js';
import { PANOS_READER, PANOS_REASONS, parsePanos } from '../src/read/panos.js';
import { reasonClassFor, reasonMeaningFor } from '../src/read/fw-reasons.js';
import { ANY_FIREWALL_TAG } from '../src/read/vendors.js';
import { TEARDOWNS } from '../src/model.js';
import { generatePanosLog } from '../bench/gen-panos.js';
import { fixture } from './helpers.js';

const F = (name: string): string => fixture(`logs/panos/${name}`);
const rows = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
const lines = (name: string): string[] => readFileSync(F(name), 'utf8').split('\n').filter((l) => l !== '');
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-panos-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the reason table: every end reason of the admin guide, classes the model has, sides as PAN-OS words them', () => {
  for (const r of ['threat', 'policy-deny', 'decrypt-cert-validation', 'decrypt-unsupport-param', 'decrypt-error', 'tcp-rst-from-client',
    'tcp-rst-from-server', 'resources-unavailable', 'tcp-fin', 'tcp-reuse', 'decoder', 'aged-out', 'unknown', 'n/a']) {
    assert.ok(PANOS_REASONS[r], r);
  }
  for (const [k, c] of Object.entries(PANOS_REASONS)) {
    assert.ok((TEARDOWNS as readonly string[]).includes(c.teardown), `${k}: ${c.teardown}`);
    assert.ok(c.meaning.length > 20, k);
  }
  // looked up by vendor, without regard to case; the ASA's words are not PAN-OS's
  assert.deepEqual(reasonClassFor('PAN-OS', 'TCP-FIN'), { teardown: 'graceful', side: 'none' });
  assert.deepEqual(reasonClassFor('PAN-OS', 'tcp-rst-from-client'), { teardown: 'abort', side: 'client' });
  assert.deepEqual(reasonClassFor('PAN-OS', 'tcp-rst-from-server'), { teardown: 'abort', side: 'server' });
  assert.deepEqual(reasonClassFor('PAN-OS', 'aged-out (incomplete)'), { teardown: 'unanswered', side: 'none' });
  assert.equal(reasonClassFor('PAN-OS', 'TCP FINs'), undefined);
  assert.equal(reasonClassFor('ASA', 'tcp-fin'), undefined);
  assert.match(reasonMeaningFor('PAN-OS', 'tcp-fin')!, /one or both ends sent FIN/);
});

test('every session end reason gives its class and closing side; app incomplete gives unanswered / the RST side', async () => {
  const ds = await loadDataset([F('reasons.log')]);
  assert.deepEqual(ds.issues, []);
  const r = rows(ds);
  // client port -> [teardown, closed_by] (client = orig, server = resp)
  const want: Record<number, [string, string]> = {
    41000: ['graceful', 'none'], 41001: ['abort', 'orig'], 41002: ['abort', 'resp'], 41003: ['timeout', 'none'],
    41004: ['firewall-reset', 'none'], 41005: ['firewall-reset', 'none'], 41006: ['open', 'none'], 41007: ['firewall-reset', 'none'],
    41008: ['firewall-reset', 'none'], 41009: ['firewall-reset', 'none'], 41010: ['firewall-reset', 'none'], 41011: ['firewall-reset', 'none'],
    41012: ['open', 'none'], 41013: ['open', 'none'],
    41100: ['unanswered', 'none'], 41101: ['abort', 'resp'], 41102: ['abort', 'orig'],
    41200: ['open', 'none'],
  };
  assert.equal(r.length, Object.keys(want).length);
  for (const x of r) {
    assert.deepEqual([x.teardown, x.closed_by], want[x.orig_p], `client port ${x.orig_p}`);
    assert.deepEqual(x.anomalies, ['firewall-only'], `client port ${x.orig_p}`);
    assert.equal(x.orig_h, '203.0.113.7');
    assert.equal(x.resp_h, '198.51.100.250');
  }
  const fin = r.find((x) => x.orig_p === 41000)!;
  assert.equal(fin.duration, 20, 'Elapsed Time');
  assert.equal(fin.fw_bytes, 4000, 'Bytes: both ways');
  assert.equal(fin.ts, utc(2024, 3, 5, 10, 0, 10), 'no start log: the end time minus the elapsed time');
  assert.equal(r.find((x) => x.orig_p === 41100)!.firewall[0]!.reason, 'aged-out (incomplete)');
  assert.equal(r.find((x) => x.orig_p === 41200)!.firewall[0]!.reason, 'made-up-reason', 'an unknown reason is kept as written');
});

test('start and end join by session id; NAT on either side; IPv6; quoted fields with commas and quotes', async () => {
  const { events, issues } = await readSyslog(F('nat-v6.log'));
  assert.deepEqual(issues, []);
  assert.deepEqual(events.map((e) => e.kind), ['built', 'teardown', 'teardown', 'built', 'teardown']);
  const [start, snat, dnat, v6] = [events[0]!, events[1]!, events[2]!, events[4]!];
  assert.equal(start.connId, 70001);
  assert.equal(snat.connId, 70001);
  assert.deepEqual(snat.src, { addr: '198.51.100.20', port: 52311, mappedAddr: '192.0.2.1', mappedPort: 30211, iface: 'ethernet1/2' });
  assert.deepEqual(snat.dst, { addr: '203.0.113.80', port: 443, iface: 'ethernet1/1' }, 'NAT fields repeating the destination are no translation');
  assert.equal(snat.acl, 'allow "web", outbound', 'a quoted rule name with a comma and a doubled quote');
  assert.equal(snat.initiator, 'src');
  assert.equal(snat.proto, 'tcp');
  assert.equal(snat.vendor, 'PAN-OS');
  assert.equal(snat.host, 'PA-3220-edge');
  assert.equal(snat.tcpFlags, undefined, 'the Flags field (0x40001c) is a session bitmask, not TCP flags');
  assert.match(snat.text, /^1,2024\/03\/05 11:00:43,013201001234,TRAFFIC,end,/, 'the message from field 0 on');
  assert.deepEqual(dnat.dst, { addr: '192.0.2.10', port: 443, mappedAddr: '198.51.100.250', mappedPort: 443, iface: 'ethernet1/3' });
  assert.equal(dnat.src!.mappedAddr, undefined, '0.0.0.0: no source NAT');
  assert.deepEqual(v6.src, { addr: '2001:db8:1::20', port: 50000, iface: 'ethernet1/2' }, ':: is no NAT');
  assert.equal(v6.dst!.addr, '2001:db8:2::80');

  const ds = await loadDataset([F('nat-v6.log')]);
  const r = rows(ds);
  assert.equal(r.length, 3);
  const out = r.find((x) => x.orig_p === 52311)!;
  assert.deepEqual([out.teardown, out.closed_by, out.duration, out.fw_bytes, out.firewall.length], ['graceful', 'none', 42, 91234, 2]);
  assert.equal(out.ts, utc(2024, 3, 5, 11, 0, 0));
  const inb = r.find((x) => x.orig_p === 40400)!;
  assert.deepEqual([inb.orig_h, inb.resp_h, inb.teardown, inb.closed_by], ['203.0.113.9', '192.0.2.10', 'abort', 'resp']);
  const six = r.find((x) => x.orig_h === '2001:db8:1::20')!;
  assert.deepEqual([six.resp_h, six.teardown, six.closed_by, six.firewall.length], ['2001:db8:2::80', 'abort', 'orig', 2]);
});

test('a start log written again when App-ID changes the app keeps the session start and makes no second connection', async (t) => {
  const [start, end] = lines('nat-v6.log');
  // the same session's start log at 11:00:07 (generated time), its Start Time still 11:00:00
  const again = start!.replace('Mar  5 11:00:00', 'Mar  5 11:00:07').replace(',2024/03/05 11:00:00,198.51.100.20,', ',2024/03/05 11:00:07,198.51.100.20,').replace(',incomplete,', ',ssl,');
  assert.notEqual(again, start);
  const log = join(tmp(t), 'panos.log');
  writeFileSync(log, [start, again, end].join('\n') + '\n');
  const { events } = await readSyslog(log);
  assert.deepEqual(events.map((e) => [e.kind, e.ts]), [['built', utc(2024, 3, 5, 11, 0, 0)], ['built', utc(2024, 3, 5, 11, 0, 0)], ['teardown', utc(2024, 3, 5, 11, 0, 42)]]);
  const r = rows(await loadDataset([log]));
  assert.equal(r.length, 1);
  assert.equal(r[0]!.ts, utc(2024, 3, 5, 11, 0, 0));
  assert.equal(r[0]!.firewall.length, 3);
});

test('drop and deny logs are denies by policy: a SYN retried is one denied row; IPv6', async () => {
  const ds = await loadDataset([F('deny.log')]);
  assert.deepEqual(ds.issues, []);
  const r = rows(ds);
  assert.equal(r.length, 2);
  const rdp = r.find((x) => x.resp_p === 3389)!;
  assert.deepEqual([rdp.orig_h, rdp.orig_p, rdp.teardown, rdp.firewall.length], ['203.0.113.66', 51515, 'denied', 3]);
  const p2p = r.find((x) => x.resp_p === 6881)!;
  assert.deepEqual([p2p.orig_h, p2p.resp_h, p2p.teardown], ['2001:db8:5::7', '2001:db8:2::80', 'denied']);
  const ev = ds.firewallOf(r.indexOf(rdp));
  assert.ok(ev.every((e) => e.kind === 'deny' && e.acl === 'interzone-default' && e.aclAction === 'denied'));
});

test('THREAT resets attach to their session (before, between, after its logs) and never make a connection', async () => {
  const ds = await loadDataset([F('threat-reset.log')]);
  assert.deepEqual(ds.issues, []);
  const r = rows(ds);
  assert.deepEqual(r.map((x) => x.orig_p).sort(), [40500, 40501, 40502, 40600], 'no row for the notes of sessions 90004/90005');
  const kinds = (p: number): string[] => ds.firewallOf(r.findIndex((x) => x.orig_p === p)).map((e) => `${e.kind}${e.reason ? ':' + e.reason : ''}`);
  assert.deepEqual(kinds(40500), ['other:reset-both', 'teardown:threat'], 'end log only: the THREAT line came first');
  assert.deepEqual(kinds(40501), ['built', 'other:reset-server', 'teardown:threat']);
  assert.deepEqual(kinds(40502), ['other:reset-client', 'teardown:threat'], 'forwarded after the end log, generated before it');
  assert.deepEqual(kinds(40600), ['teardown:tcp-fin'], 'session id 90001 again an hour later: not the earlier reset\'s');
  for (const p of [40500, 40501, 40502]) assert.equal(r.find((x) => x.orig_p === p)!.teardown, 'firewall-reset');
  assert.equal(r.find((x) => x.orig_p === 40600)!.teardown, 'graceful');
  const { events } = await readSyslog(F('threat-reset.log'));
  assert.deepEqual(events.map((e) => e.severity), [2, 6, 6, 3, 6, 6, 4, 5, 2, 6], 'THREAT severity as syslog severity');
  const alert = events[7]!;
  assert.deepEqual([alert.kind, alert.connId, alert.src], ['other', undefined, undefined], 'an alert is no reset: no note');
});

test('PAN-OS 8.1, 9.1, 10.1 and 11.x layouts, with and without field 0, in BSD and RFC 5424 envelopes, read alike', async () => {
  const { events, issues, counts } = await readSyslog(F('layouts.log'));
  assert.deepEqual(issues, []);
  assert.equal(counts.get(0), 5, 'every line kept (PAN-OS has no message ids)');
  const ends = events.filter((e) => e.kind === 'teardown');
  assert.equal(ends.length, 4);
  ends.forEach((e, i) => {
    assert.equal(e.connId, 95001 + i);
    assert.deepEqual([e.src!.addr, e.src!.port, e.dst!.addr, e.dst!.port], ['203.0.113.21', 43001 + i, '198.51.100.250', 22]);
    assert.deepEqual([e.reason, e.duration, e.bytes], ['tcp-fin', 30, 9001 + i]);
    assert.equal(e.ts, utc(2024, 3, 5, 15, i, 30), 'the generated time, not the receive time or the header\'s');
    assert.equal(e.tsSource, 'firewall');
  });
  assert.deepEqual(ends.map((e) => e.host), ['PA-3220-edge', 'PA-3220-edge', 'PA-3220-edge', 'logrelay01'], 'Device Name, else the header host');
  assert.match(ends[2]!.text, /^2024\/03\/05 15:02:31,/, 'no field 0: the message starts at the receive time');
  assert.equal(events[4]!.kind, 'other');
  assert.match(events[4]!.text, /,SYSTEM,general,/);
});

test('the generated time is a wall clock: --tz applies', async () => {
  const utcTs = (await readSyslog(F('seed-fin.log'))).events.map((e) => e.ts);
  const cest = (await readSyslog(F('seed-fin.log'), { tz: '+02:00' })).events.map((e) => e.ts);
  assert.deepEqual(cest, utcTs.map((x) => x - 7200));
  assert.equal(utcTs[1], utc(2018, 6, 20, 12, 0, 50));
});

test('a malformed line is reported with file:line and the rest is read', async () => {
  const ds = await loadDataset([F('malformed.log')]);
  const bad = ds.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => i.line), [2, 3, 4, 5, 6]);
  assert.ok(bad.every((i) => i.file === F('malformed.log') && i.message.startsWith('PAN-OS: TRAFFIC end: ')));
  assert.match(bad[0]!.message, /21 fields/);
  assert.match(bad[1]!.message, /'203\.0\.113\.300' is no IP address/);
  assert.match(bad[2]!.message, /'44x02' is no port/);
  assert.match(bad[3]!.message, /quoted field 11 is not closed/);
  assert.match(bad[4]!.message, /generated time '2024\/13\/05 16:00:02'/);
  assert.equal(ds.issues.find((i) => i.code === 'non-asa-lines')!.line, 7);
  assert.deepEqual(rows(ds).map((x) => x.orig_p), [44001, 44003]);
});

test('the seed\'s close on PAN-OS: tcp-fin gives a graceful connection, and the unlogged late RST is not invented', async () => {
  const ds = await loadDataset([F('seed-fin.log')]);
  assert.deepEqual(ds.issues, []);
  const r = rows(ds);
  assert.equal(r.length, 2);
  const problem = r.find((x) => x.orig_p === 43918)!;
  assert.deepEqual([problem.orig_h, problem.resp_h, problem.resp_p], ['203.0.113.147', '198.51.100.250', 443]);
  assert.equal(problem.teardown, 'graceful');
  assert.equal(problem.closed_by, 'none', 'tcp-fin does not say which end closed');
  assert.deepEqual(problem.anomalies, ['firewall-only'], 'no late-rst, no rst-denied: PAN-OS did not log the dropped RST');
  assert.equal(problem.ts, utc(2018, 6, 20, 11, 58, 45));
  assert.deepEqual([problem.duration, problem.fw_bytes, problem.firewall.length], [125, 107244, 2]);
  const ref = r.find((x) => x.orig_p === 3954)!;
  assert.deepEqual([ref.teardown, ref.anomalies, ref.ts], ['graceful', ['firewall-only'], utc(2018, 6, 20, 14, 22, 35)]);
});

test('PAN-OS and ASA lines in one file: each read by its reader, the ASA seed still late-rst', async (t) => {
  const asa = readFileSync(fixture('logs/seed-asa.log'), 'utf8').split('\n').filter(Boolean);
  const pan = lines('nat-v6.log');
  const log = join(tmp(t), 'mixed.log');
  writeFileSync(log, [asa[0], pan[0], asa[1], pan[1], asa[2], ...pan.slice(2), ...asa.slice(3)].join('\n') + '\n');
  const ds = await loadDataset([log]);
  assert.deepEqual(ds.issues, []);
  const r = rows(ds);
  assert.equal(r.length, 5);
  assert.deepEqual([...r.find((x) => x.orig_p === 43918)!.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  assert.equal(r.find((x) => x.orig_p === 52311)!.teardown, 'graceful');
});

test('parsePanos: CSV quoting, tag, and lines that are no PAN-OS log', () => {
  const end = lines('seed-fin.log')[1]!;
  assert.ok(PANOS_READER.tag.test(end));
  assert.ok(ANY_FIREWALL_TAG.test(end));
  assert.equal(parsePanos('Mar  5 10:00:00 host sshd[1]: Accepted publickey for root from 192.0.2.1'), null);
  assert.equal(parsePanos('2024/03/05 10:00:00,abc,NOTATYPE,end,1,2'), null, 'a receive time without a PAN-OS log type');
  assert.equal(parsePanos('x,2024/03/05 10:00:00,abc'), null);
  // a quoted field with commas and doubled quotes before the fields read: positions hold
  const q = end.replace(',allow-web,', ',"rule, ""one""",');
  const f = parsePanos(q);
  assert.ok(f && !('error' in f));
  assert.equal(f.fields.acl, 'rule, "one"');
  assert.equal(f.fields.connId, 47772320);
  assert.equal(f.fields.reason, 'tcp-fin');
  assert.equal(f.device, 'PA-3220-edge');
  assert.deepEqual(f.stamp, { y: 2018, mo: 5, d: 20, h: 12, mi: 0, s: 50, us: 0 });
  // more trailing fields than any release writes today: tolerated
  const more = parsePanos(end + ',x,y,z'.repeat(40));
  assert.ok(more && !('error' in more) && more.fields.kind === 'teardown');
  // a control character in a field is not shown
  const ctl = parsePanos(end.replace('allow-web', 'allow\u001b[2Jweb'));
  assert.ok(ctl && !('error' in ctl) && !ctl.body.includes('\u001b'));
});

test('generatePanosLog: deterministic, every line read without an issue, every class present', async (t) => {
  const a = generatePanosLog(3000, 5);
  assert.equal(a, generatePanosLog(3000, 5));
  assert.notEqual(a, generatePanosLog(3000, 6));
  assert.equal(a.split('\n').length - 1, 3000);
  const log = join(tmp(t), 'gen.log');
  writeFileSync(log, a);
  const { events, issues } = await readSyslog(log);
  assert.deepEqual(issues, []);
  assert.equal(events.length, 3000);
  const reasons = new Set(events.filter((e) => e.kind === 'teardown').map((e) => e.reason));
  for (const r of ['tcp-fin', 'tcp-rst-from-client', 'tcp-rst-from-server', 'aged-out', 'aged-out (incomplete)', 'threat', 'policy-deny']) assert.ok(reasons.has(r), r);
  const classes = new Set(rows(await loadDataset([log])).map((x) => x.teardown));
  for (const c of ['graceful', 'abort', 'timeout', 'unanswered', 'firewall-reset', 'denied']) assert.ok(classes.has(c), c);
});
