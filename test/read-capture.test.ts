/**
 * Live capture with the real tools on real interfaces: a veth pair to a network namespace (root),
 * TCP connections through it that close, abort and are rejected, read from the stream while the
 * capture runs; two interfaces in one dumpcap; -w FILE followed (the stream is the file, byte for
 * byte); tcpdump as the fallback with its live counts; each failure as one line; and the tool
 * ended when rsttui is (exit, SIGTERM, SIGHUP), checked on a real child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from './helpers.js';
import { connectOnce, gone, readLive, vethSkip, vethUp, type TcpSeen } from './live-net.js';
import { startCapture, type Capture } from '../src/read/capture.js';
import { chooseTool, findTool, parseInterfaceList } from '../src/read/capture-tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const skip = vethSkip();
const dumpcap = tool('dumpcap');
const tcpdump = tool('tcpdump');
const total = (s: TcpSeen, k: 'syn' | 'fin' | 'rst' | 'packets') => [...s.byIface.values()].reduce((n, c) => n + c[k], 0);

/** Three connections (graceful, abort, rejected) through the veth, seen on the live stream before the capture stops. */
async function threeConnections(c: Capture, seen: TcpSeen, v: Awaited<ReturnType<typeof vethUp>>): Promise<void> {
  assert.equal(await c.ready, undefined, 'capturing');
  await connectOnce(v, 'graceful');
  await connectOnce(v, 'abort');
  await connectOnce(v, 'rejected');
  // live: the packets come through while the tool still runs
  await until(() => total(seen, 'syn') >= 3 && total(seen, 'rst') >= 2 && total(seen, 'fin') >= 2, 'the three connections on the stream');
}

test('dumpcap on a veth: the connections arrive on the stream while it captures; final counts, no drops', { skip: skip ?? (dumpcap.ok ? false : dumpcap.skip), timeout: 60_000 }, async () => {
  const v = await vethUp('a');
  try {
    const c = startCapture({ ifaces: [v.dev], filter: `tcp and host ${v.peerIp}` });
    assert.equal(c.tool, 'dumpcap');
    assert.equal(c.format, 'pcapng');
    const live = readLive(c.stream, c.format);
    await threeConnections(c, live.seen, v);
    assert.equal(c.stats().final, false);
    await until(() => (c.stats().received ?? 0) > 0, 'dumpcap\'s running packet count');
    const end = await c.stop();
    await live.ended;
    assert.equal(end.error, undefined);
    assert.equal(total(live.seen, 'syn'), 3, 'exactly the three SYNs: the filter kept other traffic out');
    const s = c.stats();
    assert.equal(s.final, true);
    assert.equal(s.dropped, 0);
    assert.ok(s.received! >= total(live.seen, 'packets'), `received ${s.received} >= ${total(live.seen, 'packets')} on the stream`);
  } finally {
    v.down();
  }
});

test('dumpcap on two interfaces: one pcapng, an interface each, packets on both', { skip: skip ?? (dumpcap.ok ? false : dumpcap.skip), timeout: 60_000 }, async () => {
  const v = await vethUp('a');
  const w = await vethUp('b');
  try {
    const c = startCapture({ ifaces: [v.dev, w.dev], filter: 'tcp' });
    const live = readLive(c.stream, c.format);
    assert.equal(await c.ready, undefined);
    await connectOnce(v, 'graceful');
    await connectOnce(w, 'abort');
    await until(() => live.seen.byIface.get(0)?.syn === 1 && live.seen.byIface.get(1)?.rst === 1, 'a connection on each interface');
    await c.stop();
    await live.ended;
    assert.equal(live.seen.byIface.get(0)!.rst, 0, 'the abort was on the second interface only');
  } finally {
    v.down();
    w.down();
  }
});

