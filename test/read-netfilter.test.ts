/**
 * Linux netfilter (src/read/netfilter.ts, conntrack.ts): the kernel's packet log lines in every
 * envelope, its conntrack complaints and `conntrack -E` events, the drop verdict from the log
 * prefix, NAT, malformed lines; and the seed's situation made on a real kernel
 * (fixtures/gen/make-netfilter.sh): the server's late RST dropped as INVALID, from the kernel log
 * alone, with the conntrack events (late-rst), and with the router's capture.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ACK, FIN, PSH, RST, SYN, TEARDOWNS } from '../src/model.js';
import { readSyslog, parseSyslogText } from '../src/read/syslog.js';
import type { FwEvent } from '../src/read/asa.js';
import { parseNetfilter, dropPrefix } from '../src/read/netfilter.js';
import { CONNTRACK_REASONS, tupleId } from '../src/read/conntrack.js';
import { reasonClassFor, reasonMeaningFor } from '../src/read/fw-reasons.js';
import { sniffKind } from '../src/read/detect.js';
import { readerOf } from '../src/read/vendors.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { generateNetfilterLog } from '../bench/gen-netfilter.js';
import { BIN, fixture } from './helpers.js';

const NF = (f: string): string => fixture(`logs/netfilter/${f}`);
const rows = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
const byPort = (r: FlowRecord[], p: number): FlowRecord[] => r.filter((x) => x.orig_p === p || x.resp_p === p);

test('every conntrack state has a class and side rsttui knows, found by the vendor', () => {
  assert.equal(readerOf('netfilter')?.reasons, CONNTRACK_REASONS);
  for (const [name, r] of Object.entries(CONNTRACK_REASONS)) {
    assert.ok((TEARDOWNS as readonly string[]).includes(r.teardown), `${name}: ${r.teardown}`);
    assert.deepEqual(reasonClassFor('netfilter', name), { teardown: r.teardown, side: r.side });
    assert.ok(reasonMeaningFor('netfilter', name.toLowerCase())!.length > 20, name);
  }
  // the states that say how the close went
  assert.equal(reasonClassFor('netfilter', 'TIME_WAIT')?.teardown, 'graceful');
  assert.equal(reasonClassFor('netfilter', 'LAST_ACK')?.teardown, 'graceful');
  assert.equal(reasonClassFor('netfilter', 'CLOSE')?.teardown, 'abort');
  assert.equal(reasonClassFor('netfilter', 'SYN_SENT')?.teardown, 'unanswered');
  assert.equal(reasonClassFor('netfilter', 'ESTABLISHED')?.teardown, 'timeout');
  assert.equal(reasonClassFor('netfilter', 'destroyed')?.teardown, 'open');
  // (an ASA reason is not netfilter's)
  assert.equal(reasonClassFor('netfilter', 'TCP FINs'), undefined);
});

test('the drop words of a prefix, any case, and --fw-drop-prefix ones', () => {
  for (const p of ['INVALID DROP: ', 'drop-in', 'REJECT-OUT: ', 'Blocked ', 'deny ', 'ct invalid ']) assert.ok(dropPrefix(p, undefined), p);
  for (const p of ['FW-LOG ACCEPT: ', 'NEW-CONN ', '']) assert.ok(!dropPrefix(p, undefined), p);
  assert.ok(!dropPrefix('FW-NOPE ', ['bad']));
  assert.ok(dropPrefix('FW-NOPE ', ['nope']));
});

test('packet log lines in every envelope, IPv4 and IPv6, with and without SEQ/ACK/RES/URGP (forms.log)', async () => {
  const r = await readSyslog(NF('forms.log'), { year: 2024 });
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 14);
  const ev = (line: number): FwEvent => r.events.find((e) => e.line === line)!;
  const utc = (d: number, h: number, mi: number, s: number): number => Date.UTC(2024, 2, d, h, mi, s) / 1000;
  // a bare dmesg line: seconds since boot only, no wall-clock time
  let e = ev(1);
  assert.equal(e.vendor, 'netfilter');
  assert.equal(e.kind, 'deny-no-conn');
  assert.equal(e.tcpFlags, RST);
  assert.ok(Number.isNaN(e.ts));
  assert.equal(e.acl, 'INVALID DROP:');
  assert.deepEqual(e.src, { addr: '203.0.113.7', iface: 'eth1', port: 443 });
  assert.deepEqual(e.dst, { addr: '192.0.2.44', iface: 'eth0', port: 51514 });
  assert.equal(e.iface, 'eth1');
  assert.ok(e.text.startsWith('INVALID DROP: IN=eth1 OUT=eth0 MAC='), e.text);
  // dmesg -T: the kernel's own time (no zone: --tz, UTC)
  e = ev(2);
  assert.equal(e.ts, utc(10, 9, 15, 2));
  assert.equal(e.tsSource, 'firewall');
  assert.equal(e.tcpFlags, ACK | FIN);
  assert.equal(e.flagText, 'ACK FIN');
  // dmesg --time-format iso with its offset; a SYN dropped by policy
  e = ev(3);
  assert.equal(e.ts, utc(10, 8, 15, 3) + 0.25);
  assert.equal(e.kind, 'deny');
  assert.equal(e.tcpFlags, SYN);
  assert.equal(e.dst!.iface, undefined, 'OUT= empty: the packet was for the router itself');
  // syslog RFC 3164 with the kernel tag and its uptime stamp; no drop word: a LOG line says nothing of the verdict
  e = ev(4);
  assert.equal(e.kind, 'other');
  assert.equal(e.host, 'fw01');
  assert.equal(e.acl, 'FW-LOG ACCEPT:');
  assert.equal(e.ts, utc(10, 9, 15, 4));
  // a journal line; the prefix glued to IN=; IPv6 written in full by the kernel, read short
  e = ev(5);
  assert.equal(e.ts, utc(10, 8, 15, 5) + 0.000001);
  assert.equal(e.acl, 'DROPPED:');
  assert.equal(e.src!.addr, '2001:db8::7');
  assert.equal(e.dst!.addr, '2001:db8:1::44');
  assert.equal(e.kind, 'deny-no-conn');
  assert.equal(e.tcpFlags, ACK | RST);
  // RFC 5424 with the kernel as APP-NAME: severity from PRI; IN= empty (sent by the router): iface is OUT=
  e = ev(6);
  assert.equal(e.severity, 4);
  assert.equal(e.ts, utc(10, 8, 15, 6) + 0.5);
  assert.equal(e.iface, 'eth1');
  assert.equal(e.src!.iface, undefined);
  assert.equal(e.tcpFlags, ACK | PSH);
  assert.equal(e.acl, 'REJECT-OUT:');
  assert.equal(e.kind, 'deny-no-conn');
  // ulogd's own file (no tag) and ulogd through syslog: UDP and ICMP drops are policy denies
  e = ev(7);
  assert.deepEqual([e.kind, e.proto, e.acl, e.src!.port, e.dst!.port], ['deny', 'udp', 'BLOCKED', 5353, 53]);
  e = ev(8);
  assert.deepEqual([e.kind, e.proto, e.acl, e.icmpType, e.icmpCode], ['deny', 'icmp', 'DENY-ICMP', 3, 3]);
  // the quoted packet of the ICMP error does not overwrite the outer addresses
  assert.deepEqual([e.src!.addr, e.dst!.addr, e.src!.port], ['198.51.100.1', '192.0.2.44', undefined]);
  // the kernel's conntrack complaints: INVALID packets, the message as the reason
  e = ev(9);
  assert.equal(e.kind, 'deny-no-conn');
  assert.equal(e.reason, 'SEQ is over upper bound # (over the window of the receiver)');
  assert.equal(e.severity, 5);
  assert.equal(e.acl, undefined);
  e = ev(10);
  assert.deepEqual([e.kind, e.reason, e.tcpFlags, e.iface], ['deny-no-conn', 'invalid RST', RST, undefined]);
  e = ev(11);
  assert.equal(e.kind, 'other', 'an ignored packet was let through');
  assert.equal(e.reason, 'packet (index 3) in dir 1 ignored, state CLOSE');
  // a prefix rsttui does not know as a drop, a SYN-ACK dropped as INVALID, an ARP line
  assert.equal(ev(12).kind, 'other');
  assert.equal(ev(13).kind, 'deny-no-conn');
  assert.equal(ev(13).tcpFlags, ACK | SYN);
  assert.equal(ev(14).kind, 'other');
  assert.equal(ev(14).src, undefined);
  // --fw-drop-prefix names the rule's word
  const r2 = await readSyslog(NF('forms.log'), { year: 2024, dropPrefixes: ['nope'] });
  assert.equal(r2.events.find((x) => x.line === 12)!.kind, 'deny');
});

test('conntrack -E events: NEW/UPDATE/DESTROY, -o timestamp, id, extended, NAT both ways, UDP, ICMP, states (conntrack-forms.log)', async () => {
  const r = await readSyslog(NF('conntrack-forms.log'), { year: 2024 });
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 12);
  const ev = (line: number): FwEvent => r.events.find((e) => e.line === line)!;
  // no timestamp, no id: the tuple's hash joins NEW and DESTROY
  const [n, d] = [ev(1), ev(2)];
  assert.deepEqual([n.kind, d.kind], ['built', 'teardown']);
  assert.ok(Number.isNaN(n.ts));
  assert.equal(n.connId, d.connId);
  assert.ok(n.connId! >= 2 ** 51 && n.connId! < 2 ** 52 && Number.isInteger(n.connId));
  assert.equal(n.initiator, 'src');
  assert.deepEqual(n.src, { addr: '192.0.2.44', port: 51600 });
  assert.deepEqual(n.dst, { addr: '203.0.113.7', port: 443 });
  assert.deepEqual([d.reason, d.bytes, d.duration], ['TIME_WAIT', 3000, 7]);
  // -o timestamp,id; SNAT: the client's address as the server sees it is the mapped one
  const snat = ev(3);
  assert.equal(snat.ts, 1710058500.0001);
  assert.equal(snat.tsSource, 'firewall');
  assert.equal(snat.connId, 3000000001);
  assert.deepEqual(snat.src, { addr: '10.0.0.5', port: 40000, mappedAddr: '198.51.100.1', mappedPort: 61000 });
  assert.deepEqual(snat.dst, { addr: '203.0.113.7', port: 443 });
  // DNAT: the server's own address is the real one, the one the client used the mapped one
  assert.deepEqual(ev(4).dst, { addr: '10.0.0.80', port: 8080, mappedAddr: '198.51.100.1', mappedPort: 80 });
  assert.deepEqual(ev(4).src, { addr: '203.0.113.9', port: 50000 });
  assert.equal(ev(5).kind, 'other');
  assert.equal(ev(5).connId, 3000000001);
  assert.deepEqual([ev(6).reason, ev(6).bytes, ev(6).duration, ev(6).connId], ['CLOSE', 300, 2, 3000000001]);
  // -o extended
  assert.deepEqual([ev(7).kind, ev(7).proto, ev(7).src!.addr], ['built', 'tcp', '192.0.2.45']);
  // IPv6, DESTROY without a state
  assert.deepEqual([ev(8).reason, ev(8).src!.addr, ev(8).dst!.addr], ['destroyed', '2001:db8::44', '2001:db8:1::7']);
  assert.equal(ev(9).proto, 'udp');
  // ICMP: its tuple's own id= is not the entry's
  assert.deepEqual([ev(10).proto, ev(10).connId, ev(10).icmpType, ev(10).icmpCode, ev(10).src!.port], ['icmp', 3000000009, 8, 0, undefined]);
  // bracketed extras (-o ktimestamp) skipped; a line piped through logger into syslog
  assert.deepEqual([ev(11).reason, ev(11).connId], ['ESTABLISHED', 3000000010]);
  assert.deepEqual([ev(12).reason, ev(12).host, ev(12).ts], ['SYN_SENT', 'fw01', Date.UTC(2024, 2, 10, 9, 15, 20) / 1000]);
  assert.equal(tupleId('tcp 192.0.2.44 51600 203.0.113.7 443'), n.connId);
});

test('a malformed line is reported with file:line and the rest is read (malformed.log)', async () => {
  const file = NF('malformed.log');
  const r = await readSyslog(file, { year: 2024 });
  assert.deepEqual(r.events.map((e) => e.line), [1, 7]);
  const bad = r.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => [i.file, i.line]), [[file, 2], [file, 3], [file, 4], [file, 5], [file, 8]]);
  assert.match(bad[0]!.message, /^netfilter: not an IP address: "203\.0\.113\.999"/);
  assert.match(bad[1]!.message, /without SRC= and DST=/);
  assert.match(bad[2]!.message, /bad port in "SPT=https/);
  assert.match(bad[3]!.message, /conntrack NEW event without src= and dst=/);
  assert.match(bad[4]!.message, /impossible timestamp "2024-13-10T09:16:07/);
  const other = r.issues.find((i) => i.code === 'non-asa-lines')!;
  assert.equal(other.line, 6);
  // (no netfilter line at all: not this reader's)
  assert.equal(parseNetfilter('Mar 10 09:16:05 fw01 sshd[999]: Accepted publickey for admin'), null);
});

test('logs are sniffed as firewall logs by content', () => {
  for (const f of ['kernel.log', 'conntrack.log', 'router.log', 'forms.log']) assert.equal(sniffKind(readFileSync(NF(f))), 'syslog', f);
});

// ---------------------------------------------------------------- the real kernel's fixture

/** the server's late RST of each seed connection, and the reference connection's port */
const SEED = [40001, 40003];

