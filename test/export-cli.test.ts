/**
 * `rsttui export` through the real command line: exit statuses, the stderr report, stdin,
 * the record formats (the same records as `rsttui flows --format ...`), and that the export
 * code never pulls in the UI (Ink / React).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, fixture, tool } from './helpers.js';
import { generateAsaLog } from '../bench/gen-asa.js';

/** Compiled tests run bin/rsttui.js (dist); tests run by tsx run the sources the same way. */
const compiled = fileURLToPath(import.meta.url).includes(`${join('dist', 'test')}`);
const RUNNER = `import { main } from ${JSON.stringify(join(ROOT, 'src', 'cli', 'main.ts'))};
main(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;

function rsttui(args: string[], input?: Buffer, env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const argv = compiled ? [BIN, ...args] : ['--import', 'tsx', '--input-type=module', '-e', RUNNER, ...args];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 28, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TCP = ['abort-client', 'fin-then-rst', 'fin-then-rst-late', 'clean-close-client', 'rejected'].map((n) => fixture(`tcp/${n}.pcap`));

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsttui-export-cli-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('export writes the file, reports counts on stderr, exits 0', () => {
  const out = join(dir, 'late.pcap');
  // of these, only fin-then-rst-late.pcap has a late RST (fixtures/gen/behaviours.py)
  const files = ['abort-client', 'fin-then-rst-late', 'clean-close-client'].map((n) => fixture(`tcp/${n}.pcap`));
  const r = rsttui(['export', ...files, '--filter', 'anomaly == late-rst', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  // fin-then-rst-late.pcap holds the one late-rst connection: 12 packets (tshark counts them all)
  const t = spawnSync('tshark', ['-r', fixture('tcp/fin-then-rst-late.pcap'), '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  const n = tool('tshark').ok ? t.stdout.trim().split('\n').length : 12;
  assert.match(r.stderr, new RegExp(`^wrote 1 connection, ${n} packets to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  assert.ok(readFileSync(out).equals(readFileSync(fixture('tcp/fin-then-rst-late.pcap'))), 'a whole-file selection reproduces the pcap');
});

