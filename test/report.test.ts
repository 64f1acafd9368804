/**
 * `rsttui report` end to end: Markdown and HTML on the demo (sections, the histogram against the
 * dataset's own RST-ended connections, well-formed self-contained HTML), escaping of log text and
 * names, `-o` (atomic, never over an input, never over an existing file without --force), --filter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, fixture } from './helpers.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { RST, TEARDOWNS } from '../src/model.js';
import { FW_KINDS } from '../src/read/asa.js';
import { checkHtml } from './html-check.js';
import { HEADLINE } from '../src/export/report-model.js';
import { generateAsaLog } from '../bench/gen-asa.js';

const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, 'report', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Connections with a RST in any packet at any vantage, counted from the packet table. */
function rstEnded(ds: Dataset, keep: (i: number) => boolean = () => true): number {
  let n = 0;
  for (let i = 0; i < ds.conns.count; i++) {
    if (!keep(i)) continue;
    for (const r of ds.packetRows(i)) {
      if (ds.packets.flags(r) & RST) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** The histogram table of a Markdown report: [RST-ended, denies] per bucket. */
function mdHistogram(md: string): number[][] {
  return [...md.matchAll(/^\| \d{4}-\d\d-\d\d [\d:.]+ \| (\d+) \|(?: (\d+) \|)?/gm)].map((m) => [Number(m[1]), Number(m[2] ?? 0)]);
}

let ds: Dataset;
let dir = '';
test.before(async () => {
  ds = await loadDataset(DEMO);
  dir = mkdtempSync(join(tmpdir(), 'rsttui-report-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('markdown on the demo: the sections in order, and the histogram adds up to the RST-ended connections', () => {
  const r = run(DEMO);
  assert.equal(r.status, 0, r.stderr);
  const md = r.stdout;
  const heads = ['# rsttui report: ', 'In short: ', '## Inputs', '## Findings', '## RST-ended connections and firewall "no connection" denies over time', '## 1. ['];
  const at = heads.map((h) => md.indexOf(h));
  for (const [k, h] of heads.entries()) assert.ok(at[k]! >= 0, `no ${h}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, 'sections out of order');
  assert.match(md.split('\n')[0]!, new RegExp(`^# rsttui report: ${ds.conns.count} connections, `));
  // every input, with its packet count
  for (const f of ds.files) assert.match(md, new RegExp(`\\| \`${f.name}\` \\| pcap \\| ${f.end - f.first} \\|`));
  assert.match(md, /\| `asa\.log` \| ASA \| /);
  assert.match(md, /Log clock - capture clock: -1\.33 s/);
  const h = mdHistogram(md);
  assert.equal(h.length, 24);
  assert.equal(h.reduce((s, b) => s + b[0]!, 0), rstEnded(ds), 'RST column vs the packet table');
  const denies = (readFileSync(DEMO[2]!, 'utf8').match(/%ASA-\d-106015:/g) ?? []).length;
  assert.equal(h.reduce((s, b) => s + b[1]!, 0), denies, 'deny column vs the log');
  // one section per finding, each with an example ladder in a fenced block
  const rows = [...md.matchAll(/^\| (\d+) \| (error|warn|info) \| (\d+) \|/gm)];
  assert.ok(rows.length > 0);
  assert.equal(rows.reduce((s, m) => s + Number(m[3]), 0), ds.conns.count, 'the findings cover every connection once');
  assert.equal([...md.matchAll(/^## \d+\. \[(error|warn|info)\] /gm)].length, rows.length);
  assert.equal([...md.matchAll(/^```text$/gm)].length, rows.length);
  // the first lines name every finding (the demo has fewer than HEADLINE), the seed's FIN+RST
  // connections among them as one harmless (info) pattern
  const short = [...md.slice(0, md.indexOf('## Inputs')).matchAll(/^- \*\*(error|warn|info)\*\*, (\d+) connections?: .* Why: .* Who can act: /gm)];
  assert.equal(short.length, Math.min(rows.length, HEADLINE));
  let finRst = 0;
  for (let i = 0; i < ds.conns.count; i++) if (TEARDOWNS[ds.conns.teardown[i]!] === 'fin-then-rst') finRst++;
  assert.ok(finRst > 0);
  assert.ok(short.some((m) => m[1] === 'info' && Number(m[2]) === finRst), `no info finding of the ${finRst} FIN+RST connections in the first lines`);
  // most severe first
  const sev = rows.map((m) => ['error', 'warn', 'info'].indexOf(m[2]!));
  assert.deepEqual([...sev].sort((a, b) => a - b), sev);
  // no HTML, no control characters
  assert.doesNotMatch(md, /<\/?[a-z][^>]*>/i);
  assert.doesNotMatch(md, /[\u0000-\u0008\u000b-\u001f\u007f]/);
});

test('the first line says which finding explains the spike: on the demo the seed\'s harmless FIN+RST pattern; on lost data, breakage', () => {
  const md = run(DEMO).stdout;
  const lead = md.split('\n')[2]!;
  let finRst = 0, seedDenies = 0;
  const noConn = ds.fw.chunks.reduce((s, c) => s + [...c.kind.subarray(0, c.n)].filter((k) => k === FW_KINDS.indexOf('deny-no-conn')).length, 0);
  for (let i = 0; i < ds.conns.count; i++) {
    if (TEARDOWNS[ds.conns.teardown[i]!] !== 'fin-then-rst') continue;
    finRst++;
    for (const e of ds.fwEvents(i)) if (FW_KINDS[ds.fw.kind(e)] === 'deny-no-conn') seedDenies++;
  }
  assert.ok(seedDenies > 0 && seedDenies < noConn, `${seedDenies} of ${noConn}`);
  assert.match(lead, new RegExp(`^\\*\\*What explains the spike:\\*\\* ${seedDenies} of the ${noConn} firewall "no connection" denies and ${finRst} of the ${rstEnded(ds)} RST-ended connections belong to one pattern, finding \\d+ \\(info, harmless, ${finRst} connections\\): client closes with FIN\\+RST`));
  assert.match(lead, /Who can act: The owners of the client application/);
  const lost = run([fixture('tcp/abort-in-flight.pcap')]).stdout.split('\n')[2]!;
  assert.match(lost, /^\*\*What explains the spike:\*\* the one RST-ended connection belongs to one pattern, finding 1 \(error, real breakage/);
  assert.match(run(['--format', 'html', ...DEMO]).stdout, /<p class="spike"><strong>What explains the spike:<\/strong> \d+ of the \d+ firewall &#34;no connection&#34; denies/);
});

test('html on the demo: well formed, self-contained, the charts and one ladder per finding', () => {
  const r = run(['--format', 'html', ...DEMO]);
  assert.equal(r.status, 0, r.stderr);
  const html = r.stdout;
  assert.match(html, /^<!doctype html>/);
  checkHtml(html);
  assert.doesNotMatch(html, /https?:/i, 'a network reference');
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import/i);
  for (const m of html.matchAll(/url\(([^)]*)\)/g)) assert.match(m[1]!, /^#/, `url(${m[1]}) is not in the page`);
  const findings = [...html.matchAll(/<section class="finding"/g)].length;
  assert.ok(findings > 0);
  assert.equal([...html.matchAll(/<svg class="ladder"/g)].length, findings);
  assert.equal([...html.matchAll(/<svg class="chart time-chart"/g)].length, 1);
  assert.equal([...html.matchAll(/<svg class="chart findings-chart"/g)].length, 1);
  assert.equal([...html.matchAll(/<rect class="bar finding /g)].length, findings);
  // a bar per non-empty bucket, and their titles add up to the RST-ended connections
  const rst = [...html.matchAll(/<rect class="bar rst"[^>]*><title>[^<]*: (\d+) connections? ended in RST<\/title>/g)];
  assert.equal(rst.reduce((s, m) => s + Number(m[1]), 0), rstEnded(ds));
  assert.ok([...html.matchAll(/<rect class="bar deny"/g)].length > 0);
  // the seed's denied RST is drawn as such in its ladder
  assert.match(html, /<g class="step packet rst denied">/);
});

test('text from logs and names is escaped in html and stripped of control characters in markdown', () => {
  const log = fixture('logs/report-escape.log');
  const raw = readFileSync(log, 'utf8');
  assert.ok(raw.includes('<script>') && raw.includes('\x1b'), 'the fixture carries the markup and the escape');
  const cap = fixture('tcp/fin-then-rst.pcap');
  const name = ['--name', `${cap}=<b>inside</b>&"x"`];
  const h = run(['--format', 'html', ...name, cap, log]);
  assert.equal(h.status, 0, h.stderr);
  checkHtml(h.stdout);
  assert.doesNotMatch(h.stdout, /<script|<\/script|<b>/i);
  assert.match(h.stdout, /&#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62;/, 'the log text is shown, escaped');
  assert.match(h.stdout, /&#60;b&#62;inside&#60;\/b&#62;&#38;&#34;x&#34;/, 'the vantage name is shown, escaped');
  assert.doesNotMatch(h.stdout, /\x1b/);
  const m = run([...name, cap, log]);
  assert.equal(m.status, 0, m.stderr);
  assert.doesNotMatch(m.stdout, /\x1b/);
  assert.match(m.stdout, /firewall removed the connection \(<script>alert\("x"\)<\/script>/, 'in markdown the log text is in a fenced block');
  // outside code, markup characters are escaped: the name is in a code span
  assert.match(m.stdout, /\| `<b>inside<\/b>&"x"` \| pcap \|/);
});

test('-o writes atomically, refuses an input (any name of it) and an existing file without --force', () => {
  const d = mkdtempSync(join(dir, 'out-'));
  const input = join(d, 'cap.pcap');
  copyFileSync(fixture('tcp/fin-then-rst.pcap'), input);
  const bytes = readFileSync(input);
  symlinkSync('cap.pcap', join(d, 'link.pcap'));
  const before = readdirSync(d).sort();
  for (const out of [input, join(d, 'link.pcap')]) {
    for (const force of [[], ['--force']]) {
      const r = run(['-o', out, ...force, input]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /refusing to write .*it is the input/);
      assert.deepEqual(readdirSync(d).sort(), before);
    }
  }
  assert.ok(readFileSync(input).equals(bytes), 'the input is untouched');
  const out = join(d, 'report.html');
  const w = run(['-o', out, input]);
  assert.equal(w.status, 0, w.stderr);
  assert.equal(w.stdout, '');
  assert.match(w.stderr, /wrote the html report of 1 connection/);
  assert.deepEqual(readdirSync(d).sort(), [...before, 'report.html'].sort(), 'no temporary file left');
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/, 'format from the .html extension');
  const again = run(['-o', out, '--format', 'md', input]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists; pass --force/);
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
  const forced = run(['-o', out, '--format', 'md', '--force', input]);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(readFileSync(out, 'utf8'), /^# rsttui report: 1 connection, /);
  const missing = run(['-o', join(d, 'no', 'such', 'r.md'), input]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /does not exist/);
  assert.deepEqual(readdirSync(d).sort(), [...before, 'report.html'].sort());
});

test('--filter: the report covers the matching connections only; bad filters and formats are usage errors', () => {
  const expr = 'teardown == fin-then-rst';
  const keep = (i: number): boolean => TEARDOWNS[ds.conns.teardown[i]!] === 'fin-then-rst';
  const flows = spawnSync(process.execPath, [BIN, 'flows', '--format', 'ndjson', '--filter', expr, ...DEMO], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const n = flows.stdout.trim().split('\n').length;
  assert.ok(n > 0 && n < ds.conns.count);
  const r = run(['--filter', expr, ...DEMO]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^# rsttui report: ${n} connections,`));
  assert.match(r.stdout, new RegExp(`Filter \`${expr}\`: ${n} of ${ds.conns.count} connections`));
  const rows = [...r.stdout.matchAll(/^\| (\d+) \| (error|warn|info) \| (\d+) \|/gm)];
  assert.equal(rows.reduce((s, m) => s + Number(m[3]), 0), n);
  assert.equal(mdHistogram(r.stdout).reduce((s, b) => s + b[0]!, 0), rstEnded(ds, keep));
  assert.match(r.stdout, /`\(teardown == fin-then-rst\) and \(/, "each finding's filter within the report's");
  const bad = run(['--filter', 'tcp.flag.reset', ...DEMO]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown field/);
  const fmt = run(['--format', 'pdf', ...DEMO]);
  assert.equal(fmt.status, 2);
  assert.match(fmt.stderr, /unknown --format 'pdf'/);
});

test('the README shows the help\'s examples of report', async () => {
  const { COMMANDS } = await import('../src/cli/commands.js');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const c = COMMANDS.find((x) => x.name === 'report')!;
  for (const e of c.examples) assert.ok(readme.includes(`    ${e}\n`), `README lacks the example ${e}`);
  const help = spawnSync(process.execPath, [BIN, 'report', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  for (const word of ['md', 'html', '--force', '-o, --output OUT', '--filter EXPR']) assert.ok(help.stdout.includes(word), word);
});

test('the report and the summary are the same bytes however the log was read (one reader, or two workers in arrival order)', (t) => {
  // (hosts with as many connections were ranked by address id, which follows the order the
  // inputs were read in: two log workers made it differ from run to run; AddrTable.compare)
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-report-order-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 60_000, seed: 4 });
  for (const cmd of ['report', 'summary']) {
    const out = (worker: string): string => {
      const r = spawnSync(process.execPath, [BIN, cmd, '--year', '2018', log], { encoding: 'utf8', env: { ...process.env, RSTTUI_WORKER: worker }, maxBuffer: 1 << 26 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const one = out('0');
    assert.match(one, /\d+\.\d+\.\d+\.\d+/, `${cmd} names hosts`);
    assert.equal(out('1'), one, cmd);
    assert.equal(out('1'), one, `${cmd}, again`);
  }
});
