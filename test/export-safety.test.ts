/**
 * The export's safety rules, through exportFlows (what the CLI and the UI call): never over an
 * input (by device + inode: same path, another path, hard link, symlink), never over an existing
 * file without force, clear errors for missing / unwritable directories, an input changed since
 * loading, stdin; and after every refusal or failure the directory holds exactly what it did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixture } from './helpers.js';
import { loadDataset } from '../src/flows/dataset.js';
import { exportFlows, ExportError, formatFromPath } from '../src/export/export.js';
import { checkTarget, writeAtomic } from '../src/export/atomic.js';

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsttui-export-safe-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const listing = (d: string): string[] => readdirSync(d).sort();

/** A fresh directory holding a copy of `name`, loaded. */
async function setup(name: string): Promise<{ d: string; input: string; ds: Awaited<ReturnType<typeof loadDataset>>; bytes: Buffer }> {
  const d = mkdtempSync(join(dir, 'case-'));
  const input = join(d, name.replace(/.*\//, ''));
  copyFileSync(fixture(name), input);
  const ds = await loadDataset([input]);
  assert.ok(ds.conns.count > 0);
  return { d, input, ds, bytes: readFileSync(input) };
}

async function refused(p: Promise<unknown>, re: RegExp, status: 1 | 2): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ExportError, String(e));
    assert.match(e.message, re);
    assert.equal(e.status, status);
    return true;
  });
}

test('the output is never an input: same path, relative path, hard link, symlink (even with force)', async () => {
  const { d, input, ds, bytes } = await setup('tcp/fin-then-rst.pcap');
  const hard = join(d, 'hard.pcap');
  const sym = join(d, 'sym.pcap');
  linkSync(input, hard);
  symlinkSync('fin-then-rst.pcap', sym);
  const before = listing(d);
  for (const out of [input, relative(process.cwd(), input), hard, sym]) {
    for (const force of [false, true]) {
      await refused(exportFlows(ds, [0], out, { force }), /it is the input/, 2);
      assert.deepEqual(listing(d), before, `left something behind for ${out}`);
    }
  }
  assert.ok(readFileSync(input).equals(bytes));
  // a symlink to another capture given as `inputs` is protected too (e.g. the firewall log)
  const log = join(d, 'fw.log');
  writeFileSync(log, 'x\n');
  symlinkSync('fw.log', join(d, 'fw-link.csv'));
  await refused(exportFlows(ds, [0], join(d, 'fw-link.csv'), { force: true, inputs: [log] }), /it is the input .*fw\.log/, 2);
  assert.equal(readFileSync(log, 'utf8'), 'x\n');
});

test('an existing file is kept without force and replaced with force', async () => {
  const { d, ds } = await setup('tcp/fin-then-rst.pcap');
  const out = join(d, 'out.csv');
  writeFileSync(out, 'keep me\n');
  const before = listing(d);
  await refused(exportFlows(ds, [0], out, {}), /exists.*--force/, 2);
  assert.equal(readFileSync(out, 'utf8'), 'keep me\n');
  assert.deepEqual(listing(d), before);
  const r = await exportFlows(ds, [0], out, { force: true });
  assert.equal(r.connections, 1);
  assert.match(readFileSync(out, 'utf8'), /^id,orig_h,/);
  assert.deepEqual(listing(d), before);
});

