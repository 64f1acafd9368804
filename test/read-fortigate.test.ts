/**
 * FortiGate traffic logs (src/read/fortigate.ts): every action word with its class and closing
 * side, start / end / deny / "no session matched" / statistics lines, FortiOS 5.0 (`status=`) to
 * 7.x with eventtime in s, ms, µs and ns, NAT both ways, IPv6, damaged lines reported with their
 * line, and the seed's late RST from the log alone. Fixtures: fixtures/logs/fortigate/ (README).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';
import { TEARDOWNS } from '../src/model.js';
import type { FwEvent } from '../src/read/asa.js';
import { FORTIGATE, FORTIGATE_REASONS, parseFortigate } from '../src/read/fortigate.js';
import { reasonClassFor, reasonMeaningFor } from '../src/read/fw-reasons.js';
import { parseSyslogText, readSyslog } from '../src/read/syslog.js';
import { ANY_FIREWALL_TAG } from '../src/read/vendors.js';
import { sniffKind } from '../src/read/detect.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { timeline } from '../src/cli/explain.js';
import { SAY_FW } from '../src/analysis/glossary.js';
import { fortigateLines, generateFortigateLog } from '../bench/gen-fortigate.js';

const FG = (name: string): string => fixture(`logs/fortigate/${name}`);
const rows = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));
const byPort = (r: FlowRecord[], p: number): FlowRecord => {
  const x = r.find((y) => y.orig_p === p);
  assert.ok(x, `a row from port ${p}`);
  return x;
};
function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-fortigate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The "no session matched" sample of Fortinet's KB article 274367, addresses moved to the documentation ranges. */
const KB_SAMPLE = 'date=2023-09-08 time=12:46:49 logid="0000000007" type="traffic" subtype="forward" level="warning" vd="root" eventtime=1694148409 ' +
  'srcip=192.0.2.101 srcport=61613 srcintf="port2" srcintfrole="undefined" dstip=198.51.100.90 dstport=22 dstintf=unknown-0 dstintfrole="undefined" ' +
  'proto=6 action="deny" policyid=0 policytype="policy" service="SSH" dstcountry="Reserved" srccountry="Reserved" trandisp="noop" duration=0 ' +
  'sentbyte=0 rcvdbyte=0 sentpkt=0 msg="no session matched"';

test('the reason table: each end action has its class, closing side and meaning, looked up by vendor in any case', () => {
  const want: Record<string, [string, string]> = {
    close: ['graceful', 'none'], 'client-rst': ['abort', 'client'], 'server-rst': ['abort', 'server'], timeout: ['timeout', 'none'],
    'ip-conn': ['unanswered', 'none'], accept: ['open', 'none'], dns: ['open', 'none'],
  };
  assert.deepEqual(Object.keys(FORTIGATE_REASONS).sort(), Object.keys(want).sort());
  for (const [word, [cls, side]] of Object.entries(want)) {
    const r = reasonClassFor('FortiGate', word.toUpperCase());
    assert.deepEqual(r && [r.teardown, r.side], [cls, side], word);
    assert.ok((TEARDOWNS as readonly string[]).includes(cls));
    assert.ok((reasonMeaningFor('FortiGate', word) ?? '').length > 30, word);
  }
  assert.equal(reasonClassFor('ASA', 'close'), undefined, 'the words are FortiGate\'s only');
  assert.equal(reasonClassFor('FortiGate', 'made-up'), undefined);
});

