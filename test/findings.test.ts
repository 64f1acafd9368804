/**
 * Findings (issue 17): the demo's seed pattern is one named, harmless finding with the count of its
 * fin-then-rst connections; a log alone with a late packet after an idle timeout gives an error; a
 * finding's filter selects exactly its connections; names are stable, unique per pattern, and the
 * top hosts and ports are exact.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { datasetTarget } from '../src/flows/filter-target.js';
import { filterIndices } from '../src/filter/index.js';
import { TEARDOWNS, anomalyBit } from '../src/model.js';
import { computeFindings, findingIndex, findingName } from '../src/analysis/findings.js';
import { findingWords } from '../src/analysis/finding-words.js';
import { forEachPattern, knownFindings } from '../src/analysis/finding-catalog.js';
import { packPattern } from '../src/analysis/finding-pattern.js';
import { SEVERITIES, type Finding } from '../src/analysis/finding-types.js';
import { ROOT, fixture } from './helpers.js';

const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);
const demo = await loadDataset(DEMO);
const all = (ds: Dataset): Uint32Array => Uint32Array.from({ length: ds.conns.count }, (_, i) => i);
const SEED = 'tls-client-fin-rst-late-rst-denied';

const LINE = (t: string, body: string, sev = 6): string => `<16${sev}>Jun 20 2018 ${t} fw1 : %ASA-${sev}-${body}`;

function tmpLog(t: { after: (f: () => void) => void }, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-findings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'asa.log');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('the demo: the seed pattern is one info finding with every fin-then-rst connection, and the first lines are the errors', () => {
  const f = computeFindings(demo, all(demo));
  const seed = f.find((x) => x.name === SEED);
  assert.ok(seed, `the seed is named: ${f.map((x) => x.name).join(' ')}`);
  assert.equal(seed.severity, 'info');
  const finRst = demo.conns.teardown.filter((t) => TEARDOWNS[t] === 'fin-then-rst').length;
  assert.ok(finRst > 0);
  assert.equal(seed.count, finRst, 'every fin-then-rst connection of the demo is the seed pattern');
  assert.match(seed.title, /client closes with FIN\+RST, no close_notify; server's late RST denied by the firewall/);
  assert.match(seed.cause, /close_notify/);
  assert.match(seed.who, /client/);
  assert.match(seed.action, /Nothing needed on the server or the firewall/);
  assert.match(seed.action, /106015/, "the demo's firewall is an ASA: its message is named");
  assert.equal(seed.examples.length, 3);
  for (const id of seed.examples) assert.equal(TEARDOWNS[demo.conns.teardown[id - 1]!], 'fin-then-rst');
  assert.deepEqual(seed.examples, [...seed.examples].sort((a, b) => a - b));
  assert.ok(seed.evidence.some((l) => l.startsWith('late-rst')) && seed.evidence.some((l) => l.startsWith('rst-denied')));
  // sorted: error, warn, info; within a severity, most connections first
  const rank = (x: Finding) => SEVERITIES.indexOf(x.severity);
  for (let k = 1; k < f.length; k++) {
    assert.ok(rank(f[k - 1]!) < rank(f[k]!) || (rank(f[k - 1]!) === rank(f[k]!) && f[k - 1]!.count >= f[k]!.count), `order at ${k}`);
  }
  // the demo's after-timeout connections: an error
  const late = f.find((x) => x.name === 'late-packet-after-idle-timeout');
  assert.equal(late?.severity, 'error');
  assert.equal(late.count, demo.conns.anomalies.filter((m) => m & anomalyBit('after-timeout')).length);
  assert.equal(f.reduce((n, x) => n + x.count, 0), demo.conns.count, 'every connection is in exactly one finding');
});

test('top hosts and ports, time span: what a count over the finding\'s connections gives', () => {
  for (const f of computeFindings(demo, all(demo))) {
    const rows = Array.from(filterIndices(f.filter, datasetTarget(demo)) as Uint32Array);
    const top = (v: (i: number) => string | number) => {
      const m = new Map<string | number, number>();
      for (const i of rows) m.set(v(i), (m.get(v(i)) ?? 0) + 1);
      return [...m.values()].sort((a, b) => b - a).slice(0, 5);
    };
    assert.deepEqual(f.servers.map((r) => r.count), top((i) => demo.addrs.text(demo.conns.respAddr[i]!)), f.name);
    assert.deepEqual(f.clients.map((r) => r.count), top((i) => demo.addrs.text(demo.conns.origAddr[i]!)), f.name);
    assert.deepEqual(f.ports.map((r) => r.count), top((i) => demo.conns.respPort[i]!), f.name);
    for (const s of f.servers) assert.equal(rows.filter((i) => demo.addrs.text(demo.conns.respAddr[i]!) === s.value).length, s.count);
    assert.equal(f.first, Math.min(...rows.map((i) => demo.conns.firstTs[i]!)));
  }
});

test('finding == NAME selects exactly the finding\'s connections, for every finding of several inputs', async () => {
  const sets = [demo, await loadDataset(['tcp/clean-close-client.pcap', 'tcp/fin-then-rst-late.pcap', 'tcp/rejected.pcap', 'tcp/abort-client.pcap', 'tcp/data-after-rst.pcap', 'tcp/tls13-no-close-notify.pcap'].map(fixture)),
    await loadDataset([fixture('logs/seed-asa.log')])];
  let checked = 0;
  for (const ds of sets) {
    const t = datasetTarget(ds);
    for (const f of computeFindings(ds, all(ds))) {
      const rows = filterIndices(f.filter, t) as Uint32Array;
      assert.equal(rows.length, f.count, f.filter);
      for (const i of rows) assert.equal(findingName(ds, i), f.name);
      checked++;
    }
    assert.equal(findingIndex(ds), findingIndex(ds), 'the per-dataset index is made once');
  }
  assert.ok(checked >= 10, `${checked} findings checked`);
  assert.equal((filterIndices('finding == no-such-finding', datasetTarget(demo)) as Uint32Array).length, 0);
  assert.equal((filterIndices(`finding contains fin-rst`, datasetTarget(demo)) as Uint32Array).length, computeFindings(demo, all(demo)).find((x) => x.name === SEED)!.count);
});

test('a log alone: a late packet after the idle timeout is an error, a firewall reset too, the seed from the log is info', async (t) => {
  const log = tmpLog(t, [
    LINE('10:01:00', '302013: Built inbound TCP connection 3 for outside:198.51.100.3/40003 (198.51.100.3/40003) to inside:10.0.0.1/22 (203.0.113.1/22)'),
    LINE('11:01:00', '302014: Teardown TCP connection 3 for outside:198.51.100.3/40003 to inside:10.0.0.1/22 duration 1:00:00 bytes 9000 Idle Timeout'),
    LINE('11:21:00', '106015: Deny TCP (no connection) from 198.51.100.3/40003 to 203.0.113.1/22 flags PSH ACK  on interface outside'),
    LINE('11:31:00', '302014: Teardown TCP connection 5 for outside:198.51.100.5/40005 to inside:10.0.0.1/80 duration 0:00:10 bytes 0 TCP Reset-APPLIANCE'),
    ...readFileSync(fixture('logs/seed-asa.log'), 'utf8').trim().split('\n'),
  ]);
  const ds = await loadDataset([log], { year: 2018 });
  const f = computeFindings(ds, all(ds));
  const late = f.find((x) => x.name === 'late-packet-after-idle-timeout');
  assert.equal(late?.severity, 'error');
  assert.equal(late.count, 1);
  assert.equal(ds.conns.origPort[late.examples[0]! - 1], 40003);
  assert.ok(late.evidence.some((l) => /log alone: every one/.test(l)));
  assert.equal(f.find((x) => x.name === 'firewall-reset')?.severity, 'error');
  assert.equal(f.find((x) => x.name === 'fin-close-late-rst-denied')?.severity, 'info', "the seed's connection as the log tells it");
  assert.equal(f[0]!.severity, 'error');
});

test('data lost at a RST (impact, given) makes the FIN+RST an error of its own', () => {
  const finRst = (i: number) => TEARDOWNS[demo.conns.teardown[i]!] === 'fin-then-rst';
  const f = computeFindings(demo, all(demo), { lost: (i) => finRst(i) && i % 2 === 0 });
  const lost = f.find((x) => x.name === 'client-reset-data-lost');
  assert.equal(lost?.severity, 'error');
  const seed = f.find((x) => x.name === SEED)!;
  assert.equal(lost.count + seed.count, demo.conns.teardown.filter((t) => TEARDOWNS[t] === 'fin-then-rst').length);
  assert.ok(lost.count > 0 && seed.count > 0);
  assert.ok(seed.evidence.includes('impact: no data lost at a RST'));
  assert.ok(lost.evidence.includes('impact: data lost at a RST in every one'));
  assert.equal(f[0]!.severity, 'error');
});

test('an empty selection gives no findings; a selection gives the findings of its connections only', () => {
  assert.deepEqual(computeFindings(demo, []), []);
  const some = filterIndices('tcp.dstport == 443', datasetTarget(demo)) as Uint32Array;
  const f = computeFindings(demo, some);
  assert.equal(f.reduce((n, x) => n + x.count, 0), some.length);
  const generator = { [Symbol.iterator]: function* () { yield* some; } };
  assert.deepEqual(computeFindings(demo, generator), f, 'any iterable');
});

test('names are stable: the same inputs give the same names, and each name is one pattern or one known rule', async () => {
  const again = await loadDataset(DEMO);
  const a = computeFindings(demo, all(demo)), b = computeFindings(again, all(again));
  assert.deepEqual(b.map((x) => [x.name, x.count]), a.map((x) => [x.name, x.count]));
  const names = new Map<string, { sig: number; known: boolean }>();
  let patterns = 0;
  forEachPattern((p) => {
    patterns++;
    const w = findingWords(p);
    assert.match(w.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, w.name);
    assert.ok(w.title.length > 0 && w.cause.length > 0 && w.who.length > 0 && w.action.length > 0);
    // vendor-neutral: a name or title never names a vendor; a known finding's words name one only
    // when the log says which (composed words quote the glossary, whose examples are the ASA's)
    const vendorish = /\b(ASA|FTD|PIX|PAN-OS|FortiGate|SRX|netfilter|pf)\b|106015/;
    assert.doesNotMatch(`${w.name} ${w.title}`, vendorish, w.name);
    if (w.known) assert.doesNotMatch(`${w.cause} ${w.who} ${w.action}`, vendorish, w.name);
    const had = names.get(w.name);
    if (had) assert.ok(had.known && w.known, `${w.name} names two patterns, not both by a known rule`);
    else names.set(w.name, { sig: packPattern(p), known: w.known });
  });
  assert.ok(patterns > 1000);
  assert.ok(knownFindings().some((w) => w.name === SEED));
  // the firewall's vendor changes the action only
  const seedP = { teardown: 'fin-then-rst', closedBy: 'resp', rstBy: 'orig', fw: 'late-deny', lost: false, anomalies: anomalyBit('rst-after-fin') | anomalyBit('late-rst') | anomalyBit('no-close-notify') | anomalyBit('rst-denied') } as const;
  const plain = findingWords(seedP), fgt = findingWords(seedP, 'FortiGate'), ftd = findingWords(seedP, 'FTD');
  assert.equal(plain.name, SEED);
  assert.deepEqual([fgt.name, fgt.title, fgt.severity], [plain.name, plain.title, plain.severity]);
  assert.match(fgt.action, /log-invalid-packet/);
  assert.match(ftd.action, /106015/);
});

test('the README names every known finding with its severity', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const w of knownFindings()) assert.ok(readme.includes(`\`${w.name}\``), `README lacks finding ${w.name}`);
  const section = readme.slice(readme.indexOf('### Findings ('));
  assert.ok(section.length > 0);
  for (const w of knownFindings()) {
    const row = section.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${w.name}\``));
    assert.ok(row?.includes(`| ${w.severity} |`), `README row of ${w.name} says ${w.severity}: ${row}`);
  }
});

test('captures with real breakage: the impact column makes the aborts that lost data error findings, the harmless FIN+RST stays info', async () => {
  // abort-in-flight: the client's RST with the server's response in flight (impact: data lost)
  const lost = await loadDataset([fixture('tcp/abort-in-flight.pcap'), fixture('tcp/data-to-closed.pcap')]);
  const f = computeFindings(lost, all(lost));
  assert.equal(f.length, 2);
  for (const x of f) assert.equal(x.severity, 'error', `${x.name}: ${x.title}`);
  assert.deepEqual(f.map((x) => x.name).sort(), ['client-reset-data-lost', 'server-reset-data-lost']);
  for (let i = 0; i < lost.conns.count; i++) assert.equal(lost.conns.dataLost[i], 1);
  // the seed's FIN+RST, alone: every byte acknowledged, nothing lost, info
  const seed = await loadDataset([fixture('tcp/fin-then-rst-late.pcap')]);
  const g = computeFindings(seed, all(seed));
  assert.equal(g.length, 1);
  assert.equal(g[0]!.severity, 'info');
  assert.equal(seed.conns.dataLost[0], 0);
});