test('dumpcap -w FILE: the stream follows the file as it grows, and is the whole file once the tool ends', { skip: skip ?? (dumpcap.ok ? false : dumpcap.skip), timeout: 60_000 }, async () => {
  const v = await vethUp('a');
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-capw-'));
  try {
    const file = join(dir, 'kept.pcapng');
    const c = startCapture({ ifaces: [v.dev], filter: 'tcp', writeFile: file });
    const live = readLive(c.stream, c.format);
    await threeConnections(c, live.seen, v);
    await c.stop();
    await live.ended;
    const disk = readFileSync(file);
    assert.ok(disk.length > 0 && live.bytes().equals(disk), `stream ${live.bytes().length} bytes, file ${disk.length}`);
  } finally {
    v.down();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tcpdump when dumpcap is missing: pcap on the stream, live kernel counts on SIGUSR1; one interface only', { skip: skip ?? (tcpdump.ok ? false : tcpdump.skip), timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-tools-'));
  const v = await vethUp('a');
  try {
    symlinkSync(findTool('tcpdump')!, join(dir, 'tcpdump'));
    const c = startCapture({ ifaces: [v.dev], filter: 'tcp', searchPath: dir, statsMs: 200 });
    assert.equal(c.tool, 'tcpdump');
    assert.equal(c.format, 'pcap');
    const live = readLive(c.stream, c.format);
    await threeConnections(c, live.seen, v);
    await until(() => c.stats().received !== undefined && c.stats().dropped !== undefined, 'tcpdump\'s counts while running');
    assert.equal(c.stats().final, false);
    const end = await c.stop();
    await live.ended;
    assert.equal(end.error, undefined);
    assert.equal(c.stats().dropped, 0);
    const two = startCapture({ ifaces: [v.dev, 'lo'], searchPath: dir });
    const e2 = await two.done;
    assert.match(e2.error!, /several interfaces .* needs dumpcap, and only tcpdump is installed: install dumpcap/);
  } finally {
    v.down();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tool choice: dumpcap first, tcpdump next, neither is one line; -D lists parsed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-none-'));
  try {
    const none = chooseTool(['eth0'], undefined, dir);
    assert.ok('error' in none && /^no capture tool found: install dumpcap \(Debian\/Ubuntu: apt install wireshark-common/.test(none.error));
    assert.ok('error' in chooseTool(['a', 'b'], 'tcpdump', dir));
    const c = startCapture({ ifaces: ['eth0'], searchPath: dir });
    assert.equal(c.tool, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(parseInterfaceList('1. eth0\n2. any\n3. lo (Loopback)\n'), ['eth0', 'any', 'lo']);
  assert.deepEqual(parseInterfaceList('1.eth0 [Up, Running, Connected]\n2.lo [Up, Running, Loopback]\n'), ['eth0', 'lo']);
});

for (const t of ['dumpcap', 'tcpdump'] as const) {
  const have = tool(t);
  test(`${t} failures are one line saying what to do: unknown interface, bad filter, unwritable -w, no privileges`, { skip: have.ok ? false : have.skip, timeout: 60_000 }, async () => {
    const err = async (c: Capture) => {
      const ready = await c.ready;
      const end = await c.done;
      assert.equal(ready, end.error);
      assert.ok(end.error && !end.error.includes('\n'), `one line: ${end.error}`);
      return end.error;
    };
    assert.match(await err(startCapture({ ifaces: ['nosuch0'], tool: t })), new RegExp(`^no interface nosuch0 \\(interfaces: .*\\blo\\b.*\\): see ${t} -D`));
    assert.match(await err(startCapture({ ifaces: ['lo'], tool: t, filter: 'tcp port' })), /^capture filter 'tcp port' is not valid.*-f takes libpcap syntax/);
    assert.match(await err(startCapture({ ifaces: ['lo'], tool: t, writeFile: '/nonexistent-dir/x.cap' })), /^cannot write the capture to \/nonexistent-dir\/x\.cap: No such file or directory/);
    if (process.getuid?.() === 0) {
      // as an unprivileged user: the same module in a child process run as nobody
      const mod = new URL('../src/read/capture.js', import.meta.url).href;
      const code = `const m = await import(${JSON.stringify(mod)}); const c = m.startCapture({ ifaces: ['lo'], tool: '${t}' }); console.log((await c.done).error);`;
      const p = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      await new Promise((r) => p.on('close', r));
      assert.match(out.trim(), new RegExp(`^no permission to capture on lo: run rsttui as root \\(sudo\\), or allow ${t} to capture: sudo setcap cap_net_raw,cap_net_admin=eip /\\S+/${t}$`));
    }
  });
}

/** A node process that starts a capture on lo (with or without installCleanup) and prints the tool's pid. */
async function captureChild(cleanup: boolean, then: string): Promise<{ node: ReturnType<typeof spawn>; pid: number }> {
  const mod = new URL('../src/read/capture.js', import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(mod)});
    const c = m.startCapture({ ifaces: ['lo'], filter: 'tcp port 9' });
    ${cleanup ? 'm.installCleanup(c);' : ''}
    c.stream.resume();
    if ((await c.ready) !== undefined) process.exit(3);
    console.log(c.pid);
    ${then}
    setInterval(() => {}, 1000);`;
  const node = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    node.stdout!.once('data', (d) => resolve(String(d)));
    node.once('exit', (c) => reject(new Error(`capture child exited (${c})`)));
  });
  return { node, pid: Number(line.trim()) };
}

test('installCleanup: the capture tool is gone after rsttui exits, or gets SIGTERM, SIGHUP or SIGINT; without it, it stays', { skip: dumpcap.ok ? (process.getuid?.() === 0 ? false : 'needs root to capture') : dumpcap.skip, timeout: 60_000 }, async () => {
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    const { node, pid } = await captureChild(true, '');
    assert.ok(!gone(pid), 'dumpcap runs');
    const exit = new Promise<NodeJS.Signals | null>((r) => node.once('exit', (_c, s) => r(s)));
    node.kill(sig); // (to rsttui only: dumpcap gets nothing from the test)
    assert.equal(await exit, sig, `rsttui ends as ${sig} says`);
    await until(() => gone(pid), `dumpcap ${pid} to end after ${sig}`);
  }
  {
    const { node, pid } = await captureChild(true, 'setTimeout(() => process.exit(0), 200);');
    await new Promise((r) => node.once('exit', r));
    await until(() => gone(pid), `dumpcap ${pid} to end after process.exit`);
  }
  {
    // the control: with no cleanup, SIGTERM to rsttui leaves dumpcap running
    const { node, pid } = await captureChild(false, '');
    node.kill('SIGTERM');
    await new Promise((r) => node.once('exit', r));
    await sleep(500);
    const left = !gone(pid);
    process.kill(pid, 'SIGKILL');
    assert.ok(left, 'without installCleanup the tool outlives rsttui (so the test above can fail)');
  }
});
