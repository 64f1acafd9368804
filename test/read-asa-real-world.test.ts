/**
 * ASA / FTD lines in the forms devices write them (fixtures/logs/real-world.log, one form a line,
 * from Cisco's syslog message guide): class words, zones after the time, device ids, and the
 * message variants of 302013/302014, 106015, 106023, 106100, 106001, 710003.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from './helpers.js';
import { RST, SYN } from '../src/model.js';
import type { FwEvent } from '../src/read/asa.js';
import { parseEnvelope, stampToEpoch, makeZone } from '../src/read/syslog-envelope.js';
import { ZONE_ABBREVIATIONS } from '../src/read/syslog-zones.js';
import { parseSyslogText, readSyslog } from '../src/read/syslog.js';

/** Epoch seconds of an April 15 2014 UTC time. */
const utc = (h: number, mi: number, s: number): number => Date.UTC(2014, 3, 15, h, mi, s) / 1000;

async function events(tz?: string): Promise<(line: number) => FwEvent> {
  const r = await readSyslog(fixture('logs/real-world.log'), tz === undefined ? {} : { tz });
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 26);
  return (line) => r.events.find((e) => e.line === line)!;
}

test('class words, zones and device ids in the header', async () => {
  const ev = await events();
  // `Apr 15 2014 09:34:34 EDT: %ASA-session-5-106100`: EDT is UTC-4
  assert.deepEqual([ev(1).ts, ev(1).tsSource, ev(1).host, ev(1).vendor, ev(1).severity, ev(1).msgid], [utc(13, 34, 34), 'firewall', undefined, 'ASA', 5, 106100]);
  assert.deepEqual([ev(2).ts, ev(2).host, ev(2).vendor, ev(2).kind], [utc(9, 34, 35), 'fw01', 'FTD', 'built']); // UTC, %FTD-session-6-
  assert.equal(ev(3).ts, utc(7, 34, 36)); // +02:00
  assert.equal(ev(4).ts, utc(7, 34, 37)); // CEST
  assert.deepEqual([ev(5).ts, ev(5).host], [utc(9, 34, 38), undefined]); // XYZT: not a zone we know, no zone; not a host either
  assert.equal(ev(24).ts, utc(9, 34, 57)); // GMT, behind a syslog daemon's own header
  assert.equal(ev(25).ts, utc(14, 34, 58)); // -0500
  assert.equal(ev(26).ts, utc(13, 34, 59)); // ISO 8601 with -04:00
  assert.equal(ev(11).ts, utc(9, 34, 44)); // ISO 8601 with Z (logging timestamp rfc5424)
  // device ids: an address, a context (host/context), a placeholder, `logging device-id string`, IPv6, an FQDN
  assert.equal(ev(6).host, '192.0.2.1');
  assert.equal(ev(7).host, 'fw01/admin');
  assert.equal(ev(8).host, undefined);
  assert.equal(ev(8).tsSource, 'firewall');
  assert.equal(ev(9).host, 'FW-EDGE-1');
  assert.equal(ev(10).host, '2001:db8::1');
  assert.equal(ev(11).host, 'asa');
  assert.equal(ev(12).host, 'fw01.example.com');
  assert.equal(ev(24).host, 'relay01');
  assert.equal(ev(26).host, 'ch3-core-fw01');
});

test('--tz is the zone only of lines without one', async () => {
  const ev = await events('Europe/Vienna'); // CEST, UTC+2 in April
  assert.equal(ev(1).ts, utc(13, 34, 34), 'EDT written: --tz does not apply');
  assert.equal(ev(3).ts, utc(7, 34, 36), '+02:00 written');
  assert.equal(ev(5).ts, utc(7, 34, 38), 'unknown zone XYZT: --tz applies');
  assert.equal(ev(6).ts, utc(7, 34, 39), 'no zone: --tz applies');
});