test('real kernel log alone: the server\'s late RST is rst-denied on its connection, the policy drop is denied', async () => {
  const r = await readSyslog(NF('kernel.log'));
  assert.deepEqual(r.issues, []);
  const rst = r.events.filter((e) => e.src!.port === 8080 && e.dst!.port === 40001);
  // the conntrack complaint (prerouting) and the ruleset's drop (forward) of the same packet
  assert.deepEqual(rst.map((e) => [e.kind, e.reason ?? e.acl, e.tcpFlags, e.iface]),
    [['deny-no-conn', 'invalid new', RST, 'nf-f1'], ['deny-no-conn', 'INVALID DROP:', RST, 'nf-f1']]);
  assert.equal(rst[1]!.dst!.iface, 'nf-f0');
  const ds = await loadDataset([NF('kernel.log')]);
  const all = rows(ds);
  for (const p of SEED) {
    const c = byPort(all, p);
    assert.equal(c.length, 1, `one row for ${p}`);
    assert.equal(c[0]!.orig_p, p, 'the client (high port) is the originator');
    assert.deepEqual([...c[0]!.anomalies].sort(), ['firewall-only', 'rst-denied']);
    // no close in the kernel's log: it cannot tell the RST came after the FINs
    assert.ok(!c[0]!.anomalies.includes('late-rst'));
  }
  const denied = byPort(all, 8081);
  assert.equal(denied.length, 1, 'three SYNs, one attempt');
  assert.equal(denied[0]!.teardown, 'denied');
  assert.equal(denied[0]!.firewall.length, 3);
});

