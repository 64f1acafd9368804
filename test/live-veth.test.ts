/**
 * The whole program capturing live on a veth pair to a network namespace (root), with real TCP
 * connections through it: `rsttui flows -i` writes each record with its class while the run goes
 * on, and prints dumpcap's final counts when it ends; the UI in tmux shows the rows come and `q`
 * leaves no capture process behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { BIN, ROOT, tool } from './helpers.js';
import { connectOnce, vethSkip, vethUp } from './live-net.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = vethSkip();
const dumpcap = tool('dumpcap');
const tmux = tool('tmux');

/** pids of dumpcap processes capturing on dev */
function dumpcapsOn(dev: string): number[] {
  const r = spawnSync('pgrep', ['-f', `dumpcap.*${dev}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

test('flows -i on a veth: each record with its class before the run ends; dumpcap\'s counts at the end; no capture left', { skip: skip ?? (dumpcap.ok ? false : dumpcap.skip), timeout: 90_000 }, async () => {
  const v = await vethUp('c');
  const child = spawn('node', [BIN, 'flows', '-i', v.dev, '-f', `tcp and host ${v.peerIp}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const records = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { resp_p: number; orig_p: number; teardown: string });
  const until = async (cond: () => boolean, what: string, ms = 30_000) => {
    for (const end = Date.now() + ms; !cond();) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stdout:\n${out}\nstderr:\n${err}`);
      await sleep(50);
    }
  };
  try {
    // (the capture starts a moment after rsttui: a first connection, again until one is recorded)
    for (let k = 0; records().length === 0; k++) {
      assert.ok(k < 40, `no record after ${k} tries; stderr:\n${err}`);
      await connectOnce(v, 'graceful');
      await sleep(500);
    }
    // (the other warm-up connections' records, each over within the grace of 2 s)
    await sleep(3000);
    const before = records().length;
    for (const how of ['graceful', 'fin-rst', 'abort', 'rejected'] as const) await connectOnce(v, how);
    // each connection's record comes when it is over (closed, then the grace), while rsttui still runs
    await until(() => records().length >= before + 4, 'the four records');
    assert.equal(child.exitCode, null, 'rsttui still running');
    const classes = records().slice(before).map((r) => (r.resp_p === v.port + 1 ? 'rejected:' : '') + r.teardown).sort();
    assert.deepEqual(classes, ['abort', 'fin-then-rst', 'graceful', 'rejected:rejected']);
    const pids = dumpcapsOn(v.dev);
    assert.equal(pids.length, 1, 'one dumpcap capturing');
    child.kill('SIGINT');
    assert.equal(await exited, 0, err);
    assert.match(err, new RegExp(`^rsttui: capture on ${v.dev} \\(dumpcap\\): \\d+ packets received, 0 dropped$`, 'm'));
    await until(() => dumpcapsOn(v.dev).length === 0, 'dumpcap to end', 10_000);
  } finally {
    child.kill('SIGKILL');
    v.down();
  }
});

test('the UI on a live veth capture in tmux: rows appear as connections close; q ends it with no capture process left', { skip: skip ?? (dumpcap.ok ? (tmux.ok ? false : tmux.skip) : dumpcap.skip), timeout: 90_000 }, async () => {
  const v = await vethUp('d');
  const session = `rsttui-livevt-${process.pid}`;
  const tm = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
  const screen = () => tm('capture-pane', '-p', '-t', session);
  const waitFor = async (re: RegExp, what: string, ms = 30_000) => {
    for (const end = Date.now() + ms; ;) {
      const s = screen();
      if (re.test(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
      await sleep(100);
    }
  };
  try {
    tm('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', ROOT, `env -u CI node ${BIN} -i ${v.dev} -f 'tcp and host ${v.peerIp}' 2>/dev/null; echo EXIT=$?; sleep 30`);
    await waitFor(/^LIVE /m, 'the live status bar');
    for (let k = 0; !/[1-9]\d*\/\d+ shown/.test(screen()); k++) {
      assert.ok(k < 40, `no row after ${k} connections; the screen:\n${screen()}`);
      await connectOnce(v, 'graceful');
      await sleep(500);
    }
    const first = Number(/(\d+)\/\d+ shown/.exec(screen())![1]);
    await connectOnce(v, 'abort');
    await connectOnce(v, 'rejected');
    const s = await waitFor(new RegExp(`^LIVE .*\\b${first + 2} conns`, 'm'), 'two more connections in the status bar');
    assert.match(s, /\babort\b/, 'the aborted connection\'s row, with its class');
    assert.match(s, /\brejected\b/);
    assert.equal(dumpcapsOn(v.dev).length, 1);
    tm('send-keys', '-t', session, 'q');
    await waitFor(/^EXIT=0$/m, 'rsttui to end with status 0');
    for (let k = 0; dumpcapsOn(v.dev).length; k++) {
      assert.ok(k < 50, 'dumpcap still running after q');
      await sleep(100);
    }
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
    v.down();
  }
});
