/**
 * The relaunch for huge pages (src/cli/relaunch.ts): when it happens (every branch of the plan,
 * on made-up host facts), and, where this machine allows it, that the relaunched child writes the
 * same bytes, exits as it did, and ends when its launcher is told to.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUGE_TUNABLES, RELAUNCH_MIN_BYTES, hugePagesPlan, inputBytes, type HostFacts } from '../src/cli/relaunch.js';
import { BIN, fixture } from './helpers.js';

const BIG = RELAUNCH_MIN_BYTES;
const host = (over: Partial<HostFacts> = {}): HostFacts => ({
  platform: 'linux',
  thp: 'always [madvise] never\n',
  glibc: () => '2.36',
  size: (p) => (p === 'big.log' ? BIG : p === 'small.log' ? 1000 : p === 'cap.pcap.gz' ? BIG / 4 : undefined),
  ...over,
});
const plan = (argv: string[], env: NodeJS.ProcessEnv = {}, over: Partial<HostFacts> = {}): string =>
  ((p) => ('tunables' in p ? `relaunch ${p.tunables}` : `skip: ${p.skip}`))(hugePagesPlan(argv, env, host(over)));

test('relaunch plan: large inputs on Linux with THP madvise and glibc >= 2.35 relaunch, with the tunables', () => {
  assert.equal(plan(['flows', 'big.log']), `relaunch ${HUGE_TUNABLES}`);
  // (tunables the user set are kept, ours after them)
  assert.equal(plan(['big.log'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }), `relaunch glibc.malloc.arena_max=2:${HUGE_TUNABLES}`);
  // a gzip file counts five times its size: a quarter of the threshold is above it
  assert.equal(plan(['cap.pcap.gz']), `relaunch ${HUGE_TUNABLES}`);
  assert.equal(plan(['small.log', 'small.log']), 'skip: small inputs');
  // options and missing paths count nothing
  assert.equal(inputBytes(['--format', 'ndjson', '-', 'nowhere', 'small.log'], host().size), 1000);
  assert.equal(plan(['small.log'], { RSTTUI_HUGEPAGES: '1' }), `relaunch ${HUGE_TUNABLES}`);
});

test('relaunch plan: every reason not to', () => {
  assert.equal(plan(['big.log'], { RSTTUI_HUGEPAGES: '0' }), 'skip: RSTTUI_HUGEPAGES=0');
  assert.equal(plan(['big.log'], { RSTTUI_HUGEPAGES_ON: '1' }), 'skip: relaunched already');
  assert.equal(plan(['big.log'], { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }), 'skip: GLIBC_TUNABLES sets hugetlb already');
  assert.equal(plan(['big.log'], {}, { platform: 'darwin' }), 'skip: not Linux');
  assert.equal(plan(['big.log'], {}, { thp: '[always] madvise never\n' }), 'skip: transparent huge pages: [always] madvise never');
  assert.equal(plan(['big.log'], {}, { thp: 'always madvise [never]\n' }), 'skip: transparent huge pages: always madvise [never]');
  assert.equal(plan(['big.log'], {}, { thp: undefined }), 'skip: transparent huge pages: none');
  assert.equal(plan(['big.log'], {}, { glibc: () => '2.31' }), 'skip: not glibc 2.35 or later');
  assert.equal(plan(['big.log'], {}, { glibc: () => undefined }), 'skip: not glibc 2.35 or later');
});

// ---- the real thing, where this machine relaunches (Linux, THP madvise, glibc >= 2.35)

const realThp = ((): string | undefined => {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1');
  } catch {
    return undefined;
  }
})();
const realGlibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
const here = hugePagesPlan(['x'], { RSTTUI_HUGEPAGES: '1' }, { platform: process.platform, thp: realThp, glibc: () => realGlibc, size: () => undefined });
const skip = 'tunables' in here ? false : `this machine does not relaunch: ${here.skip}`;
const env = (huge: '0' | '1'): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, CI: '', RSTTUI_HUGEPAGES: huge, RSTTUI_REPORT: '1' };
  delete e.RSTTUI_HUGEPAGES_ON;
  return e;
};
const run = (args: string[], huge: '0' | '1') => spawnSync('node', [BIN, ...args], { encoding: 'utf8', env: env(huge) });

test('relaunched: the same bytes out, the launcher in the report, its memory counted', { skip }, () => {
  const args = ['flows', '--format', 'ndjson', fixture('demo/inside.pcap'), fixture('demo/outside.pcap'), fixture('demo/asa.log')];
  const here = run(args, '0'), child = run(args, '1');
  assert.equal(here.status, 0, here.stderr);
  assert.equal(child.status, 0, child.stderr);
  assert.ok(here.stdout.length > 100);
  assert.equal(child.stdout, here.stdout);
  assert.doesNotMatch(here.stderr, /rsttui-report hugepages/);
  const m = /rsttui-report hugepages launcher-ms (\d+) launcher-rss-kb (\d+)/.exec(child.stderr);
  assert.ok(m, child.stderr);
  assert.ok(Number(m[2]) > 0);
});

test('relaunched: exit codes as without (bad input 1, bad usage 2)', { skip }, () => {
  const bad = fixture('malformed/bad-magic.pcap');
  for (const [args, code] of [[['flows', bad], 1], [['flows', '--format', 'nope', bad], 2]] as const) {
    const a = run([...args], '0'), b = run([...args], '1');
    assert.equal(a.status, code, a.stderr);
    assert.equal(b.status, code, b.stderr);
    assert.equal(b.stderr.replace(/rsttui-report.*\n/g, ''), a.stderr.replace(/rsttui-report.*\n/g, ''));
  }
});

test('relaunched: SIGTERM to the launcher ends the child, and the launcher by the same signal', { skip }, async () => {
  // (the child waits in the open of a FIFO no one writes to: only a signal ends it)
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-relaunch-'));
  const fifo = join(dir, 'in.pcap');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) return;
  const p = spawn('node', [BIN, 'flows', fifo], { env: env('1'), stdio: 'ignore' });
  try {
    const childPid = await new Promise<number>((resolve, reject) => {
      const t0 = Date.now();
      const look = (): void => {
        const r = spawnSync('pgrep', ['-P', String(p.pid)], { encoding: 'utf8' });
        const pid = Number(r.stdout.trim().split('\n')[0]);
        if (pid > 0) resolve(pid);
        else if (Date.now() - t0 > 10_000) reject(new Error('no child started'));
        else setTimeout(look, 50);
      };
      look();
    });
    // (let it reach the open)
    await new Promise((r) => setTimeout(r, 1000));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => p.once('exit', (_code, signal) => resolve(signal)));
    p.kill('SIGTERM');
    assert.equal(await exit, 'SIGTERM');
    const alive = (): boolean => {
      try {
        process.kill(childPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let k = 0; k < 100 && alive(); k++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, `child ${childPid} still running`);
  } finally {
    // (a child left behind, were the test failing: its open ends, it reads nothing and exits)
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // (no reader left: fine)
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