test('real kernel log and conntrack events in one file: late-rst + rst-denied on the seed connections, the reference graceful', async () => {
  const ds = await loadDataset([NF('router.log')]);
  assert.deepEqual(ds.issues, []);
  const all = rows(ds);
  for (const p of [...SEED, 40004]) {
    const c = byPort(all, p);
    assert.equal(c.length, 1, `one row for ${p}`);
    assert.equal(c[0]!.teardown, 'graceful', 'conntrack removed it in LAST_ACK: both FINs seen');
    assert.deepEqual([...c[0]!.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied'], `${p}`);
    assert.ok(c[0]!.firewall.some((e) => e.reason === 'LAST_ACK'));
    assert.ok(c[0]!.fw_bytes! > 0, 'nf_conntrack_acct counted its bytes');
  }
  // NAT: the server's RST to the router's own address joins the connection by its mapped tuple
  const nat = byPort(all, 40004)[0]!;
  assert.ok(nat.firewall.some((e) => e.text.includes('DST=198.51.100.1 ') && e.text.startsWith('INVALID DROP: IN=nf-f1 OUT= ')));
  const ref = byPort(all, 40002);
  assert.equal(ref.length, 1);
  assert.equal(ref[0]!.teardown, 'graceful');
  assert.deepEqual(ref[0]!.anomalies, ['firewall-only']);
  assert.ok(ref[0]!.firewall.some((e) => e.reason === 'TIME_WAIT'));
  // the conntrack events alone: every connection closed gracefully, nothing denied
  const ct = rows(await loadDataset([NF('conntrack.log')]));
  assert.deepEqual(ct.map((x) => [x.orig_p, x.teardown]).sort(), [[40001, 'graceful'], [40002, 'graceful'], [40003, 'graceful'], [40004, 'graceful']]);
  assert.ok(ct.every((x) => !x.anomalies.includes('rst-denied')));
});

test('real kernel log with the router\'s capture: the captured server RST is the denied one, late-rst from the packets', async () => {
  for (const log of ['kernel.log', 'router.log']) {
    const ds = await loadDataset([NF('router-outside.pcap'), NF(log)]);
    const all = rows(ds);
    for (const p of SEED) {
      const c = all.filter((x) => x.orig_p === p && x.vantages.includes('router-outside.pcap'));
      assert.equal(c.length, 1, `${log}: ${p}`);
      assert.equal(c[0]!.conn_state, 'SF');
      assert.ok(c[0]!.anomalies.includes('late-rst'), `${log}: ${p}: ${c[0]!.anomalies}`);
      assert.ok(c[0]!.anomalies.includes('rst-denied'), `${log}: ${p}: ${c[0]!.anomalies}`);
      assert.ok(c[0]!.firewall.some((e) => e.text.startsWith('INVALID DROP:')));
    }
    const ref = all.find((x) => x.orig_p === 40002)!;
    assert.ok(!ref.anomalies.includes('rst-denied'));
    // the capture's NATed connection (router address and port) gets the denied RST too
    const nat = all.find((x) => x.resp_p === 8082 && x.vantages.includes('router-outside.pcap'))!;
    assert.equal(nat.orig_h, '198.51.100.1');
    assert.ok(nat.anomalies.includes('rst-denied'), `${log}: ${nat.anomalies}`);
  }
  // from the inside the server's RST never arrived: the capture shows only the client's
  const inside = rows(await loadDataset([NF('router-inside.pcap'), NF('router.log')]));
  const c = inside.find((x) => x.orig_p === 40001 && x.vantages.includes('router-inside.pcap'))!;
  assert.ok(c.anomalies.includes('rst-denied'));
});

test('a deny written before the teardown it follows (two producers) is still that connection\'s late packet; one long before is not', async (t) => {
  const destroy = (ts: string, port: number): string =>
    `[${ts}]\t[DESTROY] tcp      6 LAST_ACK src=192.0.2.44 dst=203.0.113.7 sport=${port} dport=443 src=203.0.113.7 dst=192.0.2.44 sport=443 dport=${port} [ASSURED] id=${port}`;
  const fresh = (ts: string, port: number): string =>
    `[${ts}]\t    [NEW] tcp      6 120 SYN_SENT src=192.0.2.44 dst=203.0.113.7 sport=${port} dport=443 [UNREPLIED] src=203.0.113.7 dst=192.0.2.44 sport=443 dport=${port} id=${port}`;
  const drop = (iso: string, port: number): string =>
    `${iso} INVALID DROP: IN=eth1 OUT=eth0 SRC=203.0.113.7 DST=192.0.2.44 LEN=40 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=443 DPT=${port} WINDOW=0 RES=0x00 RST URGP=0`;
  const text = [
    fresh('1710058500.000000', 51800), drop('2024-03-10T08:15:09,800000+00:00', 51800), destroy('1710058510.000000', 51800),
    fresh('1710058600.000000', 51801), drop('2024-03-10T08:16:45,000000+00:00', 51801), destroy('1710058610.000000', 51801),
  ].join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-nf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pre.log');
  writeFileSync(file, text);
  const all = rows(await loadDataset([file]));
  const near = all.find((x) => x.orig_p === 51800)!;
  assert.deepEqual([...near.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  const far = all.find((x) => x.orig_p === 51801)!;
  assert.ok(!far.anomalies.includes('late-rst'), 'a RST denied 5 s before the close is no late RST');
  assert.ok(far.anomalies.includes('rst-denied'));
});

test('--fw-drop-prefix on the command line', () => {
  const run = (...extra: string[]): FlowRecord[] => {
    const r = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', '--year', '2024', ...extra, NF('forms.log')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as FlowRecord);
  };
  const rdp = (rs: FlowRecord[]): FlowRecord | undefined => rs.find((x) => x.resp_p === 3389);
  assert.equal(rdp(run()), undefined, 'a LOG line without a drop word is no connection');
  assert.equal(rdp(run('--fw-drop-prefix', 'NOPE'))?.teardown, 'denied');
  const bad = spawnSync('node', [BIN, 'flows', '--fw-drop-prefix', ' ', NF('forms.log')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('the benchmark generator: deterministic, every line read, the seed pattern in it', () => {
  const a = generateNetfilterLog(3000, 3);
  assert.equal(a, generateNetfilterLog(3000, 3));
  assert.notEqual(a, generateNetfilterLog(3000, 4));
  assert.equal(a.split('\n').length - 1, 3000);
  const r = parseSyslogText(a, 'gen.log', { year: 2024 });
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 3000);
  const reasons = new Set(r.events.filter((e) => e.kind === 'teardown').map((e) => e.reason));
  // (SYN_SENT and SYN_RECV entries end 120 s and 60 s later: past the end of so short a log)
  for (const s of ['TIME_WAIT', 'LAST_ACK', 'CLOSE']) assert.ok(reasons.has(s), s);
  assert.ok(r.events.some((e) => e.kind === 'deny-no-conn' && e.reason === 'invalid new'));
  assert.ok(r.events.some((e) => e.kind === 'deny' && e.acl === 'FWD policy DROP:'));
  assert.ok(r.events.some((e) => e.src?.addr.startsWith('2001:db8:') && e.kind === 'deny-no-conn'));
});