test('zone abbreviations: table, case, unknown ones, offsets', () => {
  const env = (l: string) => {
    const r = parseEnvelope(l);
    assert.ok(r && r.ok, l);
    return r.env;
  };
  assert.equal(env('Apr 15 2014 09:34:34 PST: %ASA-6-111008: x').fw!.offsetMin, -480);
  assert.equal(env('Apr 15 2014 09:34:34 AEST: %ASA-6-111008: x').fw!.offsetMin, 600);
  assert.equal(env('Apr 15 2014 09:34:34 IST: %ASA-6-111008: x').fw!.offsetMin, 330);
  assert.equal(env('Apr 15 2014 09:34:34 utc: %ASA-6-111008: x').fw!.offsetMin, 0, 'UTC in any case');
  assert.equal(env('Apr 15 2014 09:34:34 UTC+2: %ASA-6-111008: x').fw!.offsetMin, 120);
  assert.equal(env('Apr 15 2014 09:34:34 GMT-05:30: %ASA-6-111008: x').fw!.offsetMin, -330);
  assert.equal(env('Apr 15 2014 09:34:34 +0530 fw01 : %ASA-6-111008: x').fw!.offsetMin, 330);
  const unknown = env('Apr 15 2014 09:34:34 QQT: %ASA-6-111008: x');
  assert.deepEqual([unknown.fw!.offsetMin, unknown.fw!.h, unknown.host], [undefined, 9, undefined]);
  // a lower-case word after the time is a host, not a zone (only UTC and GMT are read in any case)
  const host = env('<166>Apr 15 09:34:34 fw %ASA-6-111008: x');
  assert.deepEqual([host.fw!.offsetMin, host.host], [undefined, 'fw']);
  assert.deepEqual([env('<166>Apr 15 09:34:34 EST %ASA-6-111008: x').fw!.offsetMin, env('<166>Apr 15 09:34:34 EST %ASA-6-111008: x').host], [-300, undefined]);
  // a relay's ctime with a zone: the relay time in UTC
  const relay = env('Tue Apr 15 11:34:40 CEST 2014;192.0.2.1; <166>%ASA-6-111008: x');
  assert.deepEqual([relay.relay!.offsetMin, relay.relay!.h, relay.host], [120, 11, '192.0.2.1']);
  assert.equal(stampToEpoch(relay.relay!, 1999, makeZone('UTC')), utc(9, 34, 40));
  for (const [z, off] of Object.entries(ZONE_ABBREVIATIONS)) {
    assert.ok(/^[A-Z]{2,5}$/.test(z) && Number.isInteger(off) && Math.abs(off) <= 14 * 60, z);
  }
  assert.deepEqual([ZONE_ABBREVIATIONS.EDT, ZONE_ABBREVIATIONS.CET, ZONE_ABBREVIATIONS.CEST, ZONE_ABBREVIATIONS.JST], [-240, 60, 120, 540]);
});

test('class words: kept as msgClass, any vendor, the id still read', () => {
  const r = parseEnvelope('<166>Apr 15 2014 09:34:35 fw01 : %FTD-session-6-302013: Built inbound TCP connection 1 for a:192.0.2.1/1 to b:192.0.2.2/2');
  assert.ok(r && r.ok);
  assert.deepEqual([r.env.vendor, r.env.msgClass, r.env.severity, r.env.msgid, r.env.host], ['FTD', 'session', 6, 302013, 'fw01']);
  const e = parseEnvelope('%PIX-e-mail-4-719001: x');
  assert.ok(e && e.ok);
  assert.deepEqual([e.env.msgClass, e.env.msgid], ['e-mail', 719001]);
  assert.equal((parseEnvelope('%ASA-6-302013: x') as { env: { msgClass?: string } }).env.msgClass, undefined);
  assert.ok(!parseEnvelope('%ASA-session-302013: x')!.ok, 'no severity: still a malformed id');
});

