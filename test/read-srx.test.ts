/**
 * Juniper SRX RT_FLOW session logs (src/read/srx.ts): both message forms, every close reason with
 * its class and closing side, NAT, IPv4 and IPv6, damage reported as FILE:LINE with the rest read,
 * the seed's situation as an SRX logs it (with and without the captures), the generator.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { parseSyslogText } from '../src/read/syslog.js';
import { parseSrxLine } from '../src/read/srx.js';
import { SRX_REASONS } from '../src/read/srx-reasons.js';
import { reasonClassFor, reasonMeaningFor } from '../src/read/fw-reasons.js';
import { TEARDOWNS } from '../src/model.js';
import type { FwEvent } from '../src/read/asa.js';
import { generateSrxLog } from '../bench/gen-srx.js';
import { fixture } from './helpers.js';

const rows = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
const read = (rel: string, year?: number) => parseSyslogText(readFileSync(fixture(rel), 'utf8'), rel, year === undefined ? {} : { year });

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-srx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the close reasons: every class exists; the ones the issue names have their class and closing side, looked up by the vendor', () => {
  for (const [k, r] of Object.entries(SRX_REASONS)) {
    assert.ok((TEARDOWNS as readonly string[]).includes(r.teardown), `${k}: ${r.teardown}`);
    assert.ok(['client', 'server', 'none'].includes(r.side), `${k}: ${r.side}`);
    assert.ok(r.meaning.length > 20, k);
  }
  const cls = (raw: string): string | undefined => {
    const c = reasonClassFor('SRX', raw);
    return c && `${c.teardown}/${c.side}`;
  };
  assert.equal(cls('TCP FIN'), 'graceful/none');
  assert.equal(cls('TCP RST'), 'abort/none');
  assert.equal(cls('TCP CLIENT RST'), 'abort/client');
  assert.equal(cls('TCP SERVER RST'), 'abort/server');
  assert.equal(cls('idle Timeout'), 'timeout/none');
  assert.equal(cls('IDLE TIMEOUT'), 'timeout/none', 'case does not matter');
  assert.equal(cls('aged out'), 'timeout/none');
  assert.equal(cls('response received'), 'graceful/none');
  assert.equal(cls('ICMP error'), 'abort/none');
  assert.equal(cls('application failure or action'), 'firewall-reset/none');
  assert.equal(cls('Closed by junos-alg'), 'firewall-reset/none');
  assert.equal(cls('Closed by junos-dynapp'), 'firewall-reset/none');
  assert.equal(cls('policy delete'), 'firewall-reset/none');
  assert.equal(cls('clear session'), 'firewall-reset/none');
  assert.equal(cls('Closed by junos-tcp-clt'), 'open/none');
  assert.equal(cls('unset'), 'open/none');
  assert.equal(cls('Made-up reason'), undefined);
  assert.equal(reasonClassFor('ASA', 'TCP CLIENT RST'), undefined, 'an SRX spelling means nothing to the ASA table');
  assert.match(reasonMeaningFor('SRX', 'TCP FIN')!, /not logged/);
});

test('structured form: CREATE / CLOSE / DENY under any junos@ id, time and host from the RFC 5424 header, NAT, zones, IPv6, _LS', () => {
  const r = read('logs/srx/structured.log');
  assert.deepEqual(r.issues, []);
  assert.equal(r.nonAsaLines, 0);
  const ev = r.events;
  assert.deepEqual(ev.map((e) => e.kind), ['built', 'teardown', 'built', 'teardown', 'built', 'teardown', 'deny', 'deny', 'built', 'teardown', 'other']);
  assert.ok(ev.every((e) => e.vendor === 'SRX' && e.host === 'srx-edge1' && e.tsSource === 'firewall' && e.severity === 6 && e.msgid === 0));
  const [c1, d1, c2, d2, c3, d3, deny4, deny6, , udp] = ev as [FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent];
  assert.equal(c1.ts, Date.UTC(2024, 2, 5, 10, 0, 0) / 1000 + 0.12);
  assert.equal(c2.ts, Date.UTC(2024, 2, 5, 9, 1, 0) / 1000, '+01:00 in the header');
  // source NAT: the client's public address is its mapped one
  assert.deepEqual(c1.src, { addr: '192.0.2.10', port: 50001, mappedAddr: '198.51.100.1', mappedPort: 61001, iface: 'trust' });
  assert.deepEqual(c1.dst, { addr: '203.0.113.5', port: 443, iface: 'untrust' });
  assert.deepEqual([c1.connId, c1.proto, c1.acl, c1.iface, c1.initiator], [1001, 'tcp', 'allow-web', 'ge-0/0/1.0', 'src']);
  assert.match(c1.text, /^RT_FLOW_SESSION_CREATE \[junos@2636\.1\.1\.1\.2\.26 source-address="192\.0\.2\.10"/);
  assert.deepEqual([d1.connId, d1.reason, d1.duration, d1.bytes], [1001, 'TCP CLIENT RST', 12, 4600]);
  // destination NAT: the server's translated address is the destination's mapped one
  assert.deepEqual(c2.dst, { addr: '203.0.113.80', port: 443, mappedAddr: '192.0.2.80', mappedPort: 8443, iface: 'dmz' });
  assert.equal(c2.src!.mappedAddr, undefined, 'no source NAT: no mapped source');
  assert.deepEqual([d2.reason, d2.duration, d2.bytes], ['TCP SERVER RST', 3, 697]);
  assert.deepEqual([c3.src!.addr, c3.dst!.addr, c3.connId, d3.connId, d3.reason], ['2001:db8:1::10', '2001:db8:2::443', 1003, 1003, 'TCP FIN']);
  assert.deepEqual([deny4.src, deny4.dst, deny4.proto, deny4.acl, deny4.iface, deny4.connId, deny4.reason],
    [{ addr: '198.51.100.99', port: 51515, iface: 'untrust' }, { addr: '203.0.113.5', port: 22, iface: 'trust' }, 'tcp', 'deny-ssh', 'ge-0/0/0.0', undefined, undefined]);
  assert.deepEqual([deny6.src!.addr, deny6.proto, deny6.acl], ['2001:db8:9::99', 'udp', 'deny-dns']);
  assert.deepEqual([udp.proto, udp.reason, udp.bytes, udp.duration], ['udp', 'unset', 208, 60]);
});

test('plain form: the 12.1X44+ layout and the older one, IPv6, DENY in both layouts, ICMP', () => {
  const r = read('logs/srx/plain.log', 2024);
  assert.deepEqual(r.issues, []);
  const ev = r.events;
  assert.deepEqual(ev.map((e) => e.kind), ['built', 'teardown', 'built', 'teardown', 'built', 'teardown', 'deny', 'deny', 'built', 'teardown']);
  assert.ok(ev.every((e) => e.host === 'srx-br2'));
  const [c1, d1, c2, d2, c3, d3, deny1, deny2, c4, d4] = ev as FwEvent[] as [FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent, FwEvent];
  assert.equal(c1.ts, Date.UTC(2024, 2, 5, 11, 0, 0) / 1000);
  assert.deepEqual(c1.src, { addr: '192.0.2.30', port: 52000, mappedAddr: '198.51.100.2', mappedPort: 40123, iface: 'trust' });
  assert.deepEqual([c1.connId, c1.acl, c1.iface, c1.proto], [2001, 'trust-to-untrust', 'ge-0/0/1.0', 'tcp']);
  assert.deepEqual([d1.connId, d1.reason, d1.bytes, d1.duration, d1.iface, d1.dst!.iface], [2001, 'TCP FIN', 50560, 9, 'ge-0/0/1.0', 'untrust']);
  // older layout: no connection tags, rule names without types
  assert.deepEqual(c2.dst, { addr: '203.0.113.25', port: 25, mappedAddr: '192.0.2.25', mappedPort: 25, iface: 'dmz' });
  assert.deepEqual([c2.connId, c2.acl, c2.iface], [2002, 'mail-in', 'ge-0/0/0.0']);
  assert.deepEqual([d2.reason, d2.bytes, d2.duration, d2.iface], ['TCP RST', 710, 4, 'ge-0/0/0.0']);
  assert.deepEqual([c3.src!.addr, c3.dst!.addr, d3.reason, d3.duration, d3.bytes], ['2001:db8:1::30', '2001:db8:2::22', 'idle Timeout', 1810, 9200]);
  assert.deepEqual([deny1.src!.addr, deny1.dst!.port, deny1.proto, deny1.acl, deny1.iface], ['198.51.100.99', 3389, 'tcp', 'deny-rdp', 'ge-0/0/0.0']);
  assert.deepEqual([deny2.src!.port, deny2.dst!.port, deny2.acl, deny2.src!.iface, deny2.iface], [3333, 23, 'default-deny', 'untrust', undefined]);
  assert.deepEqual([c4.proto, d4.proto, d4.reason, d4.bytes], ['icmp', 'icmp', 'response received', 168]);
});

test('structured values: RFC 5424 escapes, unknown keys skipped, an unquoted or typographic-quoted value tolerated; the PRI gives the severity', () => {
  const line = '<12>1 2024-03-05T10:00:00Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.26 reason="TCP FIN" note="a \\"quoted\\] word" ' +
    'source-address="192.0.2.1" source-port="1" destination-address="192.0.2.2" destination-port="2" policy-name="p\\\\1" protocol-id="6" ' +
    'session-id-32="7" destination-interface-name=\u201dst0.0\u201d elapsed-time=5]';
  const r = parseSrxLine(line);
  assert.ok(r !== null && !('error' in r));
  assert.equal(r.severity, 4);
  assert.equal(line.slice(r.at, r.at + 21), 'RT_FLOW_SESSION_CLOSE');
  assert.deepEqual([r.fields.reason, r.fields.acl, r.fields.connId, r.fields.duration], ['TCP FIN', 'p\\1', 7, 5]);
});

test('a mention of a message name is no message; an RFC 5424 MSGID before a plain message is passed over to the message', () => {
  assert.equal(parseSrxLine("<13>Mar  5 11:00:05 fw mgd[1]: UI_CMDLINE_READ_LINE: User 'a', command 'show log | match RT_FLOW_SESSION_CLOSE '"), null);
  assert.equal(parseSrxLine('nothing here'), null);
  const r = parseSrxLine('<14>1 2024-03-05T10:00:00Z fw RT_FLOW - RT_FLOW_SESSION_DENY - RT_FLOW_SESSION_DENY: session denied 192.0.2.1/1->192.0.2.2/22 None 6(0) p a b');
  assert.ok(r !== null && !('error' in r));
  assert.deepEqual([r.fields.kind, r.fields.dst!.port, r.fields.acl], ['deny', 22, 'p']);
  const bad = parseSrxLine('<14>Mar  5 11:00:00 fw RT_FLOW: RT_FLOW_SESSION_CLOSE: session created 192.0.2.1/1->192.0.2.2/22');
  assert.ok(bad !== null && 'error' in bad && /expected "session closed"/.test(bad.error), JSON.stringify(bad));
});

test('a malformed line is reported as FILE:LINE and the rest is read: the good CREATE and CLOSE still join', async () => {
  const path = fixture('logs/srx/malformed.log');
  const ds = await loadDataset([path], { year: 2024 });
  const bad = ds.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => i.line), [2, 3, 4, 7]);
  assert.ok(bad.every((i) => i.file === path && i.message.startsWith('SRX: RT_FLOW_SESSION_')), JSON.stringify(bad));
  assert.match(bad[0]!.message, /"192\.0\.2\.300" is not an IP address/);
  const other = ds.issues.find((i) => i.code === 'non-asa-lines')!;
  assert.equal(other.line, 5);
  assert.match(other.message, /^2 line/);
  const r = rows(ds);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0]!.orig_p, r[0]!.teardown, r[0]!.firewall.length], [52000, 'graceful', 2]);
});

test('every close reason: CREATE and CLOSE join by session-id-32 and the connection gets the reason\'s class and closing side', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'reasons.log');
  const reasons = [...Object.keys(SRX_REASONS), 'Made-up reason'];
  const lines: string[] = [];
  reasons.forEach((reason, k) => {
    const kv = `source-address="192.0.2.${1 + (k % 200)}" source-port="${40000 + k}" destination-address="203.0.113.5" destination-port="443" ` +
      `nat-source-address="198.51.100.1" nat-source-port="${20000 + k}" nat-destination-address="203.0.113.5" nat-destination-port="443" ` +
      `protocol-id="6" policy-name="p" source-zone-name="trust" destination-zone-name="untrust" session-id-32="${900 + k}"`;
    const s = Date.UTC(2024, 2, 5, 10, k) / 1000;
    // the CLOSEs come in reverse order of the CREATEs: only the session id can join them
    lines[k] = `<14>1 ${new Date(s * 1000).toISOString()} srx1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.26 ${kv}]`;
    lines[2 * reasons.length - 1 - k] = `<14>1 ${new Date((s + 3600) * 1000).toISOString()} srx1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.26 reason="${reason}" ${kv} elapsed-time="${3600 + k}"]`;
  });
  writeFileSync(log, lines.join('\n') + '\n');
  const ds = await loadDataset([log]);
  assert.deepEqual(ds.issues, []);
  const r = rows(ds);
  assert.equal(r.length, reasons.length);
  const SIDE = { client: 'orig', server: 'resp', none: 'none' } as const;
  for (const row of r) {
    const k = row.orig_p! - 40000;
    const reason = reasons[k]!;
    assert.equal(row.firewall.length, 2, reason);
    assert.equal(row.firewall[1]!.reason, reason);
    const want = SRX_REASONS[reason];
    assert.equal(row.teardown, want?.teardown ?? 'open', reason);
    assert.equal(row.closed_by, SIDE[want?.side as keyof typeof SIDE] ?? 'none', reason);
    assert.equal(row.ts, Date.UTC(2024, 2, 5, 10, k) / 1000, 'ts is the CREATE time');
  }
  const by = (reason: string): FlowRecord => r.find((x) => x.orig_p === 40000 + reasons.indexOf(reason))!;
  assert.deepEqual([by('TCP CLIENT RST').teardown, by('TCP CLIENT RST').closed_by], ['abort', 'orig']);
  assert.deepEqual([by('TCP SERVER RST').teardown, by('TCP SERVER RST').closed_by], ['abort', 'resp']);
  assert.equal(by('idle Timeout').teardown, 'timeout');
  assert.equal(by('TCP FIN').teardown, 'graceful');
  assert.equal(by('synproxy failure').teardown, 'unanswered');
  assert.equal(by('Closed by junos-alg').teardown, 'firewall-reset');
});

test('the seed on an SRX: the log alone tells a FIN close and no more; beside the captures the late RST and its drop show', async () => {
  const log = fixture('logs/srx/seed-srx.log');
  const alone = rows(await loadDataset([log]));
  assert.equal(alone.length, 2);
  const p = alone.find((x) => x.orig_p === 43918)!;
  assert.deepEqual([p.teardown, p.closed_by, p.duration, p.fw_bytes], ['graceful', 'none', 125, 107244]);
  // the SRX does not log the dropped RST: from its log alone no late-rst / rst-denied can be told
  assert.deepEqual(p.anomalies, ['firewall-only']);

  const inside = fixture('text/seed-inside.txt'), outside = fixture('text/seed-outside.txt'), clean = fixture('text/seed-clean.txt');
  const names = new Map([[inside, 'inside'], [outside, 'outside'], [clean, 'clean']]);
  const ds = await loadDataset([inside, outside, log, clean], { names });
  const r = rows(ds);
  assert.equal(r.length, 2);
  const problem = r.find((x) => x.orig_p === 43918)!;
  assert.equal(problem.teardown, 'fin-then-rst');
  assert.equal(problem.closed_by, 'resp');
  assert.deepEqual([...problem.anomalies].sort(), ['dropped-between-vantages', 'late-rst', 'rst-after-fin']);
  assert.deepEqual(problem.firewall.map((e) => e.reason), [null, 'TCP FIN']);
  assert.deepEqual(ds.firewallOf(r.indexOf(problem)).map((e) => [e.vendor, e.host, e.kind]), [['SRX', 'srx1', 'built'], ['SRX', 'srx1', 'teardown']]);
  const ref = r.find((x) => x.orig_p === 3954)!;
  assert.deepEqual([ref.teardown, ref.anomalies], ['graceful', []]);
});

test('an SRX log and an ASA log in one run: each connection keeps its own firewall and device', async () => {
  const ds = await loadDataset([fixture('logs/seed-asa.log'), fixture('logs/srx/structured.log')]);
  const r = rows(ds);
  const vendors = r.map((_, i) => ds.firewallOf(i).map((e) => `${e.vendor}@${e.host}`)[0]);
  assert.equal(vendors.filter((v) => v === 'ASA@172.17.70.1').length, 2);
  assert.equal(vendors.filter((v) => v === 'SRX@srx-edge1').length, 4);
  assert.deepEqual(r.find((x) => x.orig_p === 43918)!.anomalies.slice().sort(), ['firewall-only', 'late-rst', 'rst-denied']);
});

test('the generator: the same text for the same seed, every close reason, read without an issue, CREATE and CLOSE joined', async (t) => {
  const a = generateSrxLog(3000, 1);
  assert.equal(a, generateSrxLog(3000, 1));
  assert.notEqual(a, generateSrxLog(3000, 2));
  assert.equal(a.split('\n').length, 3001);
  const res = parseSyslogText(a, 'gen.log', { year: 2024 });
  assert.deepEqual(res.issues, []);
  assert.equal(res.events.length, 3000);
  assert.deepEqual(new Set(res.events.map((e) => e.reason).filter((x) => x !== undefined)), new Set(Object.keys(SRX_REASONS)));
  assert.ok(res.events.some((e) => e.kind === 'deny') && res.events.some((e) => e.src?.addr.includes(':')));
  const dir = tmp(t);
  writeFileSync(join(dir, 'gen.log'), a);
  const ds = await loadDataset([join(dir, 'gen.log')], { year: 2024 });
  const r = rows(ds).filter((x) => x.teardown !== 'denied');
  const closes = res.events.filter((e) => e.kind === 'teardown' && e.proto === 'tcp').length;
  assert.equal(r.filter((x) => x.firewall.length === 2 && x.firewall[1]!.reason !== null).length, closes, 'every TCP CLOSE joined to its CREATE');
});
