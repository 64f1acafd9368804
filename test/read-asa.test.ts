import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixture } from './helpers.js';
import { ACK, FIN, PSH, RST, SYN } from '../src/model.js';
import { parseAsaBody, type FwEvent } from '../src/read/asa.js';
import { TEARDOWN_REASONS, canonicalReason, reasonMeaning } from '../src/read/asa-reasons.js';
import { readSyslog } from '../src/read/syslog.js';

const utc = (h: number, mi: number, s: number): number => Date.UTC(2018, 5, 20, h, mi, s) / 1000;

test('the seed log: 7 lines, the problem connection and the clean reference', async () => {
  const r = await readSyslog(fixture('logs/seed-asa.log'));
  assert.deepEqual(r.issues, []);
  assert.equal(r.nonAsaLines, 0);
  assert.equal(r.events.length, 7);
  assert.deepEqual([...r.counts.entries()].sort(), [[106015, 1], [302013, 2], [302014, 2], [609001, 1], [609002, 1]]);
  const [built, down, deny] = r.events as [FwEvent, FwEvent, FwEvent];
  // The firewall's header (11:58:45) wins over the relay's (11:58:46).
  assert.equal(built.ts, utc(11, 58, 45));
  assert.equal(built.tsSource, 'firewall');
  assert.equal(built.host, '172.17.70.1');
  assert.equal(built.severity, 7);
  assert.equal(built.kind, 'built');
  assert.equal(built.direction, 'inbound');
  assert.equal(built.connId, 47772320);
  assert.deepEqual(built.src, { iface: 'OUTSIDE', addr: '203.0.113.147', port: 43918, mappedAddr: '203.0.113.147', mappedPort: 43918 });
  assert.deepEqual(built.dst, { iface: 'INSIDE', addr: '172.17.77.250', port: 443, mappedAddr: '172.17.77.250', mappedPort: 443 });
  assert.equal(down.kind, 'teardown');
  assert.equal(down.connId, 47772320);
  assert.equal(down.duration, 125);
  // built + duration = teardown time
  assert.equal(built.ts + down.duration!, down.ts);
  assert.equal(down.bytes, 107244);
  assert.equal(down.reason, 'TCP FINs');
  assert.equal(down.reasonFrom, 'INSIDE');
  assert.equal(deny.kind, 'deny-no-conn');
  assert.equal(deny.tcpFlags, RST);
  assert.equal(deny.iface, 'INSIDE');
  assert.deepEqual([deny.src!.addr, deny.src!.port, deny.dst!.addr, deny.dst!.port], ['172.17.77.250', 443, '203.0.113.147', 43918]);
  assert.equal(deny.ts, utc(12, 0, 50));
  const clean = r.events.slice(3);
  assert.deepEqual(clean.map((e) => e.kind), ['local-host-built', 'built', 'teardown', 'local-host-teardown']);
  assert.equal(clean[2]!.reason, 'TCP FINs');
  assert.equal(clean[2]!.reasonFrom, 'OUTSIDE');
  assert.equal(clean[3]!.duration, 16);
  assert.equal(clean[0]!.src!.addr, '192.0.2.167');
});

