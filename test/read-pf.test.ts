/**
 * pfSense / OPNsense filterlog (src/read/pf.ts): every message form of fixtures/logs/pf/, the
 * late-packet denies, malformed lines, the seed's situation from the log alone and beside a
 * capture, mixed with an ASA log in one run, and the benchmark's generator.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../src/model.js';
import type { FwEvent } from '../src/read/asa.js';
import { findFilterlog, parseFilterlog, pfFlags, pfReader } from '../src/read/pf.js';
import { parseSyslogText, readSyslog } from '../src/read/syslog.js';
import { ANY_FIREWALL_TAG, VENDOR_READERS, readerOf } from '../src/read/vendors.js';
import { generatePfLog } from '../bench/gen-pf.js';
import { fixture } from './helpers.js';

const rows = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
const at = (h: number, mi: number, s: number): number => Date.UTC(2024, 4, 20, h, mi, s) / 1000;

test('the reader is registered as pf and sniffs filterlog lines only', () => {
  assert.equal(readerOf('pf'), pfReader);
  assert.ok(VENDOR_READERS.includes(pfReader));
  const line = '<134>May 20 10:00:01 filterlog[51577]: 4,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,6,tcp,40,198.51.100.20,203.0.113.7,443,51000,0,R,3001,,0,,';
  assert.ok(pfReader.tag.test(line));
  assert.ok(ANY_FIREWALL_TAG.test(line));
  for (const other of ['<134>May 20 10:00:01 myfilterlog: 1,2,3', 'May 20 10:00:01 host sshd[1]: filterlogs are fine', '%ASA-6-302013: Built']) {
    assert.equal(pfReader.parse(other, {}), null, other);
  }
  assert.equal(pfReader.tag.test('%ASA-6-302013: Built inbound TCP connection'), false);
});

test('the tag in each envelope: where the message and its CSV start', () => {
  const bsd = '<134>May 20 10:00:01 filterlog[51577]: 4,';
  assert.deepEqual(findFilterlog(bsd), { at: 21, csv: bsd.indexOf('4,') });
  const old = 'May 20 10:00:14 pfsense-old filterlog: 4,';
  assert.deepEqual(findFilterlog(old), { at: old.indexOf('filterlog'), csv: old.indexOf('4,') });
  const r5424 = '<134>1 2024-05-20T10:00:13Z fw filterlog 51577 - - 4,';
  assert.equal(findFilterlog(r5424)!.csv, r5424.indexOf('4,'));
  const sd = '<134>1 2024-05-20T10:00:15Z fw filterlog 12345 - [meta sequenceId="42" x="a]b"] 82,';
  assert.equal(findFilterlog(sd)!.csv, sd.indexOf('82,'), 'structured data with a quoted ] is skipped');
  assert.equal(findFilterlog('<134>1 2024-05-20T10:00:15Z fw filterlog 12345 - [meta unclosed 82,'), null);
  assert.equal(findFilterlog('x filterlog[12a]: 1,'), null);
});

test('flag letters: F S R P A U E C, and W for CWR as tcpdump writes it', () => {
  assert.equal(pfFlags('FSRPAUEC'), FIN | SYN | RST | PSH | ACK | URG | ECE | CWR);
  assert.equal(pfFlags('W'), CWR);
  assert.equal(pfFlags(''), 0);
  assert.throws(() => pfFlags('RX'), /unknown TCP flag "X"/);
});

test('every form of fixtures/logs/pf/forms.log: kinds, flags, addresses, envelopes (IPv4 and IPv6)', async () => {
  const r = await readSyslog(fixture('logs/pf/forms.log'), { year: 2024 });
  assert.deepEqual(r.issues, []);
  assert.equal(r.nonAsaLines, 0);
  const ev = (line: number): FwEvent => r.events.find((e) => e.line === line)!;
  assert.equal(r.events.length, 18);
  assert.ok(r.events.every((e) => e.vendor === 'pf' && e.msgid === 0 && e.severity === 6));
  // the seed's packet: the server's RST blocked on LAN after pf dropped the state
  let e = ev(1);
  assert.deepEqual([e.kind, e.proto, e.tcpFlags, e.flagText, e.iface], ['deny-no-conn', 'tcp', RST, 'RST', 'igb1']);
  assert.deepEqual(e.src, { addr: '198.51.100.20', port: 443 });
  assert.deepEqual(e.dst, { addr: '203.0.113.7', port: 51000 });
  assert.deepEqual([e.ts, e.tsSource, e.host], [at(10, 0, 1), 'firewall', undefined], 'pfSense writes no host in its BSD header');
  assert.match(e.text, /^filterlog\[51577\]: 4,,,1000000103,igb1,match,block,/);
  // late packets without state: FIN ACK, data (seq:seq+len), a bare ACK
  assert.deepEqual([ev(2).kind, ev(2).tcpFlags], ['deny-no-conn', FIN | ACK]);
  assert.deepEqual([ev(3).kind, ev(3).tcpFlags], ['deny-no-conn', PSH | ACK]);
  assert.deepEqual([ev(4).kind, ev(4).tcpFlags, ev(4).dst!.port], ['deny-no-conn', ACK, 22]);
  // an opening SYN blocked or rejected: a denial by policy; a SYN ACK with no state is a late packet
  assert.deepEqual([ev(5).kind, ev(5).tcpFlags], ['deny', SYN]);
  assert.deepEqual([ev(6).kind, ev(6).tcpFlags], ['deny', SYN]);
  assert.deepEqual([ev(7).kind, ev(7).tcpFlags], ['deny-no-conn', SYN | ACK]);
  assert.deepEqual([ev(8).kind, ev(8).tcpFlags, ev(8).src!.addr], ['permit', SYN, '198.51.100.22']);
  e = ev(9);
  assert.deepEqual([e.kind, e.proto, e.src!.port, e.dst!.port, e.tcpFlags], ['deny', 'udp', 123, 40200, undefined]);
  e = ev(10);
  assert.deepEqual([e.kind, e.proto, e.src!.port, e.dst!.port], ['deny', 'icmp', undefined, undefined]);
  e = ev(11);
  assert.deepEqual([e.kind, e.tcpFlags, e.src!.addr, e.dst!.addr, e.dst!.port], ['deny-no-conn', RST | ACK, '2001:db8:1::20', '2001:db8:2::7', 51010]);
  e = ev(12);
  assert.deepEqual([e.kind, e.proto, e.src!.addr, e.src!.port], ['permit', 'icmp6', '2001:db8:1::1', undefined]);
  // RFC 5424 (the offset of its stamp kept), a relay's RFC 3164 with host, OPNsense's structured data
  e = ev(13);
  assert.deepEqual([e.kind, e.ts, e.host, e.src!.addr], ['deny-no-conn', at(8, 0, 13) + 0.25, 'pfsense.example.com', '198.51.100.25']);
  assert.match(e.text, /^filterlog 51577 - - 4,/);
  assert.deepEqual([ev(14).kind, ev(14).host, ev(14).iface, ev(14).tcpFlags], ['deny-no-conn', 'pfsense-old', 'em1', FIN | ACK]);
  e = ev(15);
  assert.deepEqual([e.kind, e.host, e.ts, e.src!.addr], ['deny-no-conn', 'opnsense.example.com', at(10, 0, 15), '198.51.100.27']);
  // ECN-capable SYNs in both spellings of CWR
  assert.deepEqual([ev(16).kind, ev(16).tcpFlags], ['deny', SYN | ECE | CWR]);
  assert.deepEqual([ev(17).kind, ev(17).tcpFlags], ['deny', SYN | ECE | CWR]);
  // pf's own drop reason (the packet did not fit its state's window): still a packet with no usable state
  assert.deepEqual([ev(18).kind, ev(18).tcpFlags], ['deny-no-conn', RST | ACK]);
  // filterlog has no NAT fields: every address is the packet's as logged
  assert.ok(r.events.every((x) => x.src!.mappedAddr === undefined && x.dst!.mappedAddr === undefined));
});

test('malformed lines are reported with file:line and skipped, the rest is read', async () => {
  const f = fixture('logs/pf/malformed.log');
  const r = await readSyslog(f, { year: 2024 });
  assert.deepEqual(r.events.map((e) => e.line), [1, 10]);
  const bad = r.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => i.line), [2, 3, 4, 5, 6, 7, 8]);
  for (const i of bad) {
    assert.equal(i.file, f);
    assert.match(i.message, /^pf: .*; line skipped$/);
  }
  const said = bad.map((i) => i.message);
  assert.match(said[0]!, /7 fields, fewer than filterlog's 9/);
  assert.match(said[1]!, /IP version "5"/);
  assert.match(said[2]!, /source is not an IP address: "198\.51\.100\.300"/);
  assert.match(said[3]!, /destination port is not a port: "70000"/);
  assert.match(said[4]!, /unknown TCP flag "X"/);
  assert.match(said[5]!, /direction "sideways"/);
  assert.match(said[6]!, /sequence number "30x1"/);
  assert.equal(r.nonAsaLines, 1, 'the dhcpd line is no firewall line');
  assert.equal(r.issues.find((i) => i.code === 'non-asa-lines')!.line, 9);
});

test('a truncated or odd CSV: parseFilterlog on its own', () => {
  const v4 = '4,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,6,tcp,40,198.51.100.20,203.0.113.7,443,51000';
  assert.throws(() => parseFilterlog(v4), /a tcp line without ports and data length/);
  assert.throws(() => parseFilterlog(v4 + ',0'), /a TCP line without flags and sequence number/);
  assert.throws(() => parseFilterlog('4,,,1,igb1,match,block,in,4,0x0,,64,0,0,DF,17,udp,40,198.51.100.20,203.0.113.7,53'), /a udp line without ports/);
  // an action pf logs besides pass/block/reject (a NAT rule with log) is kept as 'other'
  const rdr = parseFilterlog('4,,,1,igb0,match,rdr,in,4,0x0,,64,0,0,DF,17,udp,40,198.51.100.20,203.0.113.7,53,5353,12');
  assert.deepEqual([rdr.kind, rdr.proto, rdr.dst!.port], ['other', 'udp', 5353]);
  // IPv6 addresses in lower case; a protocol rsttui does not know by number keeps its name
  const carp = parseFilterlog('4,,,1,igb1,match,pass,out,6,0x00,0x00000,255,CARP,112,36,2001:DB8::1,2001:db8::12,advertise');
  assert.deepEqual([carp.kind, carp.proto, carp.src!.addr], ['permit', 'carp', '2001:db8::1']);
});

test('the seed situation from the pf log alone: the server\'s late RST is rst-denied, on the client\'s connection', async () => {
  const ds = await loadDataset([fixture('logs/pf/seed-pf.log')], { year: 2024 });
  const r = rows(ds);
  // the logged passes of the SYNs make no row: pf writes no session, only the packets it logged
  assert.equal(r.length, 1);
  const problem = r[0]!;
  assert.deepEqual([problem.orig_h, problem.orig_p, problem.resp_h, problem.resp_p], ['198.51.100.147', 43918, '203.0.113.80', 443]);
  assert.deepEqual([...problem.anomalies].sort(), ['firewall-only', 'rst-denied']);
  // no late-rst: pf logs neither the FINs nor the state's removal, so the log cannot say the RST came after a close
  assert.equal(problem.anomalies.includes('late-rst'), false);
  assert.equal(problem.ts, at(12, 0, 50));
  assert.equal(problem.firewall.length, 1);
});

test('the seed situation beside a capture: the capture shows the close (late-rst), the pf log the denial (rst-denied)', async () => {
  const pcap = fixture('tcp/fin-then-rst-late.pcap');
  const log = fixture('logs/pf/seed-pf-capture.log');
  const both = rows(await loadDataset([pcap, log]));
  assert.equal(both.length, 1, 'the log\'s deny joins the captured connection');
  const c = both[0]!;
  assert.deepEqual([c.orig_p, c.resp_p, c.conn_state, c.teardown], [40008, 8080, 'SF', 'fin-then-rst']);
  assert.ok(c.anomalies.includes('late-rst'));
  assert.ok(c.anomalies.includes('rst-denied'));
  assert.equal(c.anomalies.includes('firewall-only'), false);
  assert.deepEqual(c.firewall.map((e) => e.msgid), [0]);
  // each alone: the capture has no denial, the log no close
  const capture = rows(await loadDataset([pcap]))[0]!;
  assert.equal(capture.anomalies.includes('rst-denied'), false);
  const alone = rows(await loadDataset([log]))[0]!;
  assert.deepEqual([...alone.anomalies].sort(), ['firewall-only', 'rst-denied']);
});

test('a pf log and an ASA log in one run: each keeps its vendor and its rows', async () => {
  const ds = await loadDataset([fixture('logs/seed-asa.log'), fixture('logs/pf/seed-pf.log')], { year: 2018 });
  const r = rows(ds);
  const asa = r.find((x) => x.orig_p === 43918 && x.resp_h === '172.17.77.250')!;
  const pf = r.find((x) => x.orig_p === 43918 && x.resp_h === '203.0.113.80')!;
  assert.deepEqual([...asa.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  assert.deepEqual([...pf.anomalies].sort(), ['firewall-only', 'rst-denied']);
  const vendorOf = (x: FlowRecord): string => ds.firewallOf(r.indexOf(x))[0]!.vendor;
  assert.deepEqual([vendorOf(asa), vendorOf(pf)], ['ASA', 'pf']);
});

test('the generator: exact line count, deterministic, every line read, every kind present', () => {
  const a = generatePfLog(3000, 5);
  assert.equal(a, generatePfLog(3000, 5));
  assert.notEqual(a, generatePfLog(3000, 6));
  assert.equal(a.split('\n').length - 1, 3000);
  const r = parseSyslogText(a, 'gen.log', { year: 2024 });
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 3000);
  const kinds = new Map<string, number>();
  for (const e of r.events) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  assert.deepEqual([...kinds.keys()].sort(), ['deny', 'deny-no-conn', 'permit']);
  const rsts = r.events.filter((e) => e.kind === 'deny-no-conn' && e.tcpFlags === RST && e.src!.port === 443);
  assert.ok(rsts.length > 90, `the seed pattern is frequent (${rsts.length})`);
  assert.ok(r.events.some((e) => e.src!.addr.includes(':')), 'IPv6 too');
  // (in time order to the second: the BSD header has whole seconds, RFC 5424 microseconds)
  for (let i = 1; i < r.events.length; i++) assert.ok(Math.floor(r.events[i]!.ts) >= Math.floor(r.events[i - 1]!.ts), 'in time order');
});