test('the KB sample of a "no session matched" drop: a no-connection deny with no flags made up, at its eventtime', () => {
  const r = parseFortigate(KB_SAMPLE);
  assert.ok(r && !('error' in r));
  assert.equal(r.vendor, 'FortiGate');
  assert.equal(r.msgid, 7);
  assert.equal(r.severity, 4, 'level warning');
  assert.equal(r.at, 0);
  assert.equal(r.body, KB_SAMPLE);
  assert.equal(r.epoch, 1694148409, 'eventtime beats date/time (which are the device\'s local time, +08:00 here)');
  assert.equal(r.device, undefined, 'no devname or devid in a line copied from the GUI');
  const f = r.fields;
  assert.equal(f.kind, 'deny-no-conn');
  assert.equal(f.proto, 'tcp');
  assert.equal(f.tcpFlags, 0, 'FortiOS logs no flags: none are made up');
  assert.deepEqual(f.src, { addr: '192.0.2.101', port: 61613, iface: 'port2' });
  assert.deepEqual(f.dst, { addr: '198.51.100.90', port: 22, iface: 'unknown-0' });
  assert.equal(f.iface, 'port2', 'the interface the packet came in on');
  assert.equal(f.connId, undefined);
  // the same drop of a UDP packet carries no TCP flags
  const udp = parseFortigate(KB_SAMPLE.replace('proto=6', 'proto=17'));
  assert.ok(udp && !('error' in udp));
  assert.equal(udp.fields.tcpFlags, undefined);
  // quoted values with escaped quotes, a tab between pairs, a value with spaces left unquoted
  const odd = parseFortigate(KB_SAMPLE.replace(' msg="no session matched"', ' policyname="web \\"a\\\\\\" b" msg="x"\tdstcountry=United States')
    .replace(' policyid=0', ' policyid=9'));
  assert.ok(odd && !('error' in odd));
  assert.deepEqual([odd.fields.kind, odd.fields.acl], ['deny', 'web "a\\" b'], 'the name, unescaped');
  assert.equal(odd.body.includes('\t'), false, 'a tab is shown as a space');
  // the implicit deny (policy 0 without the message) is a deny by policy
  const deny = parseFortigate(KB_SAMPLE.replace(' msg="no session matched"', ''));
  assert.ok(deny && !('error' in deny));
  assert.deepEqual([deny.fields.kind, deny.fields.acl], ['deny', 'policy 0 (implicit deny)']);
});

test('only FortiGate traffic lines are taken: the tag, event logs, other vendors, JSON-escaped quotes', () => {
  const event = readFileSync(FG('malformed.log'), 'utf8').split('\n')[6]!;
  assert.match(event, /type="event"/);
  assert.equal(parseFortigate(event), null, 'an event log is no traffic log');
  assert.equal(FORTIGATE.tag.test(event), false);
  assert.equal(parseFortigate('<166>Jun 20 2018 11:58:45 fw1 : %ASA-6-302013: Built inbound TCP connection 1 for a:1.2.3.4/1 to b:5.6.7.8/2'), null);
  for (const name of ['seed-fortigate.log', 'reasons.log', 'nat.log', 'ipv6.log', 'versions.log', 'denies.log']) {
    for (const l of readFileSync(FG(name), 'utf8').split('\n').filter(Boolean)) assert.ok(ANY_FIREWALL_TAG.test(l), `${name}: ${l.slice(0, 80)}`);
  }
  assert.ok(FORTIGATE.tag.test(JSON.stringify({ message: KB_SAMPLE })), 'a SIEM\'s JSON string: logid=\\"...\\" type=\\"traffic\\"');
  assert.equal(sniffKind(readFileSync(FG('versions.log'))), 'syslog');
});

test('every message form: start, end by action word, statistics, deny, no-session drop', async () => {
  const r = await readSyslog(FG('reasons.log'));
  assert.deepEqual(r.issues, []);
  const kinds = r.events.map((e) => `${e.msgid}:${e.kind}:${e.reason ?? ''}`);
  assert.deepEqual(kinds, [
    '15:built:', '13:teardown:close', '15:built:', '13:teardown:client-rst', '13:teardown:server-rst', '15:built:', '13:teardown:timeout',
    '15:built:', '13:teardown:ip-conn', '15:built:', '20:other:', '13:teardown:close', '13:teardown:accept', '13:teardown:dns', '13:teardown:made-up',
  ]);
  const close = r.events[1]!;
  assert.deepEqual([close.connId, close.duration, close.bytes, close.proto, close.initiator, close.host], [5001, 4, 812 + 4410, 'tcp', 'src', 'FGT-EDGE']);
  assert.equal(close.ts, Date.UTC(2023, 8, 8, 7, 0, 4, 300) / 1000, 'eventtime in ns; date/time are +02:00');
  assert.equal(close.tsSource, 'firewall');
  const udp = r.events[12]!;
  assert.deepEqual([udp.proto, udp.src?.port, udp.dst?.port], ['udp', 53001, 53]);
  const d = await readSyslog(FG('denies.log'));
  assert.deepEqual(d.issues, []);
  assert.deepEqual(d.events.map((e) => e.kind), ['deny', 'deny', 'deny', 'deny', 'built', 'teardown', 'deny-no-conn', 'deny-no-conn']);
  assert.deepEqual([d.events[0]!.acl, d.events[0]!.connId, d.events[0]!.severity], ['block-rdp', undefined, 4]);
});

