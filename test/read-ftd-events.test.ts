/**
 * Cisco FTD connection events 430002 / 430003 (src/read/ftd-events.ts, reached through the ASA
 * family's parseAsaBody): every form of fixtures/logs/ftd/, NAT, IPv4 and IPv6, denials by
 * policy, malformed lines, the seed's situation from the log alone, and the generator.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { parseAsaBody, parseAsaBodySlow, type FwEvent } from '../src/read/asa.js';
import { ftdPairs, parseFtdEvent } from '../src/read/ftd-events.js';
import { reasonClassFor } from '../src/read/fw-reasons.js';
import { parseSyslogText, readSyslog } from '../src/read/syslog.js';
import { generateFtdLog } from '../bench/gen-ftd.js';
import { fixture } from './helpers.js';

const utc = (h: number, mi: number, s: number): number => Date.UTC(2020, 5, 23, h, mi, s) / 1000;

test('every form of fixtures/logs/ftd/events.log: start, end, denials, NAT, IPv6, UDP, ICMP, RFC 5424', async () => {
  const r = await readSyslog(fixture('logs/ftd/events.log'));
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 11);
  assert.ok(r.events.every((e) => e.vendor === 'FTD' && e.host === 'ftd1' && e.initiator === 'src'));
  assert.deepEqual([...r.counts.entries()].sort(), [[430002, 4], [430003, 7]]);
  const ev = (line: number): FwEvent => r.events.find((e) => e.line === line)!;
  // connection start and end of one connection, outbound with source NAT
  let e = ev(1);
  assert.deepEqual([e.kind, e.connId, e.proto, e.severity, e.ts], ['built', 1001, 'tcp', 1, utc(10, 25, 38)]);
  assert.deepEqual(e.src, { addr: '192.0.2.10', port: 50000, iface: 'inside', mappedAddr: '198.51.100.5', mappedPort: 61000 });
  assert.deepEqual(e.dst, { addr: '203.0.113.50', port: 443, iface: 'outside', mappedAddr: '203.0.113.50', mappedPort: 443 });
  assert.deepEqual([e.duration, e.bytes, e.reason], [undefined, undefined, undefined], 'a start has no duration or total yet');
  e = ev(2);
  assert.deepEqual([e.kind, e.connId, e.duration, e.bytes, e.reason], ['teardown', 1001, 5, 21000, undefined]);
  assert.equal(e.ts - e.duration!, ev(1).ts, 'the end is its duration after the start');
  assert.equal(e.src!.mappedPort, 61000);
  // Trust over IPv6 (lower case), no NAT
  e = ev(3);
  assert.deepEqual([e.kind, e.connId, e.src!.addr, e.dst!.addr, e.dst!.port, e.duration, e.bytes], ['teardown', 1002, '2001:db8:1::20', '2001:db8:2::80', 22, 360, 120000]);
  assert.equal(e.src!.mappedAddr, undefined);
  // Block and Block with reset: denials by policy, the action as their reason
  assert.deepEqual([ev(4).kind, ev(4).reason, ev(4).dst!.port], ['deny', 'Block', 3389]);
  assert.deepEqual([ev(5).kind, ev(5).reason, ev(5).dst!.iface], ['deny', 'Block with reset', 'dmz']);
  assert.deepEqual([ev(6).kind, ev(6).proto, ev(6).dst!.port, ev(6).bytes], ['teardown', 'udp', 53, 240]);
  e = ev(7);
  assert.deepEqual([e.kind, e.proto, e.src!.port, e.dst!.port], ['built', 'icmp', undefined, undefined]);
  // a user agent holding ", " does not cut the pairs after it
  e = ev(8);
  assert.deepEqual([e.kind, e.duration, e.bytes, e.src!.mappedAddr, e.src!.mappedPort, e.dst!.mappedAddr], ['teardown', 1, 1049, '198.51.100.5', 61001, '203.0.113.90']);
  assert.match(e.text, /\(KHTML, like Gecko\)/);
  assert.deepEqual([ev(9).kind, ev(9).reason], ['deny', 'Interactive Block with reset']);
  assert.deepEqual([ev(10).kind, ev(10).connId, ev(10).bytes], ['teardown', 1009, 6700], 'Fastpath is a connection like Allow');
  e = ev(11);
  assert.deepEqual([e.kind, e.connId, e.ts, e.tsSource], ['built', 1010, utc(10, 27, 20), 'firewall']);
});

test('both body paths read 430002/430003 alike, and an FTD end has no reason class', () => {
  const body = 'EventPriority: Low, InstanceID: 1, ConnectionID: 7, AccessControlRuleAction: Allow, SrcIP: 198.51.100.1, DstIP: 203.0.113.5, SrcPort: 50000, DstPort: 443, Protocol: tcp, ConnectionDuration: 5, InitiatorBytes: 1000, ResponderBytes: 20000';
  const fast = parseAsaBody(430003, body);
  assert.deepEqual(parseAsaBodySlow(430003, body), fast);
  assert.deepEqual(fast, parseFtdEvent(430003, body));
  assert.equal((fast as { kind: string }).kind, 'teardown');
  // (430003 says nothing of FIN, RST or a timeout)
  assert.equal(reasonClassFor('FTD', 'Block with reset'), undefined);
});

test('pairs: keys out of FTD\'s order, an empty action, a key at the start, no pair list at all', () => {
  const shuffled = parseFtdEvent(430002, 'Protocol: TCP, DstPort: 80, ConnectionID: 9, SrcPort: 1234, DstIP: 203.0.113.5, SrcIP: 198.51.100.1');
  assert.deepEqual(shuffled, { kind: 'built', proto: 'tcp', initiator: 'src', connId: 9, src: { addr: '198.51.100.1', port: 1234 }, dst: { addr: '203.0.113.5', port: 80 } });
  const empty = parseFtdEvent(430003, 'ConnectionID: 10, AccessControlRuleAction: , SrcIP: 198.51.100.1, DstIP: 203.0.113.5, SrcPort: 1, DstPort: 2, Protocol: udp');
  assert.deepEqual([(empty as { kind: string }).kind, (empty as { reason?: string }).reason], ['teardown', undefined]);
  const v = ftdPairs('SrcIP: 198.51.100.1, UserAgent: a, SrcIP: 10.0.0.1, DstIP: 203.0.113.5');
  assert.equal(v[2], '198.51.100.1', 'the first SrcIP');
  assert.throws(() => ftdPairs('connection started somewhere'), /no "Key: value"/);
  assert.throws(() => ftdPairs('a, b: c'), /no "Key: value"/);
});

test('malformed lines are reported with file:line and skipped, the rest is read', async () => {
  const f = fixture('logs/ftd/malformed.log');
  const r = await readSyslog(f);
  assert.deepEqual(r.events.map((e) => e.line), [1, 7]);
  const bad = r.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => i.line), [2, 3, 4, 5, 6]);
  for (const i of bad) assert.equal(i.file, f);
  const said = bad.map((i) => i.message);
  assert.match(said[0]!, /^FTD-430003: 430003 without SrcIP; line skipped$/);
  assert.match(said[1]!, /SrcIP is not an IP address: "192\.0\.2\.300"/);
  assert.match(said[2]!, /SrcPort is not a number 0-65535: "77777"/);
  assert.match(said[3]!, /^FTD-430002: no "Key: value" at "connection started somewhere"/);
  assert.match(said[4]!, /430002 without ConnectionID/);
});

test('the seed situation from the FTD log alone: rst-denied on the right connection, but no late-rst (430003 gives no reason)', async () => {
  const ds = await loadDataset([fixture('logs/ftd/seed-ftd.log')]);
  const r: FlowRecord[] = Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
  assert.equal(r.length, 2);
  const problem = r.find((x) => x.orig_p === 43918)!;
  assert.deepEqual([problem.orig_h, problem.resp_h, problem.resp_p], ['198.51.100.147', '192.0.2.80', 443]);
  assert.deepEqual([...problem.anomalies].sort(), ['firewall-only', 'rst-denied']);
  assert.deepEqual(problem.firewall.map((e) => e.msgid), [430002, 430003, 106015]);
  assert.equal(problem.ts, Date.UTC(2018, 5, 20, 11, 58, 45) / 1000, 'ts is the 430002 time');
  assert.equal(problem.duration, 125);
  assert.equal(problem.fw_bytes, 107244);
  assert.equal(problem.teardown, 'open', 'no reason: the log does not say how it ended');
  const ref = r.find((x) => x.orig_p === 3954)!;
  assert.deepEqual(ref.anomalies, ['firewall-only']);
  assert.equal(ref.fw_bytes, 10500);
});

test('the generator: exact line count, deterministic, every line read', () => {
  const a = generateFtdLog(2000, 3);
  assert.equal(a, generateFtdLog(2000, 3));
  assert.notEqual(a, generateFtdLog(2000, 4));
  assert.equal(a.split('\n').length - 1, 2000);
  const r = parseSyslogText(a, 'gen.log');
  assert.deepEqual(r.issues, []);
  const kinds = new Set(r.events.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), ['built', 'deny', 'deny-no-conn', 'teardown']);
  const ends = r.events.filter((e) => e.kind === 'teardown');
  assert.ok(ends.every((e) => e.bytes! > 0 && e.duration !== undefined));
  assert.ok(ends.some((e) => e.src!.mappedAddr !== undefined) && ends.some((e) => e.src!.addr.includes(':')));
});