test('every message type, IPv4 and IPv6 (fixtures/logs/messages.log)', async () => {
  const r = await readSyslog(fixture('logs/messages.log'));
  assert.deepEqual(r.issues, []);
  const ev = (line: number): FwEvent => r.events.find((e) => e.line === line)!;
  assert.equal(r.events.length, 26);
  // 302013 outbound with NAT: the inside host 10.0.0.8/51000 is seen outside as 203.0.113.8/32000
  let e = ev(1);
  assert.equal(e.direction, 'outbound');
  assert.equal(e.dst!.mappedAddr, '203.0.113.8');
  assert.equal(e.dst!.mappedPort, 32000);
  // IPv6 with identity users and the trailing AAA user
  e = ev(2);
  assert.equal(e.src!.addr, '2001:db8:1::20');
  assert.equal(e.src!.user, 'LOCAL\\alice');
  assert.equal(e.dst!.iface, 'dmz');
  assert.equal(e.dst!.user, 'LOCAL\\carol');
  assert.equal(e.user, 'bob');
  e = ev(3);
  assert.deepEqual([e.duration, e.bytes, e.reason, e.reasonFrom, e.user], [3723, 123456, 'TCP Reset-O', 'outside', 'alice']);
  e = ev(4);
  assert.deepEqual([e.src!.addr, e.reason, e.reasonFrom], ['2001:db8:1::20', 'SYN Timeout', undefined]);
  e = ev(5);
  assert.equal(e.dst!.iface, 'NP Identity Ifc');
  assert.equal(ev(6).reason, 'TCP Reset-I', '"TCP Reset - I" is the same reason');
  e = ev(7);
  assert.deepEqual([e.kind, e.proto, e.connId, e.dst!.mappedPort], ['built', 'udp', 2001, 15353]);
  e = ev(8);
  assert.deepEqual([e.kind, e.proto, e.duration, e.bytes, e.reason], ['teardown', 'udp', 121, 120, undefined]);
  e = ev(9);
  assert.equal(e.tcpFlags, FIN | PSH | ACK);
  e = ev(10);
  assert.deepEqual([e.src!.addr, e.dst!.addr, e.tcpFlags, e.iface], ['2001:db8:2::80', '2001:db8:1::20', RST | ACK, 'dmz']);
  e = ev(11);
  assert.deepEqual([e.msgid, e.kind, e.tcpFlags, e.iface, e.dst!.port], [106001, 'deny', SYN, 'outside', 23]);
  e = ev(12);
  assert.deepEqual([e.kind, e.proto, e.acl, e.src!.iface, e.dst!.port, e.hashes], ['deny', 'tcp', 'outside_access_in', 'outside', 3389, ['0x51013fd8', '0x0']]);
  e = ev(13);
  assert.deepEqual([e.proto, e.src!.addr, e.src!.port, e.icmpType, e.icmpCode], ['icmp', '2001:db8:1::31', undefined, 128, 0]);
  assert.equal(ev(14).src!.user, 'LOCAL\\dave');
  e = ev(15);
  assert.deepEqual([e.kind, e.aclAction, e.hitCount, e.intervalSec, e.src!.iface, e.dst!.port], ['deny', 'denied', 1, 0, 'outside', 445]);
  e = ev(16);
  assert.deepEqual([e.kind, e.aclAction, e.hitCount, e.intervalSec, e.src!.addr, e.src!.user], ['permit', 'permitted', 12, 300, '2001:db8:1::33', 'LOCAL\\erin']);
  e = ev(17);
  assert.deepEqual([e.msgid, e.kind, e.src!.port, e.dst!.iface, e.dst!.port], [710003, 'deny', 41004, 'outside', 22]);
  e = ev(18);
  assert.deepEqual([e.dst!.addr, e.dst!.service, e.dst!.port], ['2001:db8:1::1', 'ssh', 22]);
  assert.deepEqual([ev(19).kind, ev(19).src!.iface, ev(19).src!.addr], ['local-host-built', 'inside', '10.0.0.8']);
  assert.deepEqual([ev(20).kind, ev(20).src!.addr, ev(20).duration], ['local-host-teardown', '2001:db8:2::80', 3600]);
  e = ev(21);
  assert.deepEqual([e.kind, e.natType, e.proto, e.src!.addr, e.src!.port, e.dst!.addr, e.dst!.port], ['nat-built', 'dynamic', 'tcp', '10.0.0.8', 51000, '203.0.113.8', 32000]);
  // the translation matches the connection built on line 1
  assert.deepEqual([ev(1).dst!.mappedAddr, ev(1).dst!.mappedPort], [e.dst!.addr, e.dst!.port]);
  assert.deepEqual([ev(22).kind, ev(22).duration], ['nat-teardown', 30]);
  e = ev(23);
  assert.deepEqual([e.natType, e.proto, e.src!.iface, e.src!.natRule], ['static', 'udp', 'inside', 'inside_nat_out']);
  // unknown ids are kept as 'other' and counted
  assert.deepEqual([ev(25).kind, ev(25).msgid, ev(26).kind], ['other', 111008, 'other']);
  assert.equal(ev(25).text, "User 'enable_15' executed the 'clear conn' command.");
  assert.equal(r.counts.get(302014), 4);
  assert.equal(r.counts.get(111008), 1);
  let total = 0;
  for (const n of r.counts.values()) total += n;
  assert.equal(total, r.events.length);
});