test('refusals exit 2 and leave the directory as it was; I/O failures exit 1', () => {
  const d = mkdtempSync(join(dir, 'refuse-'));
  const input = join(d, 'in.pcap');
  writeFileSync(input, readFileSync(fixture('tcp/rejected.pcap')));
  writeFileSync(join(d, 'old.pcap'), 'old');
  const before = readdirSync(d).sort();
  const cases: [string[], number, RegExp][] = [
    [['export', input, '-o', input], 2, /it is the input/],
    [['export', input, '-o', join(d, 'old.pcap')], 2, /exists; pass --force/],
    [['export', input, '-o', join(d, 'x.txt')], 2, /cannot tell the format/],
    [['export', input, '-o', join(d, 'x.pcap'), '--format', 'pcapx'], 2, /unknown --format 'pcapx'/],
    [['export', input], 2, /no output file/],
    [['export', input, '--filter', 'tcp.flag.reset', '-o', join(d, 'x.pcap')], 2, /unknown field/],
    [['export', input, '-o', join(d, 'nodir', 'x.pcap')], 1, /does not exist/],
    [['export', join(d, 'missing.pcap'), '-o', join(d, 'x.pcap')], 1, /not writing/],
  ];
  for (const [args, status, re] of cases) {
    const r = rsttui(args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.deepEqual(readdirSync(d).sort(), before, args.join(' '));
  }
  assert.equal(readFileSync(join(d, 'old.pcap'), 'utf8'), 'old');
  const f = rsttui(['export', input, '-o', join(d, 'old.pcap'), '--force']);
  assert.equal(f.status, 0, f.stderr);
  assert.ok(readFileSync(join(d, 'old.pcap')).equals(readFileSync(input)));
});

test('multi-link-type pcap: exit 2 naming pcapng; pcapng works', () => {
  const files = [fixture('formats/sll.pcap'), fixture('formats/vlan.pcap')];
  const r = rsttui(['export', ...files, '-o', join(dir, 'mixed.pcap')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /different link types, 113 \(Linux cooked v1\) and 1 \(Ethernet\).*pcapng/);
  assert.equal(existsSync(join(dir, 'mixed.pcap')), false);
  const ok = rsttui(['export', ...files, '-o', join(dir, 'mixed.pcapng')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /^wrote 2 connections, 22 packets/);
});

test('stdin is spooled so packet exports work from a pipe (gzip too); the spool is removed', () => {
  const out = join(dir, 'stdin.pcap');
  const r = rsttui(['export', '-', '-o', out], readFileSync(fixture('formats/eth.pcap.gz')));
  assert.equal(r.status, 0, r.stderr);
  // eth.pcap.gz is gzip of eth-usec-le.pcap (fixtures/formats/README.md)
  assert.ok(readFileSync(out).equals(readFileSync(fixture('formats/eth-usec-le.pcap'))));
  const ng = join(dir, 'stdin.pcapng');
  const r2 = rsttui(['export', '-', '--name=-=edge', '-o', ng], readFileSync(fixture('tcp/rejected.pcap')));
  assert.equal(r2.status, 0, r2.stderr);
  if (tool('tshark').ok) {
    const t = spawnSync('tshark', ['-r', ng, '-T', 'fields', '-e', 'frame.interface_name'], { encoding: 'utf8' });
    assert.deepEqual(t.stdout.trim().split('\n'), ['edge', 'edge']);
  }
  assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith('rsttui-stdin-')), []);
});

test('csv, ndjson and zeek exports hold what `flows --format` prints for the same filter', () => {
  const filter = 'tcp.flags.reset';
  for (const [format, ext] of [['csv', 'csv'], ['ndjson', 'jsonl'], ['zeek', 'log']] as const) {
    const out = join(dir, `flows.${ext}`);
    const r = rsttui(['export', ...TCP, '--filter', filter, '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    const flows = rsttui(['flows', '--format', format, '--filter', filter, ...TCP]);
    assert.equal(flows.status, 0, flows.stderr);
    const strip = (s: string): string => s.split('\n').filter((l) => !/^#(open|close)\t/.test(l)).join('\n');
    assert.equal(strip(readFileSync(out, 'utf8')), strip(flows.stdout));
    const rows = flows.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('id,')).length;
    // abort-client, fin-then-rst, fin-then-rst-late and rejected end with an RST; clean-close-client does not
    assert.equal(rows, 4);
    assert.match(r.stderr, /^wrote 4 connections, \d+ packets/);
  }
});

test('every connection of a log, on two threads or one: csv and ndjson exports hold what `flows --format` prints', () => {
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 20_000, seed: 21 });
  for (const files of [[log], ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture)]) {
    for (const format of ['csv', 'ndjson']) {
      const flows = rsttui(['flows', '--format', format, '--year', '2018', ...files]);
      assert.equal(flows.status, 0, flows.stderr);
      assert.ok(flows.stdout.split('\n').length > 3);
      for (const worker of ['0', '1']) {
        const out = join(dir, `all-${worker}.${format}`);
        rmSync(out, { force: true });
        const r = rsttui(['export', '--year', '2018', '-o', out, ...files], undefined, { ...process.env, RSTTUI_WORKER: worker });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(readFileSync(out, 'utf8') === flows.stdout, `${format}, RSTTUI_WORKER=${worker}: ${files.join(' ')}`);
      }
    }
  }
});

test('export code never imports the UI (ink, react, src/ui)', () => {
  const seen = new Set<string>();
  const bad: string[] = [];
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    // static imports only: main.ts loads the UI with a dynamic import() that export never reaches
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      if (spec === 'ink' || spec === 'react' || spec.startsWith('ink-') || spec.includes('/ui/')) bad.push(`${file}: ${spec}`);
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  for (const f of ['src/cli/export.ts', 'src/export/export.ts', 'src/read/reread.ts']) walk(join(ROOT, f));
  assert.ok(seen.size > 10);
  assert.deepEqual(bad, []);
});