test('302013 / 302014: mapped parts or not, identity users, IPv6, reasons with and without from', async () => {
  const ev = await events();
  let e = ev(2);
  assert.deepEqual([e.direction, e.connId, e.src!.mappedAddr, e.dst!.addr, e.dst!.mappedAddr, e.dst!.mappedPort], ['inbound', 101, '198.51.100.10', '192.0.2.20', '203.0.113.20', 443]);
  e = ev(3);
  assert.deepEqual([e.kind, e.connId, e.duration, e.bytes, e.reason, e.reasonFrom], ['teardown', 101, 1, 5120, 'TCP FINs', 'inside']);
  e = ev(7); // no mapped parts
  assert.deepEqual(e.src, { iface: 'outside', addr: '203.0.113.30', port: 443 });
  assert.deepEqual(e.dst, { iface: 'inside', addr: '192.0.2.21', port: 50001 });
  assert.deepEqual([ev(8).reason, ev(8).reasonFrom, ev(9).reason, ev(9).reasonFrom], ['SYN Timeout', undefined, 'TCP Reset-O', undefined]);
  e = ev(14); // identity users after each endpoint, the AAA user last
  assert.deepEqual([e.src!.user, e.dst!.user, e.user, e.dst!.mappedAddr], ['LOCAL\\dave', 'LOCAL\\erin', 'admin', '203.0.113.25']);
  e = ev(15);
  assert.deepEqual([e.src!.user, e.dst!.user, e.user, e.reason, e.reasonFrom], ['LOCAL\\dave', 'LOCAL\\erin', 'admin', 'TCP Reset-I', 'inside']);
  e = ev(16);
  assert.deepEqual([e.src!.addr, e.dst!.iface, e.dst!.addr, e.dst!.port], ['2001:db8:1::12', 'dmz', '2001:db8:2::25', 443]);
  assert.deepEqual([ev(17).duration, ev(17).reason], [3600, 'Idle Timeout']);
  assert.deepEqual([ev(23).dst!.iface, ev(23).reason], ['NP Identity Ifc', 'TCP Reset-O']);
  e = ev(10);
  assert.deepEqual([e.kind, e.proto, e.dst!.mappedAddr, e.dst!.mappedPort], ['built', 'udp', '198.51.100.1', 30001]);
});

test('106015, 106001, 710003 as documented', async () => {
  const ev = await events();
  let e = ev(4);
  assert.deepEqual([e.kind, e.src!.addr, e.src!.port, e.dst!.port, e.tcpFlags, e.iface], ['deny-no-conn', '192.0.2.20', 443, 41003, RST, 'inside']);
  e = ev(21);
  assert.deepEqual([e.kind, e.src!.addr, e.dst!.port, e.tcpFlags, e.iface], ['deny', '198.51.100.15', 23, SYN, 'outside']);
  e = ev(22);
  assert.deepEqual([e.kind, e.proto, e.src!.port, e.dst!.iface, e.dst!.addr, e.dst!.port], ['deny', 'udp', 5000, 'outside', '203.0.113.1', 1005]);
});

test('106023: ICMP type and code, identity users, user with security group', async () => {
  const ev = await events();
  let e = ev(11);
  assert.deepEqual([e.proto, e.src!.port, e.dst!.port, e.icmpType, e.icmpCode, e.acl, e.hashes], ['icmp', undefined, undefined, 8, 0, 'outside_access_in', ['0x0', '0x0']]);
  e = ev(12);
  assert.deepEqual([e.src!.user, e.dst!.user, e.src!.port, e.dst!.port, e.acl], ['LOCAL\\alice', 'LOCAL\\bob', 50002, 8080, 'inside_access_in']);
  e = ev(13);
  assert.deepEqual([e.proto, e.src!.user, e.dst!.user, e.icmpType], ['udp', 'EXAMPLE\\carol, 5:Employees', undefined, undefined]);
});

test('106100: permitted, denied, est-allowed; first hit and intervals with and without parentheses; ICMP type/code', async () => {
  const ev = await events();
  let e = ev(1);
  assert.deepEqual([e.kind, e.aclAction, e.hitCount, e.intervalSec, e.src!.iface, e.dst!.port], ['deny', 'denied', 1, 0, 'outside', 443]);
  e = ev(18);
  assert.deepEqual([e.kind, e.aclAction, e.hitCount, e.intervalSec], ['permit', 'permitted', 12, 300]);
  e = ev(19);
  assert.deepEqual([e.kind, e.aclAction, e.proto, e.hitCount, e.intervalSec], ['permit', 'est-allowed', 'udp', 3, 300]);
  e = ev(20); // for ICMP the numbers in the port places are type and code
  assert.deepEqual([e.proto, e.src!.port, e.dst!.port, e.icmpType, e.icmpCode], ['icmp', undefined, undefined, 128, 0]);
  e = ev(26);
  assert.deepEqual([e.acl, e.src!.iface, e.hitCount, e.intervalSec, e.hashes], ['prod-voice_in', 'prod-voice', 3, 300, ['0x1d5dc28a', '0x00000000']]);
});

test('the fixture in memory reads as the file', () => {
  const text = readFileSync(fixture('logs/real-world.log'), 'utf8');
  const r = parseSyslogText(text, 'mem.log');
  assert.equal(r.events.length, 26);
  assert.deepEqual(r.issues, []);
});