test('malformed lines are reported with file:line and skipped, the rest is read', async () => {
  const f = fixture('logs/malformed.log');
  const r = await readSyslog(f);
  assert.deepEqual(r.events.map((e) => e.line), [1, 8]);
  const bad = r.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => i.line), [2, 3, 5, 6, 7]);
  for (const i of bad) {
    assert.equal(i.file, f);
    assert.equal(i.severity, 'warning');
  }
  assert.match(bad[2]!.message, /300\.1\.1\.1/);
  assert.match(bad[3]!.message, /timestamp/);
  assert.match(bad[4]!.message, /BOGUS/);
  assert.equal(r.nonAsaLines, 2);
  const non = r.issues.filter((i) => i.code === 'non-asa-lines');
  assert.equal(non.length, 1, 'one summary warning for all non-ASA lines');
  assert.equal(non[0]!.line, 4);
});

test('gzip is read transparently, CRLF line ends too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-asa-'));
  const text = readFileSync(fixture('logs/messages.log'), 'utf8');
  const gz = join(dir, 'messages.log.gz');
  writeFileSync(gz, gzipSync(text.replace(/\n/g, '\r\n')));
  const plain = await readSyslog(fixture('logs/messages.log'));
  const z = await readSyslog(gz);
  assert.deepEqual(z.issues, []);
  assert.deepEqual(z.events.map((e) => [e.line, e.msgid, e.ts, e.text]), plain.events.map((e) => [e.line, e.msgid, e.ts, e.text]));
  // a cut gzip stream: an error issue, the events before it kept
  const cut = join(dir, 'cut.log.gz');
  const whole = gzipSync(text.repeat(50));
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
  const c = await readSyslog(cut);
  assert.ok(c.issues.some((i) => i.code === 'read-error' && i.severity === 'error'));
  assert.ok(c.events.length > 0);
  // text in memory
  const m = await readSyslog({ text, file: 'mem.log' });
  assert.equal(m.events.length, plain.events.length);
  assert.equal(m.events[0]!.file, 'mem.log');
});

test('parseAsaBody: a known id with a foreign body is an error; IPv6 106015 is not split at its first colon', () => {
  assert.ok('error' in parseAsaBody(302014, 'Teardown TCP connection 1 for outside:1.2.3.4/5 to inside:5.6.7.8/9'));
  const r = parseAsaBody(106015, 'Deny TCP (no connection) from fd00::1/443 to fd00::2/5000 flags RST  on interface inside');
  assert.ok(!('error' in r));
  assert.equal(r.src!.addr, 'fd00::1');
  assert.equal(r.src!.iface, undefined);
  assert.equal(r.dst!.addr, 'fd00::2');
  assert.deepEqual(parseAsaBody(999999, 'anything'), { kind: 'other' });
});

test('teardown reasons: Cisco names, one line each, looked up loosely', () => {
  for (const n of ['TCP FINs', 'TCP Reset-I', 'TCP Reset-O', 'TCP Reset-APPLIANCE', 'SYN Timeout', 'SYN Control', 'FIN Timeout',
    'Idle Timeout', 'Conn-timeout', 'Flow closed by inspection', 'Deny Terminate', 'Failover primary closed', 'Flow terminated by IPS',
    'Flow reset by IPS', 'Flow terminated by TCP Intercept', 'Invalid SYN', 'Tunnel has been torn down', 'Xlate Clear',
    'TCP data sent after FINs', 'Pinhole Timeout', 'Unknown']) {
    const m = TEARDOWN_REASONS[n];
    assert.ok(m !== undefined && m.length > 10 && !m.includes('\n'), n);
  }
  assert.equal(canonicalReason('SYN timeout'), 'SYN Timeout');
  assert.equal(canonicalReason('TCP Reset - APPLIANCE'), 'TCP Reset-APPLIANCE');
  assert.match(reasonMeaning('TCP FINs')!, /FIN from both sides.*denied as no connection/);
  assert.equal(reasonMeaning('Made up reason'), undefined);
});
