/**
 * The syslog receiver: URL parsing, RFC 6587 framing split at every byte, over-long lines, and
 * real sockets on loopback: every vendor's fixture log sent over UDP and over TCP in both framings
 * gives SyslogParser the same events as reading the file; several TCP clients at once; the
 * loopback default; a port in use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { fixture } from './helpers.js';
import { parseListenUrl, splitDatagram, TcpFramer, type FramingIssue } from '../src/read/syslog-framing.js';
import { listenSyslog, type SyslogIssue } from '../src/read/syslog-server.js';
import { ObjectSink, readSyslog, SyslogParser } from '../src/read/syslog.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('parseListenUrl: forms, the loopback default, and one-line errors', () => {
  assert.deepEqual(parseListenUrl('udp://127.0.0.1:5514'), { url: 'udp://127.0.0.1:5514', proto: 'udp', host: '127.0.0.1', port: 5514 });
  assert.equal(parseListenUrl('tcp://:6514').host, '127.0.0.1');
  assert.equal(parseListenUrl('TCP://localhost:6514').host, '127.0.0.1');
  assert.equal(parseListenUrl('tcp://localhost:6514').proto, 'tcp');
  assert.deepEqual(parseListenUrl('udp://[::1]:5514'), { url: 'udp://[::1]:5514', proto: 'udp', host: '::1', port: 5514 });
  assert.equal(parseListenUrl('udp://0.0.0.0').port, 514);
  assert.equal(parseListenUrl('udp://fw-collector.example:5514/').host, 'fw-collector.example');
  for (const bad of ['http://x:1', 'udp:/x', '127.0.0.1:5514', 'udp://h:99999', 'udp://h:port', 'udp://a b:1']) {
    assert.throws(() => parseListenUrl(bad), (e: Error) => !e.message.includes('\n') && /--syslog/.test(e.message), bad);
  }
});

/** Lines and issues of a TcpFramer fed `pieces`. */
function frame(pieces: Buffer[], maxLine?: number): { lines: string[]; issues: FramingIssue[] } {
  const lines: string[] = [];
  const issues: FramingIssue[] = [];
  const f = new TcpFramer((l) => lines.push(l), (i) => issues.push(i), maxLine);
  for (const p of pieces) f.push(p);
  f.end();
  return { lines, issues };
}
const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;

test('TcpFramer: both RFC 6587 framings mixed, CRLF and NUL trailers, split at every byte boundary', () => {
  const msgs = ['<134>Jun 20 11:58:45 fw %ASA-6-302013: Built', '<134>1 2018-06-20T11:58:45Z fw - - - multi\nline in one frame', '<14>x', '<165>ünïcode ✓'];
  const stream = Buffer.from(
    octet(msgs[0]!) + `${msgs[0]}\n` + octet(msgs[1]!) + `${msgs[2]}\r\n` + `12 Jun 2018 not a length\n` + octet(msgs[3]!) + `${msgs[3]}\0` + '2018-06-20T11:58:45Z iso start\n' + 'last line without LF',
  );
  const want = [msgs[0], msgs[0], msgs[1], msgs[2], '12 Jun 2018 not a length', msgs[3], msgs[3], '2018-06-20T11:58:45Z iso start', 'last line without LF'];
  assert.deepEqual(frame([stream]).lines, want);
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(frame([stream.subarray(0, cut), stream.subarray(cut)]).lines, want, `split at ${cut}`);
  }
  const bytes = [...stream].map((b) => Buffer.from([b]));
  assert.deepEqual(frame(bytes).lines, want, 'one byte at a time');
});

test('TcpFramer: over-long lines in either framing are cut, reported, and the stream stays in step', () => {
  const long = '<13>' + 'x'.repeat(300);
  const r = frame([Buffer.from(octet(long) + 'short one\n' + long + '\n' + 'after\n')], 100);
  assert.deepEqual(r.lines, [long.slice(0, 100), 'short one', long.slice(0, 100), 'after']);
  assert.deepEqual(r.issues.map((i) => i.kind), ['too-long', 'too-long']);
  assert.match(r.issues[0]!.message, /304-byte line cut to 100 bytes/);
  // a line that never ends within the limit: cut once, its rest skipped up to its LF
  const pieces = [Buffer.from('y'.repeat(150)), Buffer.from('y'.repeat(150)), Buffer.from('y\nnext\n')];
  const r2 = frame(pieces, 100);
  assert.deepEqual(r2.lines, ['y'.repeat(100), 'next']);
  assert.equal(r2.issues.length, 1);
  // closed half-way into an octet-counted message
  const r3 = frame([Buffer.from('50 <13>only part')]);
  assert.deepEqual(r3.lines, []);
  assert.match(r3.issues[0]!.message, /closed 13 bytes into a 50-byte message/);
});

test('splitDatagram: trailing NUL/CR/LF stripped, lines within one datagram, cut at the limit', () => {
  const lines: string[] = [];
  const issues: FramingIssue[] = [];
  splitDatagram(Buffer.from('<13>one\r\n\0'), (l) => lines.push(l), (i) => issues.push(i));
  splitDatagram(Buffer.from('<13>two\n<13>three\n'), (l) => lines.push(l), (i) => issues.push(i));
  splitDatagram(Buffer.from('z'.repeat(30)), (l) => lines.push(l), (i) => issues.push(i), 10);
  assert.deepEqual(lines, ['<13>one', '<13>two', '<13>three', 'z'.repeat(10)]);
  assert.equal(issues.length, 1);
});

