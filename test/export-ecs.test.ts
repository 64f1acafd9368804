/**
 * `flows --format ecs`: every document checked field by field against the Elastic Common Schema
 * (the field exists in ECS, its type: ip, long, port, date, keyword; arrays where ECS says arrays;
 * allowed values of the categorization fields), a log-only connection and captured ones, NAT from
 * the ASA fixtures (source NAT in messages.log, destination NAT in the demo, seen from either side
 * of the firewall), Community ID v1 against the spec's baseline values, and the CLI end to end.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isIP } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { communityId, ecsFlow, ecsOutcome, ecsRecord, isoMicros, type EcsFlow } from '../src/export/ecs.js';
import { TEARDOWNS } from '../src/model.js';
import { BIN, fixture } from './helpers.js';

// ---- the schema: ECS 8.x field types (ECS field reference) for every field the documents use ----

type EcsType = 'ip' | 'long' | 'port' | 'date' | 'keyword';
/** field -> [type, array]: `array` where ECS documents the field as an array */
const ECS_FIELDS: Record<string, [EcsType, boolean]> = {
  '@timestamp': ['date', false],
  'ecs.version': ['keyword', false],
  'event.kind': ['keyword', false],
  'event.category': ['keyword', true],
  'event.type': ['keyword', true],
  'event.action': ['keyword', false],
  'event.outcome': ['keyword', false],
  'event.reason': ['keyword', false],
  'event.start': ['date', false],
  'event.end': ['date', false],
  'event.duration': ['long', false],
  'source.ip': ['ip', false],
  'source.port': ['port', false],
  'source.bytes': ['long', false],
  'source.packets': ['long', false],
  'source.nat.ip': ['ip', false],
  'source.nat.port': ['port', false],
  'destination.ip': ['ip', false],
  'destination.port': ['port', false],
  'destination.bytes': ['long', false],
  'destination.packets': ['long', false],
  'destination.nat.ip': ['ip', false],
  'destination.nat.port': ['port', false],
  'network.transport': ['keyword', false],
  'network.iana_number': ['keyword', false],
  'network.type': ['keyword', false],
  'network.bytes': ['long', false],
  'network.packets': ['long', false],
  'network.community_id': ['keyword', false],
  'observer.vendor': ['keyword', false],
  'observer.product': ['keyword', false],
  'observer.type': ['keyword', false],
  'observer.name': ['keyword', false],
  'observer.ingress.interface.name': ['keyword', false],
  'observer.egress.interface.name': ['keyword', false],
  'rule.name': ['keyword', false],
  'related.ip': ['ip', true],
};
/** allowed values of the categorization fields (ECS "Categorization Fields"; event.type: those expected with category network) */
const ALLOWED: Record<string, readonly string[]> = {
  'event.kind': ['alert', 'asset', 'enrichment', 'event', 'metric', 'state', 'pipeline_error', 'signal'],
  'event.category': ['network'],
  'event.type': ['access', 'allowed', 'connection', 'denied', 'end', 'error', 'info', 'protocol', 'start'],
  'event.outcome': ['failure', 'success', 'unknown'],
  'network.transport': ['tcp'],
  'network.type': ['ipv4', 'ipv6'],
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Every leaf of an ECS document (outside rsttui.*) is an ECS field of the right type; the problems found. */
function ecsProblems(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const check = (name: string, v: unknown): void => {
    const spec = ECS_FIELDS[name];
    if (!spec) return void out.push(`${name}: not an ECS field this mapping knows`);
    const [type, array] = spec;
    if (Array.isArray(v) !== array) return void out.push(`${name}: ${array ? 'not an array' : 'an array'}`);
    for (const x of array ? (v as unknown[]) : [v]) {
      const ok = type === 'ip' ? typeof x === 'string' && isIP(x) !== 0
        : type === 'long' ? Number.isSafeInteger(x) && (x as number) >= 0
        : type === 'port' ? Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65535
        : type === 'date' ? typeof x === 'string' && ISO.test(x) && !Number.isNaN(Date.parse(x))
        : typeof x === 'string' && x !== '';
      if (!ok) out.push(`${name}: ${JSON.stringify(x)} is no ${type}`);
      if (ALLOWED[name] && !ALLOWED[name].includes(x as string)) out.push(`${name}: ${JSON.stringify(x)} is not an allowed value`);
    }
  };
  const walk = (o: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const name = prefix + k;
      if (name === 'rsttui') continue;
      if (v === null) out.push(`${name}: null`);
      else if (typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${name}.`);
      else check(name, v);
    }
  };
  walk(doc, '');
  for (const must of ['@timestamp', 'event.kind', 'event.category', 'event.type', 'event.start', 'event.end', 'event.duration', 'source.ip', 'source.port', 'destination.ip', 'destination.port', 'network.transport']) {
    if (must.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc) === undefined) out.push(`${must}: missing`);
  }
  return out;
}

/** A document as an index gets it: through JSON (undefined fields left out). */
const asJson = (d: EcsFlow): Record<string, unknown> => JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
const all = (ds: Dataset): EcsFlow[] => Array.from({ length: ds.conns.count }, (_, i) => ecsFlow(ds, i));

test('the validator itself rejects wrong types, unknown fields, wrong arrays and values', () => {
  const good = asJson(ecsRecord({ ...BASE }));
  assert.deepEqual(ecsProblems(good), []);
  const bad = (f: (d: any) => void): string[] => { const d = structuredClone(good) as any; f(d); return ecsProblems(d); };
  assert.notDeepEqual(bad((d) => { d.source.ip = '10.0.0.300'; }), []);
  assert.notDeepEqual(bad((d) => { d.source.port = 65536; }), []);
  assert.notDeepEqual(bad((d) => { d.event.duration = 1.5; }), []);
  assert.notDeepEqual(bad((d) => { d.event.start = '1529488800'; }), []);
  assert.notDeepEqual(bad((d) => { d.event.type = 'end'; }), []);
  assert.notDeepEqual(bad((d) => { d.event.outcome = 'allow'; }), []);
  assert.notDeepEqual(bad((d) => { d.source.address = 'x'; }), []);
  assert.notDeepEqual(bad((d) => { delete d['@timestamp']; }), []);
});

// a captured connection, the record's fields as flowRecord gives them
const BASE: FlowRecord = {
  id: 7, orig_h: '192.0.2.10', orig_p: 50000, resp_h: '198.51.100.80', resp_p: 443, ts: 1529488800.443687, duration: 1.5,
  orig_pkts: 6, resp_pkts: 5, orig_bytes: 300, resp_bytes: 4000, conn_state: 'SF', history: 'ShADadFf', teardown: 'graceful',
  closed_by: 'orig', anomalies: [], vantages: ['inside'], firewall: [], fw_bytes: null, unacked_orig: 0, unacked_resp: 0, data_lost: false,
  related: [], split: null,
};

test('Community ID v1: the spec baseline values (corelight/community-id-spec baseline/), both directions, seed 1', () => {
  // baseline/README.md "Default settings" and baseline_deflt.json
  const cases: [string, string, number, number, number, number, string][] = [
    ['1.2.3.4', '5.6.7.8', 1122, 3344, 6, 0, '1:wCb3OG7yAFWelaUydu0D+125CLM='],
    ['5.6.7.8', '1.2.3.4', 3344, 1122, 6, 0, '1:wCb3OG7yAFWelaUydu0D+125CLM='],
    ['1.2.3.4', '5.6.7.8', 1122, 3344, 17, 0, '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg='],
    ['1.2.3.4', '5.6.7.8', 1122, 3344, 6, 1, '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk='],
    ['128.232.110.120', '66.35.250.204', 34855, 80, 6, 0, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
    ['66.35.250.204', '128.232.110.120', 80, 34855, 6, 0, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
    ['2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, 6, 0, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4='],
    ['2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, 6, 0, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4='],
    ['192.168.1.52', '8.8.8.8', 54585, 53, 17, 0, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
  ];
  for (const [s, d, sp, dp, proto, seed, want] of cases) assert.equal(communityId(s, d, sp, dp, proto, seed), want, `${s}:${sp} ${d}:${dp} proto ${proto} seed ${seed}`);
  assert.equal(communityId('1.2.3', '5.6.7.8', 1, 2), undefined);
  assert.equal(communityId('1.2.3.256', '5.6.7.8', 1, 2), undefined);
  assert.equal(communityId('1.2.3.4', '::1', 1, 2), undefined, 'mixed families');
});

test('times: ISO 8601 UTC with microseconds, the same instant as the epoch value', () => {
  for (const t of [0, 1529488800, 1529488800.443687, 1529488799.9999996, 1704067199.000001, 951782400.5]) {
    const s = isoMicros(t);
    assert.match(s, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const us = Math.round(t * 1e6);
    assert.equal(Date.parse(s), Math.floor(us / 1000), s);
    assert.equal(Number(s.slice(20, 26)), us % 1e6, s);
  }
});

test('outcome and event.type by class: success for a FIN close, failure for a cut or refused one, unknown while open', () => {
  const byClass = Object.fromEntries(TEARDOWNS.map((t) => [t, ecsOutcome(t, [])]));
  assert.deepEqual(byClass, {
    graceful: 'success', 'fin-then-rst': 'success', abort: 'failure', rejected: 'failure', unanswered: 'failure', 'half-closed': 'unknown',
    open: 'unknown', timeout: 'failure', 'firewall-reset': 'failure', denied: 'failure',
  });
  // the late RST after a FIN close is noise; a packet sent into a connection the firewall timed out is a failure
  assert.equal(ecsOutcome('graceful', ['late-rst', 'rst-denied']), 'success');
  assert.equal(ecsOutcome('open', ['after-timeout']), 'failure');
  for (const t of TEARDOWNS) {
    const d = asJson(ecsRecord({ ...BASE, teardown: t }));
    assert.deepEqual(ecsProblems(d), [], t);
    const type = (d.event as { type: string[] }).type;
    assert.equal(type[0], 'connection');
    assert.equal(type.includes('denied'), t === 'denied', t);
    assert.equal(type.includes('end'), !['open', 'half-closed', 'denied'].includes(t), t);
  }
});

test('a captured connection without logs: packets and bytes per side, duration in integer ns, no observer', () => {
  const d = ecsRecord({ ...BASE, duration: 2.536447 });
  assert.deepEqual(ecsProblems(asJson(d)), []);
  assert.deepEqual(d.source, { ip: '192.0.2.10', port: 50000, packets: 6, bytes: 300 });
  assert.deepEqual(d.destination, { ip: '198.51.100.80', port: 443, packets: 5, bytes: 4000 });
  assert.equal(d.network.packets, 11);
  assert.equal(d.network.bytes, 4300);
  assert.equal(d.event.duration, 2_536_447_000);
  assert.equal(d['@timestamp'], '2018-06-20T10:00:00.443687Z');
  assert.equal(d.event.end, '2018-06-20T10:00:02.980134Z');
  assert.equal(d.observer, undefined);
  assert.equal(d.rule, undefined);
  assert.equal(d.rsttui.conn_state, 'SF');
});

test('the pure mapping: NAT seen from either side gives the same ECS endpoints; identity mappings are no NAT', () => {
  const fwOrig = { addr: '10.0.0.8', port: 51000, mappedAddr: '203.0.113.8', mappedPort: 32000, iface: 'inside' };
  const inside = ecsRecord({ ...BASE, orig_h: '10.0.0.8', orig_p: 51000 }, { vendor: 'ASA', orig: fwOrig });
  const outside = ecsRecord({ ...BASE, orig_h: '203.0.113.8', orig_p: 32000 }, { vendor: 'ASA', orig: fwOrig });
  for (const d of [inside, outside]) {
    assert.deepEqual(d.source, { ip: '10.0.0.8', port: 51000, nat: { ip: '203.0.113.8', port: 32000 }, packets: 6, bytes: 300 });
    assert.deepEqual(ecsProblems(asJson(d)), []);
    assert.deepEqual(d.related.ip, ['10.0.0.8', '198.51.100.80', '203.0.113.8']);
    assert.equal(d.network.community_id, communityId('10.0.0.8', '198.51.100.80', 51000, 443), 'of source/destination as written');
  }
  const same = ecsRecord({ ...BASE }, { vendor: 'ASA', orig: { addr: '192.0.2.10', port: 50000, mappedAddr: '192.0.2.10', mappedPort: 50000 } });
  assert.equal(same.source.nat, undefined);
  // port translation alone is NAT too
  const pat = ecsRecord({ ...BASE }, { vendor: 'ASA', orig: { addr: '192.0.2.10', port: 50000, mappedAddr: '192.0.2.10', mappedPort: 1024 } });
  assert.deepEqual(pat.source.nat, { ip: '192.0.2.10', port: 1024 });
  // every vendor has an observer product; the Cisco family says Cisco
  for (const v of ['ASA', 'FTD', 'PIX', 'PAN-OS', 'FortiGate', 'SRX', 'netfilter', 'pf'] as const) {
    const d = asJson(ecsRecord({ ...BASE }, { vendor: v }));
    assert.deepEqual(ecsProblems(d), [], v);
    assert.equal((d.observer as { type: string }).type, 'firewall');
  }
  assert.equal(ecsRecord({ ...BASE }, { vendor: 'FTD' }).observer?.vendor, 'Cisco');
});

test('ASA log alone (messages.log): log-only connections, source NAT from the Built line, device, interfaces, rule, reason', async () => {
  const ds = await loadDataset([fixture('logs/messages.log')]);
  const docs = all(ds);
  assert.ok(docs.length >= 8);
  for (const d of docs) assert.deepEqual(ecsProblems(asJson(d)), [], JSON.stringify(d));
  // 302013 "Built outbound TCP connection 1001 for outside:198.51.100.20/443 (198.51.100.20/443) to inside:10.0.0.8/51000 (203.0.113.8/32000)"
  const nat = docs.find((d) => d.source.ip === '10.0.0.8' && d.source.port === 51000)!;
  assert.ok(nat, 'the NATed connection');
  assert.equal(nat.rsttui.conn_state, null);
  assert.equal(nat.rsttui.history, null);
  assert.deepEqual(nat.source.nat, { ip: '203.0.113.8', port: 32000 });
  assert.equal(nat.destination.nat, undefined, 'the server side maps to itself');
  assert.equal(nat.source.packets, undefined, 'no packets known');
  assert.equal(nat.network.packets, undefined);
  assert.equal(nat.network.bytes, 123456, "the Teardown's byte count");
  assert.deepEqual(nat.observer, { vendor: 'Cisco', product: 'ASA', type: 'firewall', name: 'fw01', ingress: { interface: { name: 'inside' } }, egress: { interface: { name: 'outside' } } });
  assert.equal(nat.event.reason, 'TCP Reset-O');
  assert.equal(nat.event.action, 'abort');
  assert.equal(nat.event.outcome, 'failure');
  assert.deepEqual(nat.event.type, ['connection', 'end']);
  assert.equal(nat['@timestamp'], '2018-06-20T10:00:00.000000Z');
  assert.equal(nat.event.duration, 2e9);
  assert.deepEqual(nat.rsttui.firewall.map((e) => [e.msgid, e.ts]), [[302013, '2018-06-20T10:00:00.000000Z'], [302014, '2018-06-20T10:00:02.000000Z']]);
  // 106023 "Deny tcp src outside:198.51.100.31/41001 dst inside:10.0.0.10/3389 by access-group "outside_access_in""
  const denied = docs.find((d) => d.source.ip === '198.51.100.31')!;
  assert.deepEqual(denied.event.type, ['connection', 'denied']);
  assert.equal(denied.rule?.name, 'outside_access_in');
  assert.equal(denied.network.bytes, undefined, 'no count');
  const v6 = docs.find((d) => d.source.ip === '2001:db8:1::20' && d.rsttui.teardown === 'unanswered')!;
  assert.equal(v6.network.type, 'ipv6');
  // rsttui's verdicts ride along unchanged
  for (let i = 0; i < docs.length; i++) {
    const r = flowRecord(ds, i);
    const { firewall, ...rest } = docs[i]!.rsttui;
    const { firewall: fw, orig_h: _a, orig_p: _b, resp_h: _c, resp_p: _d, ts: _e, duration: _f, orig_pkts: _g, resp_pkts: _h, orig_bytes: _i, resp_bytes: _j, ...verdicts } = r;
    assert.deepEqual(rest, verdicts);
    assert.deepEqual(firewall.map((e) => [e.msgid, e.text, e.reason, Date.parse(e.ts!) / 1000]), fw.map((e) => [e.msgid, e.text, e.reason, e.ts]));
  }
});

test('captures and the ASA log (demo): destination NAT the same from the inside, the outside or both captures', async () => {
  const demo = (f: string): string => fixture(`demo/${f}`);
  const views = await Promise.all([[demo('inside.pcap')], [demo('outside.pcap')], [demo('inside.pcap'), demo('outside.pcap')]].map((caps) => loadDataset([...caps, demo('asa.log')])));
  const seen = views.map((ds) => flowRecord(ds, 0).resp_h);
  assert.ok(seen.includes('172.17.77.250') && seen.includes('192.0.2.80'), `the captures see the server by both addresses: ${seen}`);
  for (const ds of views) {
    const docs = all(ds);
    for (const d of docs) assert.deepEqual(ecsProblems(asJson(d)), [], JSON.stringify(d));
    const d = docs[0]!;
    assert.equal(typeof d.rsttui.conn_state, 'string', 'a captured connection');
    assert.deepEqual({ ip: d.destination.ip, port: d.destination.port, nat: d.destination.nat }, { ip: '172.17.77.250', port: 443, nat: { ip: '192.0.2.80', port: 443 } });
    const r = flowRecord(ds, 0);
    assert.equal(d.source.packets, r.orig_pkts);
    assert.equal(d.destination.bytes, r.resp_bytes);
    assert.equal(d.network.packets, r.orig_pkts + r.resp_pkts);
    assert.equal(d.event.duration, Math.round(r.duration * 1e6) * 1000);
    assert.equal(Date.parse(d.event.end!) - Date.parse(d.event.start!), Math.floor((r.ts + r.duration) * 1000) - Math.floor(r.ts * 1000));
    assert.equal(d.observer?.name, '172.17.70.1');
  }
  const ids = views.map((ds) => ecsFlow(ds, 0).network.community_id);
  assert.equal(new Set(ids).size, 1, 'the same Community ID whichever side was captured');
});

test('CLI: flows --format ecs prints one valid document a line, the same as ecsFlow; export --format ecs writes them; the help names it', async () => {
  const log = fixture('logs/messages.log');
  const cap = fixture('tcp/fin-then-rst.pcap');
  const r = spawnSync(process.execPath, [BIN, 'flows', '--format', 'ecs', log, cap], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const ds = await loadDataset([log, cap]);
  assert.equal(lines.length, ds.conns.count);
  lines.forEach((l, i) => {
    const d = JSON.parse(l) as Record<string, unknown>;
    assert.deepEqual(ecsProblems(d), [], l);
    assert.equal(l, JSON.stringify(ecsFlow(ds, i)));
  });
  assert.ok(lines.some((l) => (JSON.parse(l) as EcsFlow).rsttui.conn_state === null) && lines.some((l) => (JSON.parse(l) as EcsFlow).rsttui.conn_state !== null));
  // a filter selects documents as it selects rows
  const f = spawnSync(process.execPath, [BIN, 'flows', '--format', 'ecs', '--filter', 'teardown == denied', log], { encoding: 'utf8' });
  assert.equal(f.status, 0, f.stderr);
  const denied = f.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as EcsFlow);
  assert.ok(denied.length >= 3);
  for (const d of denied) assert.deepEqual(d.event.type, ['connection', 'denied']);
  // export writes the same lines
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-ecs-'));
  try {
    const out = join(dir, 'flows.ndjson');
    const e = spawnSync(process.execPath, [BIN, 'export', '--format', 'ecs', '-o', out, log, cap], { encoding: 'utf8' });
    assert.equal(e.status, 0, e.stderr);
    assert.equal(readFileSync(out, 'utf8'), r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bad = spawnSync(process.execPath, [BIN, 'flows', '--format', 'elastic', log], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /one of table, ndjson, csv, zeek, ecs/);
  const help = spawnSync(process.execPath, [BIN, 'flows', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--format table\|ndjson\|csv\|zeek\|ecs/);
});