test('missing directory, a file as directory, an unwritable directory: clear errors, nothing created', async (t) => {
  const { d, ds } = await setup('tcp/rejected.pcap');
  const before = listing(d);
  await refused(exportFlows(ds, [0], join(d, 'no-such-dir', 'x.pcap'), {}), /directory .*no-such-dir does not exist/, 1);
  await refused(exportFlows(ds, [0], join(d, 'rejected.pcap', 'x.pcap'), {}), /is not a directory/, 1);
  assert.deepEqual(listing(d), before);

  const ro = join(d, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  // root ignores the mode: make the directory immutable instead, where chattr works
  const root = process.getuid?.() === 0;
  const immutable = root && spawnSync('chattr', ['+i', ro]).status === 0;
  try {
    if (root && !immutable) {
      t.skip('running as root without chattr: no way to make a directory unwritable here');
      return;
    }
    await refused(exportFlows(ds, [0], join(ro, 'x.pcapng'), {}), /cannot create a file in .*ro: (permission denied|operation not permitted)/, 1);
    assert.deepEqual(listing(ro), []);
  } finally {
    if (immutable) spawnSync('chattr', ['-i', ro]);
    chmodSync(ro, 0o755);
  }
});

test('a failure while writing removes the temporary file (link-type clash after packets were written)', async () => {
  const d = mkdtempSync(join(dir, 'clash-'));
  const ds = await loadDataset([fixture('formats/eth-usec-le.pcap'), fixture('formats/sll.pcap')]);
  await refused(exportFlows(ds, [0, 1], join(d, 'x.pcap'), {}), /different link types.*pcapng/, 2);
  assert.deepEqual(listing(d), []);
  // and an exception thrown by the content writer itself
  await assert.rejects(writeAtomic(join(d, 'y.bin'), {}, (o) => {
    o.text('partial');
    o.flush();
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual(listing(d), []);
});

test('an input changed since loading is detected, not exported (seek path and stream path)', async () => {
  for (const [name, other] of [['tcp/fin-then-rst.pcap', 'tcp/abort-client.pcap'], ['formats/eth.pcapng', 'formats/multi-if.pcapng'], ['formats/eth.pcap.gz', 'formats/ipv6.pcap']] as const) {
    const { d, input, ds } = await setup(name);
    copyFileSync(fixture(other), input);
    const out = join(d, 'x.pcap');
    await refused(exportFlows(ds, [0], out, {}), /changed since it was loaded/, 1);
    assert.deepEqual(listing(d), [input.replace(/.*\//, '')]);
  }
  // truncated after loading: records are missing
  const { d, input, ds } = await setup('tcp/fin-then-rst.pcap');
  writeFileSync(input, readFileSync(input).subarray(0, 200));
  await refused(exportFlows(ds, [0], join(d, 'x.pcapng'), {}), /changed since it was loaded/, 1);
  assert.deepEqual(listing(d), ['fin-then-rst.pcap']);
});

test('stdin cannot be read twice: packet exports say so, record exports work', async () => {
  const { d, ds } = await setup('tcp/rejected.pcap');
  ds.files[0]!.path = '-'; // as if loaded from stdin
  await refused(exportFlows(ds, [0], join(d, 'x.pcap'), {}), /stdin cannot be read a second time/, 2);
  const r = await exportFlows(ds, [0], join(d, 'x.ndjson'), {});
  assert.equal(r.packets, 2);
  assert.equal(JSON.parse(readFileSync(join(d, 'x.ndjson'), 'utf8')).conn_state, 'REJ');
});

test('format from the extension; unknown extension refused', async () => {
  assert.equal(formatFromPath('a/b.PCAP'), 'pcap');
  assert.equal(formatFromPath('x.pcapng'), 'pcapng');
  assert.equal(formatFromPath('x.jsonl'), 'ndjson');
  assert.equal(formatFromPath('conn.log'), 'zeek');
  assert.equal(formatFromPath('x.pcap.gz'), undefined);
  const { d, ds } = await setup('tcp/rejected.pcap');
  await refused(exportFlows(ds, [0], join(d, 'x.txt'), {}), /cannot tell the export format/, 2);
  const r = await exportFlows(ds, [0], join(d, 'x.txt'), { format: 'csv' });
  assert.equal(r.format, 'csv');
  assert.throws(() => checkTarget(d, { force: true }), /is a directory/);
});

test('firewall logs are protected like captures; text-listing packets are left out with a note', async () => {
  const d = mkdtempSync(join(dir, 'logs-'));
  const log = join(d, 'asa.log');
  copyFileSync(fixture('logs/seed-asa.log'), log);
  const ds = await loadDataset([fixture('text/seed-inside.txt'), log]);
  assert.equal(ds.logs.length, 1);
  await refused(exportFlows(ds, [0], log, { format: 'csv', force: true }), /it is the input/, 2);
  assert.ok(readFileSync(log).equals(readFileSync(fixture('logs/seed-asa.log'))));

  // tcpdump-real.txt is tcpdump's listing of tcpdump-real.pcap (fixtures/text/README.md): only the pcap's packets have bytes
  const mix = await loadDataset([fixture('text/tcpdump-real.pcap'), fixture('text/tcpdump-real.txt')]);
  const all = Array.from({ length: mix.conns.count }, (_, i) => i);
  const fromPcap = mix.files[0]!.end - mix.files[0]!.first;
  const fromText = mix.files[1]!.end - mix.files[1]!.first;
  assert.ok(fromPcap > 0 && fromText > 0);
  const r = await exportFlows(mix, all, join(d, 'mix.pcapng'), {});
  assert.equal(r.packets, fromPcap);
  assert.equal(r.skipped, fromText);
  assert.match(r.notes?.[0] ?? '', /text listings .*tcpdump-real\.txt.* left out/);
});