const VENDOR_LOGS = [
  'logs/seed-asa.log', 'logs/messages.log', 'logs/envelopes.log', 'logs/real-world.log', 'logs/ftd/events.log', 'logs/panos/reasons.log',
  'logs/fortigate/reasons.log', 'logs/srx/structured.log', 'logs/srx/plain.log', 'logs/netfilter/kernel.log', 'logs/netfilter/conntrack.log', 'logs/pf/forms.log',
];

type Sender = (lines: string[], port: number) => Promise<void>;
const udpSend: Sender = async (lines, port) => {
  const s = createSocket('udp4');
  for (const l of lines) await new Promise<void>((r, j) => s.send(Buffer.from(l + '\n'), port, '127.0.0.1', (e) => (e ? j(e) : r())));
  s.close();
};
const tcpSend = (encode: (line: string) => string): Sender => async (lines, port) => {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  // (in pieces that split frames anywhere)
  const all = Buffer.from(lines.map(encode).join(''));
  for (let i = 0; i < all.length; i += 97) s.write(all.subarray(i, i + 97));
  await new Promise<void>((r) => s.end(r));
};
const SENDERS: [string, string, Sender][] = [
  ['udp', 'udp://127.0.0.1:0', udpSend],
  // (octet counting frames RFC 5424-style messages, which start with <PRI>: the lines without one go LF-terminated in the same stream)
  ['tcp octet counting', 'tcp://127.0.0.1:0', tcpSend((l) => (l.startsWith('<') ? octet(l) : l + '\n'))],
  ['tcp LF', 'tcp://127.0.0.1:0', tcpSend((l) => l + '\n')],
];

for (const [name, url, send] of SENDERS) {
  test(`listenSyslog over ${name}: each vendor's fixture log gives the same events as the file`, async () => {
    for (const rel of VENDOR_LOGS) {
      const path = fixture(rel);
      const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const sink = new ObjectSink(path);
      const parser = new SyslogParser(path, {}, sink);
      const got: string[] = [];
      const issues: SyslogIssue[] = [];
      const l = await listenSyslog(url, (line) => (got.push(line), parser.line(line)), (i) => issues.push(i));
      try {
        await send(lines, l.address.port);
        await until(() => got.length >= lines.length, `${lines.length} lines of ${rel}`);
      } finally {
        await l.close();
      }
      assert.deepEqual(issues, []);
      assert.equal(l.stats().lines, lines.length);
      assert.deepEqual(got, lines, `${rel}: the lines arrive unchanged and in order`);
      const file = await readSyslog(path);
      const strip = (e: object) => ({ ...e, file: undefined, line: undefined });
      assert.deepEqual(sink.events.map(strip), file.events.map(strip), `${rel}: the same events as the file`);
      assert.ok(file.events.length > 0, `${rel} has events`);
    }
  });
}

test('listenSyslog tcp: several clients at once, each in order, told apart by peer', async () => {
  const byPeer = new Map<string, string[]>();
  const l = await listenSyslog('tcp://:0', (line, peer) => {
    const a = byPeer.get(peer) ?? [];
    a.push(line);
    byPeer.set(peer, a);
  });
  assert.equal(l.address.host, '127.0.0.1', 'no host: loopback');
  const socks: Socket[] = [];
  try {
    for (let c = 0; c < 5; c++) {
      const s = connect(l.address.port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      socks.push(s);
    }
    for (let i = 0; i < 200; i++) for (let c = 0; c < 5; c++) socks[c]!.write(c % 2 ? octet(`<13>c${c} n${i}`) : `<13>c${c} n${i}\n`);
    await until(() => [...byPeer.values()].reduce((n, a) => n + a.length, 0) >= 1000, '1000 lines');
    assert.equal(l.stats().clients, 5);
    assert.equal(byPeer.size, 5);
    for (const lines of byPeer.values()) {
      const c = /c(\d)/.exec(lines[0]!)![1];
      assert.deepEqual(lines, Array.from({ length: 200 }, (_, i) => `<13>c${c} n${i}`));
    }
  } finally {
    for (const s of socks) s.destroy();
    await l.close();
  }
});

test('listenSyslog: loopback by default, a port in use and a bad URL are one clear line', async () => {
  const a = await listenSyslog('udp://localhost:0', () => {});
  try {
    assert.equal(a.address.host, '127.0.0.1');
    await assert.rejects(listenSyslog(`udp://127.0.0.1:${a.address.port}`, () => {}), (e: Error) => /port is in use/.test(e.message) && !e.message.includes('\n'));
  } finally {
    await a.close();
  }
  await assert.rejects(listenSyslog('ftp://x:1', () => {}), /--syslog wants udp:\/\/HOST:PORT/);
  await assert.rejects(listenSyslog('udp://no-such-host.invalid:5514', () => {}), /no such host/);
});

test('listenSyslog udp: a datagram over the limit is cut and reported with its sender', async () => {
  const got: string[] = [];
  const issues: SyslogIssue[] = [];
  const l = await listenSyslog('udp://:0', (line) => got.push(line), (i) => issues.push(i), { maxLine: 1000 });
  try {
    await udpSend(['<13>' + 'q'.repeat(5000), '<13>fine'], l.address.port);
    await until(() => got.length >= 2, 'two lines');
  } finally {
    await l.close();
  }
  assert.deepEqual(got, ['<13>' + 'q'.repeat(996), '<13>fine']);
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, /^syslog from 127\.0\.0\.1:\d+: a 5004-byte line cut to 1000 bytes$/);
  assert.equal(l.stats().cut, 1);
});
