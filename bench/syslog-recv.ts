/**
 * The syslog receiver (`--syslog`, src/read/syslog-server.ts) at speed, beside a plain Node sink
 * measured in the same run: N ASA lines (~165 B) sent over loopback as fast as a sender process
 * can, over UDP (one datagram a line), TCP with LF framing and TCP with octet counting. Prints
 * lines received, lost (UDP may drop: the kernel's receive buffer overflows when the receiver
 * falls behind) and lines/s from the first line received to the last, and rsttui's rate as a
 * ratio to the plain sink's. Not a test, and not part of `npm run bench`.
 *
 *   node dist/bench/syslog-recv.js                      # 1 M lines each
 *   node dist/bench/syslog-recv.js --lines 200000 --proto udp
 *
 * The plain sinks do the least any line receiver does: UDP, a dgram socket turning each datagram
 * into a string (the same 8 MiB receive buffer asked for); TCP, a net server cutting each chunk at
 * LF (octet counting: at '<') into strings, without carrying a line across chunks. rsttui's:
 * listenSyslog() with a callback counting its lines (framing, limits, the sender's name
 * included; parsing the lines is the readers' work, measured by bench/log-vendors.ts).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listenSyslog } from '../src/read/syslog-server.js';

type Mode = 'udp' | 'tcp-lf' | 'tcp-octet';

const line = (i: number): string =>
  `<166>Jun 20 2018 11:58:45 fw01 : %ASA-6-302014: Teardown TCP connection ${47772320 + i} for outside:203.0.113.${i % 250}/${1024 + (i % 60000)} to inside:172.17.77.250/443 duration 0:00:02 bytes ${i % 99991} TCP FINs from inside`;

/** The sender process: `--send MODE PORT N`. Everything is made before the first byte goes out. */
async function send(mode: Mode, port: number, n: number): Promise<void> {
  if (mode === 'udp') {
    const bufs = Array.from({ length: n }, (_, i) => Buffer.from(line(i)));
    const s = createSocket('udp4');
    for (let i = 0; i < n; i++) {
      // every 256th send (and the last) waits for its callback: the socket's queue stays short
      if (i % 256 === 255 || i === n - 1) await new Promise<void>((r) => s.send(bufs[i]!, port, '127.0.0.1', () => r()));
      else s.send(bufs[i]!, port, '127.0.0.1');
    }
    await new Promise<void>((r) => s.close(() => r()));
    return;
  }
  const all = Buffer.from(Array.from({ length: n }, (_, i) => (mode === 'tcp-lf' ? line(i) + '\n' : `${Buffer.byteLength(line(i))} ${line(i)}`)).join(''));
  const s: Socket = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  for (let o = 0; o < all.length; o += 1 << 20) {
    if (!s.write(all.subarray(o, o + (1 << 20)))) await new Promise((r) => s.once('drain', r));
  }
  await new Promise<void>((r) => s.end(r));
}

interface Sink {
  port: number;
  count(): number;
  close(): Promise<void>;
  first: number;
  last: number;
}

async function plainSink(mode: Mode): Promise<Sink> {
  const sink = { port: 0, n: 0, first: 0, last: 0, count: () => sink.n, close: async () => {} };
  const tick = () => {
    if (sink.first === 0) sink.first = performance.now();
    sink.last = performance.now();
  };
  if (mode === 'udp') {
    const s = createSocket('udp4');
    s.on('message', (m: Buffer) => {
      if (m.toString('utf8') !== '') sink.n++;
      tick();
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.setRecvBufferSize(8 << 20);
    sink.port = s.address().port;
    sink.close = () => new Promise((r) => s.close(() => r()));
    return sink;
  }
  // one string per line, as any line receiver makes: LF-terminated lines, or octet-counted frames
  // taken as the text between one '<' and the next (every line here has one '<'), chunk edges ignored
  const mark = mode === 'tcp-lf' ? 0x0a : 0x3c;
  const server = createServer((c) =>
    c.on('data', (b: Buffer) => {
      for (let p = 0, i = b.indexOf(mark); i >= 0; p = i + 1, i = b.indexOf(mark, p)) if (b.toString('utf8', p, i) !== '' || mark === 0x3c) sink.n++;
      tick();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sink.port = (server.address() as { port: number }).port;
  sink.close = () => new Promise((r) => server.close(() => r()));
  return sink;
}

async function rsttuiSink(mode: Mode): Promise<Sink> {
  const sink = { port: 0, n: 0, first: 0, last: 0, count: () => sink.n, close: async () => {} };
  const l = await listenSyslog(`${mode === 'udp' ? 'udp' : 'tcp'}://127.0.0.1:0`, () => {
    if (sink.n++ === 0) sink.first = performance.now();
    sink.last = performance.now();
  });
  sink.port = l.address.port;
  sink.close = () => l.close();
  return sink;
}

async function measure(mode: Mode, make: (m: Mode) => Promise<Sink>, n: number): Promise<{ got: number; secs: number; sendSecs: number }> {
  const sink = await make(mode);
  const t0 = performance.now();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--send', mode, String(sink.port), String(n)], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  const sendSecs = (performance.now() - t0) / 1000;
  // the rest in flight: until all arrived, or nothing new for half a second
  for (let seen = -1; sink.count() < n && sink.count() !== seen; ) {
    seen = sink.count();
    await new Promise((r) => setTimeout(r, 500));
  }
  await sink.close();
  return { got: sink.count(), secs: (sink.last - sink.first) / 1000, sendSecs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, proto: { type: 'string', default: 'udp,tcp-lf,tcp-octet' } } });
  const n = Number(values.lines);
  const modes = values.proto!.split(',') as Mode[];
  let rmem = '?';
  try {
    rmem = readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim();
  } catch {
    // not Linux
  }
  console.log(`syslog receiver: ${n} lines of ${Buffer.byteLength(line(0)) + 1} B over loopback, one sender process (net.core.rmem_max ${rmem}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
  const rows: string[][] = [];
  for (const mode of modes) {
    const plain = await measure(mode, plainSink, n);
    const ours = await measure(mode, rsttuiSink, n);
    const rate = (r: { got: number; secs: number }) => r.got / r.secs;
    for (const [who, r] of [['plain node', plain], ['rsttui', ours]] as const) {
      rows.push([mode, who, String(r.got), String(n - r.got), `${((100 * (n - r.got)) / n).toFixed(2)}%`, r.secs.toFixed(2), Math.round(rate(r)).toString(), r.sendSecs.toFixed(2), who === 'rsttui' ? (rate(ours) / rate(plain)).toFixed(2) : '']);
    }
  }
  const head = ['mode', 'sink', 'received', 'lost', 'lost %', 'secs', 'lines/s', 'send s', 'rsttui/plain'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(w[i]!)).join('  '));
}

const argv = process.argv.slice(2);
if (argv[0] === '--send') await send(argv[1] as Mode, Number(argv[2]), Number(argv[3]));
else await main();
