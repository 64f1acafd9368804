/**
 * The live options on the command line: liveSpecOf's plain spec and its one-line usage errors
 * (-w never names an input), the CLI's exit status of a live run, the help text,
 * and where the UI takes its keys from when standard input is a pipe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BIN } from './helpers.js';
import { COMMANDS, LIVE_HELP, UI_COMMAND } from '../src/cli/commands.js';
import { liveSpecOf, parseDuration } from '../src/cli/live-spec.js';
import { UsageError, type Parsed } from '../src/cli/main.js';
import { keyInput, NO_TERMINAL } from '../src/cli/tty-input.js';

const flows = COMMANDS.find((c) => c.name === 'flows')!;
function specOf(argv: string[], cmd = flows) {
  const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
  return liveSpecOf({ cmd, values: values as Parsed['values'], files: positionals });
}
const usage = (argv: string[], re: RegExp) =>
  assert.throws(() => specOf(argv), (e: Error) => e instanceof UsageError && !e.message.includes('\n') && re.test(e.message), argv.join(' '));

test('liveSpecOf: nothing live is undefined; every live option lands in the spec', () => {
  assert.equal(specOf(['a.pcap', 'asa.log']), undefined);
  assert.equal(specOf(['-']), undefined, 'stdin alone is the ordinary read');
  const s = specOf([
    '-i', 'eth0', '-i', 'eth1', '-f', 'tcp port 443', '-w', 'kept.pcapng', '--syslog', 'udp://:5514', '--syslog', 'tcp://0.0.0.0:6514',
    '--keep', '10m', '--idle-timeout', '300', '-c', '1000', '--duration', '1.5h', '--tool', 'dumpcap', '-B', '64', 'asa.log',
  ])!;
  assert.deepEqual(s, {
    ifaces: ['eth0', 'eth1'], captureFilter: 'tcp port 443', writeFile: 'kept.pcapng', tool: 'dumpcap', bufferMiB: 64, files: ['asa.log'], follow: false, stdin: false,
    syslog: [
      { url: 'udp://:5514', proto: 'udp', host: '127.0.0.1', port: 5514 },
      { url: 'tcp://0.0.0.0:6514', proto: 'tcp', host: '0.0.0.0', port: 6514 },
    ],
    keep: { seconds: 600 }, idleTimeout: 300, count: 1000, duration: 5400,
  });
  assert.deepEqual(specOf(['--follow', 'a.log', 'b.pcap']), { ifaces: [], files: ['a.log', 'b.pcap'], follow: true, stdin: false, syslog: [] });
  assert.deepEqual(specOf(['--keep', '5000', '-']), { ifaces: [], files: ['-'], follow: false, stdin: true, syslog: [], keep: { count: 5000 } });
  assert.equal(specOf(['--syslog', 'udp://[::1]:5514'])!.syslog[0]!.host, '::1');
  // the UI and summary take them too
  assert.deepEqual(specOf(['-i', 'lo'], UI_COMMAND)!.ifaces, ['lo']);
  assert.equal(specOf(['--duration', '30', '-i', 'lo'], COMMANDS.find((c) => c.name === 'summary')!)!.duration, 30);
});

test('liveSpecOf: each misuse is one line', () => {
  usage(['-f', 'ndjson', 'x.pcap'], /^-f 'ndjson' is a capture filter .* needs -i IFACE; the output format is --format$/);
  usage(['-w', 'out.pcapng', 'x.pcap'], /-w FILE keeps what -i captures/);
  usage(['--tool', 'dumpcap'], /--tool .* needs -i/);
  usage(['-i', 'lo', '--tool', 'wireshark'], /--tool wants dumpcap or tcpdump, got 'wireshark'/);
  usage(['-i', 'a', '-i', 'b', '--tool', 'tcpdump'], /tcpdump captures one interface at a time \(2 -i given\)/);
  usage(['-i', ''], /-i wants an interface name/);
  usage(['-B', '8', 'a.pcap'], /-B sets the capture buffer of -i: it needs -i IFACE/);
  usage(['-i', 'lo', '-B', '0'], /-B wants the capture buffer in MiB/);
  usage(['-i', 'lo', '-B', '5000'], /at most 4096/);
  usage(['-i', 'lo', '-f', ' '], /-f wants a capture filter/);
  usage(['-i', 'lo', '-w', '-'], /-w wants a FILE/);
  usage(['--follow'], /--follow wants the FILEs/);
  usage(['--follow', '-'], /standard input\) is read as it comes anyway/);
  usage(['--syslog', 'syslog://x:1'], /^--syslog wants udp:\/\/HOST:PORT or tcp:\/\/HOST:PORT/);
  usage(['--syslog', 'udp://:5514', '--syslog', 'udp://localhost:5514'], /given twice/);
  usage(['-i', 'lo', '-c', '0'], /^-c wants a number of connection records \(a whole number above 0\), got '0'$/);
  usage(['-i', 'lo', '-c', '1e3'], /-c wants a number of connection records/);
  usage(['-i', 'lo', '--duration', '0'], /--duration wants a duration/);
  usage(['-i', 'lo', '--keep', '0'], /--keep wants a number of connections/);
  usage(['-i', 'lo', '--keep', '10 minutes'], /--keep wants a duration/);
  usage(['-i', 'lo', '--idle-timeout=-5'], /--idle-timeout wants a duration/);
  usage(['-c', '10', 'x.pcap'], /^-c applies to live input: -i IFACE, --follow FILE, --syslog URL, or - \(standard input\)$/);
  assert.equal(parseDuration('2d', '--x'), 172800);
  assert.equal(parseDuration('90s', '--x'), 90);
});

test('liveSpecOf: -w never names an input, however it is spelled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-w-'));
  try {
    const log = join(dir, 'asa.log');
    writeFileSync(log, '');
    symlinkSync(log, join(dir, 'link.log'));
    usage(['-i', 'lo', '-w', log, log], /-w .*asa\.log is also an input: rsttui never writes over an input/);
    usage(['-i', 'lo', '-w', join(dir, '.', 'asa.log'), log], /is also an input/);
    usage(['-i', 'lo', '-w', join(dir, 'link.log'), log], /is also an input/);
    usage(['-i', 'lo', '--follow', '-w', log, log], /is also an input/);
    assert.equal(specOf(['-i', 'lo', '-w', join(dir, 'new.pcapng'), log])!.writeFile, join(dir, 'new.pcapng'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI: live options run the live engine (a capture that cannot start: one line, exit 1; standard input read live: its records); misuse exits 2 with one line; help lists them', () => {
  const run = (...a: string[]) => spawnSync('node', [BIN, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const none = run('flows', '-i', 'rsttui-nosuch0', '--duration', '2');
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^rsttui: [^\n]*rsttui-nosuch0[^\n]*dumpcap -D[^\n]*\n$/);
  // `-` with a live option: read as it comes, each connection's record when it is over (port-reuse: two on one 4-tuple)
  const live = spawnSync('node', [BIN, 'flows', '--keep', '10m', '-'], { encoding: 'utf8', input: readFileSync(join('fixtures', 'tcp', 'port-reuse.pcap')) });
  assert.equal(live.status, 0, live.stderr);
  const recs = live.stdout.trim().split('\n').map((l) => JSON.parse(l) as { conn_state: string; orig_p: number });
  assert.deepEqual(recs.map((r) => r.conn_state).sort(), ['RSTO', 'SF']);
  assert.equal(new Set(recs.map((r) => r.orig_p)).size, 1);
  assert.match(live.stderr, /^live: 2 records written/m);
  const bad = run('flows', '-f', 'ndjson', 'x.pcap');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^rsttui: -f 'ndjson' is a capture filter/);
  const pk = run('packets', '-f', 'ndjson', 'x.pcap');
  assert.equal(pk.status, 2);
  assert.match(pk.stderr, /packets: -f is the capture filter of live input \(-i\), which packets does not take; the output format is --format/);
  // flows without live options works as before
  assert.equal(run('flows', '--format', 'ndjson', join('fixtures', 'tcp', 'rejected.pcap')).status, 0);
  const help = run('--help').stdout;
  const fh = run('flows', '--help').stdout;
  for (const [flag] of LIVE_HELP) {
    assert.ok(help.includes(flag), `rsttui --help lacks ${flag}`);
    assert.ok(fh.includes(flag), `rsttui flows --help lacks ${flag}`);
  }
});

test('keyInput: the terminal when standard input is one, else /dev/tty, else one line saying what to use', () => {
  const fakeTty = { isTTY: true } as NodeJS.ReadStream;
  const same = keyInput(fakeTty, () => assert.fail('no /dev/tty needed'));
  assert.ok(same.ok && same.stream === fakeTty && !same.fromTty);
  const pipe = { isTTY: false } as unknown as NodeJS.ReadStream;
  const none = keyInput(pipe, () => {
    throw Object.assign(new Error('ENXIO: no such device or address'), { code: 'ENXIO' });
  });
  assert.deepEqual(none, { ok: false, error: NO_TERMINAL });
  assert.match(NO_TERMINAL, /use `rsttui flows -` for headless output/);
  let fd = -1;
  const notTty = keyInput(pipe, () => (fd = openSync('/dev/null', 'r')));
  assert.deepEqual(notTty, { ok: false, error: NO_TERMINAL });
  assert.throws(() => closeSync(fd), /EBADF/, 'the non-terminal it opened is closed again');
});