test('the seed log alone: the problem connection gets late-rst + rst-denied, the reference stays clean', async () => {
  const ds = await loadDataset([FG('seed-fortigate.log')]);
  const r = rows(ds);
  assert.equal(r.length, 2);
  const problem = byPort(r, 43918);
  assert.deepEqual([problem.orig_h, problem.resp_h, problem.resp_p], ['203.0.113.147', '192.0.2.250', 443]);
  assert.equal(problem.teardown, 'graceful', 'action close');
  assert.deepEqual([...problem.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  assert.deepEqual(problem.firewall.map((e) => e.msgid), [15, 13, 7]);
  assert.equal(problem.fw_bytes, 5120 + 102124);
  assert.equal(problem.ts, Date.UTC(2023, 8, 8, 10, 44, 44) / 1000 + 0.201733, "the start log's eventtime, to the microsecond");
  const ref = byPort(r, 3954);
  assert.equal(ref.teardown, 'graceful');
  assert.deepEqual(ref.anomalies, ['firewall-only']);
  const i = r.indexOf(problem);
  assert.ok(ds.firewallOf(i).every((e) => e.vendor === 'FortiGate' && e.host === 'FGT-EDGE'), 'devname is the vantage');
  const said = timeline(ds, i).filter((x) => x.kind === 'event').map((x) => x.text);
  assert.ok(said.some((t) => t.includes(SAY_FW.lateRstFromLog)), said.join('\n'));
});

test('action words give their class and the side that ended the session', async () => {
  const r = rows(await loadDataset([FG('reasons.log')]));
  const got = (p: number): string[] => [byPort(r, p).teardown, byPort(r, p).closed_by];
  assert.deepEqual(got(41001), ['graceful', 'none']);
  assert.deepEqual(got(41002), ['abort', 'orig'], 'client-rst: the source opened the session');
  assert.deepEqual(got(41003), ['abort', 'resp'], 'server-rst');
  assert.deepEqual(got(41004), ['timeout', 'none']);
  assert.deepEqual(got(41005), ['unanswered', 'none'], 'ip-conn');
  assert.deepEqual(got(41009), ['open', 'none'], 'an unknown word: the log does not say');
  assert.equal(byPort(r, 41009).firewall[0]!.reason, 'made-up');
  const long = byPort(r, 41006);
  assert.equal(long.teardown, 'graceful', 'the statistics line (log id 20) did not end the session');
  assert.equal(long.duration, 210);
  assert.equal(byPort(r, 41003).ts, Date.UTC(2023, 8, 8, 7, 2, 0) / 1000, 'no start log: end time minus duration');
  assert.equal(r.length, 7, 'UDP sessions make no TCP rows');
});

test('NAT: SNAT maps the source, DNAT the destination, both at once; a late RST to the mapped source joins its session', async () => {
  const r = await readSyslog(FG('nat.log'));
  assert.deepEqual(r.issues, []);
  const e = r.events as FwEvent[];
  assert.deepEqual(e[1]!.src, { addr: '192.0.2.10', port: 50000, iface: 'internal', mappedAddr: '203.0.113.1', mappedPort: 61000 });
  assert.deepEqual(e[1]!.dst, { addr: '198.51.100.80', port: 443, iface: 'wan1' });
  assert.deepEqual(e[4]!.dst, { addr: '203.0.113.10', port: 443, iface: 'internal', mappedAddr: '192.0.2.20', mappedPort: 8443 });
  assert.equal(e[4]!.src?.mappedAddr, undefined);
  assert.deepEqual([e[6]!.src?.mappedAddr, e[6]!.src?.mappedPort, e[6]!.dst?.mappedAddr, e[6]!.dst?.mappedPort], ['203.0.113.2', 62000, '192.0.2.22', 22]);
  const rr = rows(await loadDataset([FG('nat.log')]));
  assert.deepEqual([...byPort(rr, 50000).anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  assert.deepEqual([byPort(rr, 40000).teardown, byPort(rr, 40000).closed_by], ['abort', 'resp']);
  assert.deepEqual(byPort(rr, 40001).anomalies, ['firewall-only']);
  // trandisp noop: transip/tranip present but unused are no NAT; without trandisp the fields decide
  const line = (disp: string): FwEvent['src'] => {
    const p = parseFortigate(KB_SAMPLE.replace(' trandisp="noop"', disp + ' transip=203.0.113.9 transport=1234'));
    assert.ok(p && !('error' in p));
    return p.fields.src;
  };
  assert.equal(line(' trandisp="noop"')?.mappedAddr, undefined);
  assert.equal(line('')?.mappedAddr, '203.0.113.9');
});

test('IPv6: sessions and the late RST, addresses lower case', async () => {
  const r = rows(await loadDataset([FG('ipv6.log')]));
  const p = byPort(r, 51515);
  assert.deepEqual([p.orig_h, p.resp_h], ['2001:db8:1::10', '2001:db8:2::20']);
  assert.deepEqual([...p.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  assert.deepEqual([byPort(r, 51516).teardown, byPort(r, 51516).closed_by], ['abort', 'orig']);
  const up = parseFortigate(KB_SAMPLE.replace('srcip=192.0.2.101', 'srcip=2001:DB8::A'));
  assert.ok(up && !('error' in up));
  assert.equal(up.fields.src?.addr, '2001:db8::a');
});

test('FortiOS 5.0 to 7.x: status= or action=, eventtime in s / ns / µs / ms, date time tz, envelopes; devname is the host', async () => {
  const r = await readSyslog(FG('versions.log'));
  assert.deepEqual(r.issues, []);
  const e = r.events;
  assert.deepEqual(e.map((x) => x.reason), ['close', 'client-rst', 'server-rst', 'close', 'timeout', 'ip-conn', 'close']);
  assert.deepEqual(e.map((x) => x.host), ['FGT60D', 'FGT-56', 'FGT-60', 'FGT-62', 'FGT-70', 'FGT-72', 'FGT-62'], 'not the relay\'s 192.0.2.1 / relay01');
  const want = [1488804790, 1518433889, 1551975844, 1579105800.123456, 1622541600.654321, 1640995200.25, 1579105860];
  e.forEach((x, k) => assert.ok(Math.abs(x.ts - want[k]!) < 1e-6, `line ${k + 1}: ${x.ts} vs ${want[k]}`));
  assert.deepEqual([e[0]!.src?.mappedAddr, e[0]!.src?.mappedPort, e[0]!.bytes], ['203.0.113.3', 45748, 2313 + 14883], 'FortiOS 5.0 unquoted');
  // --tz moves the stamps written without zone (lines 1, 2) and nothing else
  const z = parseSyslogText(readFileSync(FG('versions.log'), 'utf8'), 'v.log', { tz: '+01:00' }).events;
  assert.deepEqual(z.map((x, k) => Math.round(x.ts - want[k]!)), [-3600, -3600, 0, 0, 0, 0, 0]);
  // the same instant in each magnitude of eventtime
  const at = (v: string): number | undefined => {
    const p = parseFortigate(KB_SAMPLE.replace('eventtime=1694148409', `eventtime=${v}`));
    return p && !('error' in p) ? p.epoch : undefined;
  };
  assert.deepEqual(['1694148409', '1694148409500', '1694148409500000', '1694148409500000000'].map(at), [1694148409, 1694148409.5, 1694148409.5, 1694148409.5]);
});

test('damaged lines are reported with file:line and skipped; the rest is read', async () => {
  const r = await readSyslog(FG('malformed.log'));
  assert.deepEqual(r.events.map((e) => e.line), [1, 8]);
  const bad = r.issues.filter((i) => i.code === 'bad-syslog-line');
  assert.deepEqual(bad.map((i) => i.line), [2, 3, 4, 5, 6]);
  assert.ok(bad.every((i) => i.file === FG('malformed.log') && i.message.startsWith('FortiGate: ')));
  assert.match(bad[0]!.message, /srcip "192\.0\.2\.300" is not an IP address/);
  assert.match(bad[1]!.message, /srcport "70063" is not a port/);
  assert.match(bad[2]!.message, /no closing quote/);
  assert.match(bad[3]!.message, /no action/);
  assert.match(bad[4]!.message, /impossible date\/time "2023-09-31 17:00:00"/);
  assert.equal(r.issues.find((i) => i.code === 'non-asa-lines')?.line, 7, 'the event log line is no traffic line');
});

test('denies: a retried deny is one denied row, a drop after a timeout is after-timeout, a drop of no session stands alone', async () => {
  const r = rows(await loadDataset([FG('denies.log')]));
  const rdp = byPort(r, 45000);
  assert.deepEqual([rdp.teardown, rdp.firewall.length], ['denied', 3]);
  assert.equal(byPort(r, 45001).teardown, 'denied');
  const to = byPort(r, 52000);
  assert.equal(to.teardown, 'timeout');
  assert.ok(to.anomalies.includes('after-timeout'));
  assert.ok(!to.anomalies.includes('rst-denied'), 'FortiOS logs no flags: a drop after a timeout is not claimed to be a RST');
  // (FortiOS gives no flags: a drop of no logged session claims nothing beyond the drop, see NO_SESSION_FLAGS)
  const alone = r.find((x) => x.resp_p === 443 && x.resp_h === '198.51.100.90')!;
  assert.deepEqual([alone.teardown, [...alone.anomalies].sort()], ['open', ['firewall-only']]);
});

test('mixed vendors: an ASA log and a FortiGate log in one run, and both in one file', async (t) => {
  const ds = await loadDataset([fixture('logs/seed-asa.log'), FG('seed-fortigate.log')]);
  const r = rows(ds);
  assert.equal(r.length, 4);
  const both = r.filter((x) => x.orig_p === 43918);
  assert.equal(both.length, 2, 'one row per log: each firewall is its own vantage');
  for (const x of both) assert.ok(x.anomalies.includes('late-rst'));
  assert.deepEqual(both.map((x) => x.resp_h).sort(), ['172.17.77.250', '192.0.2.250']);
  const dir = tmp(t);
  const one = join(dir, 'mixed.log');
  const asa = readFileSync(fixture('logs/seed-asa.log'), 'utf8').trim().split('\n');
  const fg = readFileSync(FG('seed-fortigate.log'), 'utf8').trim().split('\n');
  writeFileSync(one, [asa[0], fg[0], asa[1], fg[1], asa[2], fg[2]].join('\n') + '\n');
  const m = await readSyslog(one);
  assert.deepEqual(m.issues, []);
  assert.deepEqual(m.events.map((e) => e.vendor), ['ASA', 'FortiGate', 'ASA', 'FortiGate', 'ASA', 'FortiGate']);
});

test('a FortiGate line inside a SIEM\'s JSON export is read; control characters are stripped from the text', async (t) => {
  const dir = tmp(t);
  const lines = readFileSync(FG('seed-fortigate.log'), 'utf8').trim().split('\n');
  const nd = join(dir, 'graylog.ndjson');
  writeFileSync(nd, lines.map((l, k) => JSON.stringify({ timestamp: '2023-09-08T10:46:49.000Z', source: 'FGT-EDGE', message: l, _id: `id${k}` })).join('\n') + '\n');
  const ds = await loadDataset([nd]);
  assert.deepEqual([...byPort(rows(ds), 43918).anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  const p = parseFortigate(KB_SAMPLE.replace('service="SSH"', 'service="SS\u001b[2JH"'));
  assert.ok(p && !('error' in p));
  assert.equal(p.body.includes('\u001b'), false);
});

test('the generator: deterministic, every line read, and the counts it wrote are the rows rsttui finds', async (t) => {
  assert.equal(generateFortigateLog(500, 9), generateFortigateLog(500, 9));
  assert.notEqual(generateFortigateLog(500, 9), generateFortigateLog(500, 10));
  const dir = tmp(t);
  const path = join(dir, 'gen.log');
  const out: string[] = [];
  const truth = fortigateLines(12000, 4, (l) => out.push(l));
  writeFileSync(path, out.join('\n') + '\n');
  assert.equal(out.length, 12000);
  const one = await loadDataset([path], { worker: 'never' });
  assert.deepEqual(one.issues, []);
  const r = rows(one);
  const count = (f: (x: FlowRecord) => boolean): number => r.filter(f).length;
  assert.equal(count((x) => x.teardown === 'graceful'), truth.ends.close);
  assert.equal(count((x) => x.teardown === 'abort'), (truth.ends['client-rst'] ?? 0) + (truth.ends['server-rst'] ?? 0));
  assert.equal(count((x) => x.teardown === 'unanswered'), truth.ends['ip-conn']);
  assert.equal(count((x) => x.teardown === 'timeout'), truth.ends.timeout);
  assert.equal(count((x) => x.teardown === 'denied'), truth.denyBursts);
  assert.equal(count((x) => x.anomalies.includes('late-rst')), truth.lateRst);
  assert.equal(count((x) => x.anomalies.includes('after-timeout')), truth.afterTimeout);
  assert.ok(truth.lateRst > 100 && truth.afterTimeout > 0, JSON.stringify(truth));
  // read in two ranges by two workers: the same rows
  const two = await loadDataset([path], { worker: 'always' });
  assert.equal(two.fw.chunks.map((c) => c.range).filter((x, k, a) => a.indexOf(x) === k).length, 2, 'read in two ranges');
  assert.deepEqual(rows(two), r);
});

test('the timeline says a FortiGate no-session drop carries no flags instead of printing none', async () => {
  const { buildTimeline } = await import('../src/ui/view/ladder.js');
  const ds = await loadDataset([FG('seed-fortigate.log')]);
  const i = rows(ds).findIndex((x) => x.orig_p === 43918);
  const labels = buildTimeline(ds, i).rows.flatMap((r) => (r.kind === 'fw' ? [r.label] : []));
  const deny = labels.find((l) => l.includes('DENIED'));
  assert.ok(deny, labels.join('\n'));
  assert.match(deny, /no connection; the log gives no TCP flags/);
  assert.doesNotMatch(deny, / {2}/);
});
