/** `rsttui summary` on the demo: counts agree with the log and the demo's own README. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { BIN, fixture } from './helpers.js';

const files = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);

test('summary --json on the demo: classes, denies over time, top host', () => {
  const r = spawnSync('node', [BIN, 'summary', '--json', ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const log = readFileSync(files[2]!, 'utf8');
  const denies = (log.match(/%ASA-\d-106015:/g) ?? []).length;
  const builds = (log.match(/%ASA-\d-302013:/g) ?? []).length;
  // one row per connection the firewall built (every TCP connection of the demo was), plus one per
  // attempt it denied by policy (106023: never built), plus one per row Zeek's lifetime rules split
  // off an earlier row of the same 4-tuple (the firewall kept one connection there)
  const flows = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', ...files], { encoding: 'utf8' });
  const splits = flows.stdout.trimEnd().split('\n').filter((l) => JSON.parse(l).split !== null).length;
  assert.ok(splits > 0);
  assert.ok(s.teardown.denied > 0);
  assert.equal(s.connections, builds + s.teardown.denied + splits);
  assert.equal(s.firewall.messages['106015'], denies);
  assert.equal(s.firewall.denies.reduce((a: number, b: number) => a + b, 0), denies, 'every deny falls in a bucket');
  // the seed pattern: each fin-then-rst connection's late server RST was denied
  assert.equal(s.teardown['fin-then-rst'], s.anomalies['rst-denied']);
  assert.ok(s.teardown['fin-then-rst'] > 0);
  assert.equal(s.topHosts[0].host, '172.17.77.250', 'the server is in every anomalous connection');
  assert.equal(s.rstHistogram.counts.length, s.firewall.denies.length);
  // the findings: every connection in one, the seed's pattern as many as the fin-then-rst class
  assert.equal(s.findings.reduce((a: number, f: { count: number }) => a + f.count, 0), s.connections);
  const seed = s.findings.find((f: { name: string }) => f.name === 'tls-client-fin-rst-late-rst-denied');
  assert.equal(seed.count, s.teardown['fin-then-rst']);
  assert.equal(seed.severity, 'info');
  assert.equal(s.findings[0].severity, 'error', 'most severe first');
});

test('summary text starts with the findings; warn and error ones say cause, who and action', () => {
  const r = spawnSync('node', [BIN, 'summary', '--json', ...files], { encoding: 'utf8' });
  const { findings } = JSON.parse(r.stdout) as { findings: { severity: string; count: number; title: string; cause: string; who: string; action: string; filter: string }[] };
  const t = spawnSync('node', [BIN, 'summary', ...files], { encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  const text = t.stdout;
  assert.match(text, /^findings /);
  let at = 0;
  for (const f of findings) {
    const line = new RegExp(`^  ${f.severity}\\s+${f.count}  ${f.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
    const m = line.exec(text.slice(at));
    assert.ok(m, `the line of ${f.filter}`);
    at += m.index + m[0].length;
    const block = text.slice(at, text.indexOf(f.filter, at));
    assert.equal(/cause: /.test(block), f.severity !== 'info', `${f.filter}: cause only for warn and error`);
    if (f.severity !== 'info') assert.ok(block.includes('who:') && block.includes('action:') && block.includes(f.who.split(' ').slice(0, 3).join(' ')));
  }
  assert.ok(text.indexOf('teardown\n') > at, 'then the counts');
});

test('summary text shows the histogram with both columns when logs are given', () => {
  const r = spawnSync('node', [BIN, 'summary', ...files], { encoding: 'utf8' });
  assert.match(r.stdout, /connections ending in RST over time .*denies \(fw\.kind == deny-no-conn, every vendor\)/);
  assert.match(r.stdout, /firewall messages \(log clock - capture clock -1\.\d+ s\)/);
});
