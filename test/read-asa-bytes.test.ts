/**
 * The log worker's byte fast path (asa-bytes.ts, envelope-bytes.ts) against the string path it
 * stands in for: the same files through both must give the same chunk rows, column by column, the
 * same string pool and the same parse summary; lines it must not take go to the string path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';
import { bytesAt, connIdAt, offAt, STR_SLOTS, TEXT_CANON, TEXT_ESC, TEXT_PLAIN, type FwChunk, type LineFacts } from '../src/read/fw-chunk.js';
import { ChunkWriter } from '../src/read/fw-chunk-writer.js';
import { BodyWriter } from '../src/export/fw-render.js';
import { SyslogParser, type ParseSummary, type SyslogOptions } from '../src/read/syslog.js';
import { readRangeBytes, readRangeSync } from '../src/read/log-lines.js';
import { AsaBytes } from '../src/read/asa-bytes.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { mulberry32 } from '../bench/gen.js';

interface Parsed {
  chunks: FwChunk[];
  pool: string[];
  summary: ParseSummary;
  /** lines the byte reader took */
  fast: number;
}

/** One file through the string path only (`bytes` false) or the byte path first, in chunks of 64 rows. */
function parse(path: string, bytes: boolean, opts: SyslogOptions = { year: 2018 }): Parsed {
  const chunks: FwChunk[] = [];
  let pool: string[] = [];
  const writer = new ChunkWriter(0, 0, false, (c, p) => {
    chunks.push(c);
    pool = p.all;
  }, false, 64);
  const parser = new SyslogParser(path, opts, { event: (f, fields) => writer.add(f, fields) });
  let fast = 0;
  if (bytes) {
    const reader = new AsaBytes(writer);
    parser.byteReader = {
      read: (...a) => {
        const id = reader.read(...a);
        if (id >= 0) fast++;
        return id;
      },
      forget: () => reader.forget(),
    };
    readRangeBytes(path, 0, statSync(path).size, (b, s, e, off) => {
      if (!parser.lineBytes(b, s, e, off)) parser.line(b.toString('latin1', s, e), off);
    });
  } else readRangeSync(path, 0, statSync(path).size, (l, off) => parser.line(l, off));
  writer.flush();
  return { chunks, pool, summary: parser.summary(), fast };
}

const COLUMNS = ['ts', 'duration', 'line', 'bodyAt', 'msgid', 'kind', 'flags', 'vendor'] as const;
const TEXT_BITS = TEXT_PLAIN | TEXT_ESC;
/** columns read through an accessor (32-bit columns with their wide values aside) */
const READ = { connId: connIdAt, bytes: bytesAt, off: offAt } as const;

/**
 * Both paths' rows equal, each column of each row (strings by id and by text). The bits but what
 * the byte path knows of a body's bytes (TEXT_*), which must be true of the file's bytes: the body
 * printable ASCII to the line's end (CR aside), TEXT_ESC exactly where it has a `"` or `\`, and
 * where it says TEXT_CANON, the body (spaces trimmed) is what the columns write again.
 * Returns the rows marked TEXT_CANON.
 */
function sameRows(path: string, a: Parsed, b: Parsed): number {
  assert.equal(b.chunks.length, a.chunks.length, path);
  const file = readFileSync(path);
  // (the byte path's rows hold IPv4 addresses as their values: no address table yet)
  const render = new BodyWriter(b.pool, { v4Value: (v) => v, text: () => '' });
  let canon = 0;
  assert.deepEqual(b.pool, a.pool, `${path}: string pool`);
  for (let k = 0; k < a.chunks.length; k++) {
    const x = a.chunks[k]!;
    const y = b.chunks[k]!;
    assert.equal(y.n, x.n);
    for (let r = 0; r < x.n; r++) {
      const at = `${path} line ${x.line[r]}`;
      for (const col of COLUMNS) assert.ok(Object.is(y[col][r], x[col][r]), `${at}: ${col} ${y[col][r]} != ${x[col][r]}`);
      assert.equal(y.bits[r]! & ~TEXT_BITS, x.bits[r], `${at}: bits`);
      const text = y.bits[r]! & TEXT_BITS;
      if (text) {
        const from = offAt(y, r) + y.bodyAt[r]!;
        let end = file.indexOf(10, from);
        if (end < 0) end = file.length;
        if (end > from && file[end - 1] === 13) end--;
        const body = file.subarray(from, end);
        assert.ok(body.every((c) => c >= 0x20 && c <= 0x7e), `${at}: TEXT bits on a body not printable ASCII`);
        const esc = body.some((c) => c === 34 || c === 92);
        if (text === TEXT_CANON) {
          assert.ok(!esc, `${at}: TEXT_CANON on a body with a character to escape`);
          // (a typed array drops writes past its end: room for more, to see where it ends)
          const out = new Uint8Array(render.bound(y, r) + 64);
          const end = render.put(out, 0, y, r);
          assert.ok(end <= render.bound(y, r), `${at}: written within its bound`);
          assert.equal(Buffer.from(out.subarray(0, end)).toString('latin1'), body.toString('latin1').trim(), `${at}: TEXT_CANON body written again`);
          canon++;
        } else assert.equal(text, esc ? TEXT_ESC : TEXT_PLAIN, `${at}: TEXT bits`);
      }
      for (const [name, f] of Object.entries(READ)) assert.ok(Object.is(f(y, r), f(x, r)), `${at}: ${name} ${f(y, r)} != ${f(x, r)}`);
      assert.equal(y.amask[r], x.amask[r], `${at}: amask`);
      for (let s = 0; s < 4; s++) {
        if (x.amask[r]! & (1 << s)) {
          // (IPv6 addresses are numbered per chunk in the order they come: the text is what counts)
          const v6 = x.amask[r]! & (0x10 << s);
          assert.equal(v6 ? y.v6[y.addr[r * 4 + s]!] : y.addr[r * 4 + s], v6 ? x.v6[x.addr[r * 4 + s]!] : x.addr[r * 4 + s], `${at}: address ${s}`);
        }
        if (x.amask[r]! & (0x100 << s)) assert.equal(y.port[r * 4 + s], x.port[r * 4 + s], `${at}: port ${s}`);
      }
      for (let s = 0; s < STR_SLOTS; s++) assert.equal(y.str[r * STR_SLOTS + s], x.str[r * STR_SLOTS + s], `${at}: string ${s}`);
    }
  }
  assert.deepEqual(b.summary, a.summary, `${path}: summary`);
  return canon;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** The ASA/FTD fixture logs: fixtures/logs/ (the syslog ones, all vendors), the demo's, the fuzz corpus's. */
const LOGS = [...files(fixture('logs')).filter((f) => f.endsWith('.log')), fixture('demo/asa.log'),
  ...files(fixture('fuzz')).filter((f) => f.endsWith('.log'))];

const tmp = mkdtempSync(join(tmpdir(), 'rsttui-asa-bytes-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('every fixture log gives the same rows through the byte path as through the string path', () => {
  let fast = 0;
  let asa = 0;
  for (const f of LOGS) {
    const a = parse(f, false);
    const b = parse(f, true);
    sameRows(f, a, b);
    fast += b.fast;
    asa += readFileSync(f, 'latin1').split('\n').filter((l) => /%(?:ASA|FTD|PIX)-/.test(l)).length;
  }
  // (the fixtures are mostly unusual forms, which the byte path leaves alone; it must still take some)
  assert.ok(fast > 0.2 * asa, `byte path took ${fast} of ${asa} ASA-family fixture lines`);
});

test('a generated log reads the same through both paths, nearly all of it from bytes', () => {
  const f = join(tmp, 'gen.log');
  generateAsaLog(f, { lines: 20000, seed: 3 });
  // with the year given, guessed, and with a zone (--tz) for stamps without one
  for (const opts of [{ year: 2018 }, { now: new Date(Date.UTC(2019, 0, 1)) }, { year: 2018, tz: 'Europe/Vienna' }] as SyslogOptions[]) {
    const a = parse(f, false, opts);
    const b = parse(f, true, opts);
    const canon = sameRows(f, a, b);
    assert.ok(b.fast > 0.99 * a.summary.lines, `byte path took ${b.fast} of ${a.summary.lines} lines`);
    assert.ok(canon > 0.2 * a.summary.lines, `${canon} Teardowns to be written from their columns`);
  }
});

/** A log of these lines (each a file), read by both paths. */
function both(lines: string[], name: string): { a: Parsed; b: Parsed; canon: number } {
  const f = join(tmp, name);
  writeFileSync(f, Buffer.from(lines.join('\n') + '\n', 'latin1'));
  const a = parse(f, false);
  const b = parse(f, true);
  return { a, b, canon: sameRows(f, a, b) };
}

const GOOD = [
  '<166>Jun 20 2018 00:00:00 fw01 : %ASA-6-302013: Built outbound TCP connection 3400004 for outside:192.0.2.67/80 (192.0.2.67/80) to inside:10.209.228.139/39315 (198.51.100.1/1024)',
  '<166>Jun 20 00:00:04 fw01 %ASA-6-302014: Teardown TCP connection 3400010 for outside:100.81.235.168/49696 to inside:172.16.1.100/443 duration 0:00:04 bytes 306 TCP FINs from inside',
  '<164>Jun 20 2018 00:00:00 fw01 : %ASA-4-106023: Deny tcp src outside:100.120.81.162/53522 dst inside:172.16.2.190/135 by access-group "outside_access_in" [0x0, 0x0]',
  '<166>Jun 20 2018 00:00:21 fw01 : %ASA-6-106015: Deny TCP (no connection) from 172.16.2.139/443 to 100.103.203.127/43423 flags RST ACK  on interface inside',
  '<166>Jun 20 2018 00:00:34 fw01 : %ASA-6-305012: Teardown dynamic TCP translation from inside:10.120.81.45/41141 to outside:198.51.100.1/1024 duration 0:00:34',
  '<167>Jun 20 2018 00:00:01 fw01 : %ASA-7-609002: Teardown local-host inside:172.16.3.121 duration 0:44:09',
  'Jun 20 2018 00:00:02: %FTD-6-725001: Starting SSL handshake with client outside:100.69.48.104/34056 to 203.0.113.1/443',
  // (a body read as 'other' with a character to escape in JSON: TEXT_ESC)
  '<166>Jun 20 2018 00:00:03 fw01 : %ASA-6-113004: AAA user authentication Successful : server =  10.1.1.1 : user = CORP\\jdoe',
  // envelopes: which stamp is the firewall's and which host is the device's
  'Jun 20 00:00:05 fw02 %ASA-7-609001: Built local-host inside:172.16.3.121',
  'Jun 20 00:00:05 fw02 : %ASA-7-609001: Built local-host inside:172.16.3.122',
  'Jun  2 00:00:05: %PIX-7-609001: Built local-host inside:172.16.3.123',
  'Wed Jun 20 11:52:07 2018;172.17.70.1; Jun 20 11:52:06 fw03 %ASA-7-609001: Built local-host OUTSIDE:203.0.113.208',
  'Wed Jun 20 11:52:07 2018;172.17.70.1; <167>Jun 20 2018 11:52:06 172.17.70.1 : %ASA-7-609001: Built local-host OUTSIDE:203.0.113.209',
  'Wed Jun 20 11:52:08 2018;relay-1;   %ASA-7-609001: Built local-host OUTSIDE:203.0.113.210',
  '<167>%ASA-7-609001: Built local-host OUTSIDE:203.0.113.211',
  '%ASA-7-609001: Built local-host OUTSIDE:203.0.113.212',
];

test('the common forms are taken from bytes', () => {
  const { b } = both(GOOD, 'good.log');
  assert.equal(b.fast, GOOD.length);
});

test('a Teardown in its plain form is marked to be written again from its columns, and only that', () => {
  const teardown = GOOD[1]!;
  const plain = [
    teardown,
    teardown.replace(' TCP FINs from inside', ''), // no reason
    teardown.replace('TCP FINs from inside', 'SYN Timeout'),
    teardown.replace('Teardown TCP', 'Teardown UDP'),
    teardown.replace('connection 3400010', 'connection 0').replace('bytes 306', 'bytes 0').replace('duration 0:00:04', 'duration 0:00:00'),
    teardown.replace('duration 0:00:04', 'duration 4000:59:59').replace('connection 3400010', 'connection 4294967293'),
    teardown.replace('/49696', '/65535').replace('/443', '/0'),
    // (every part at its longest: within the bound)
    teardown.replace('connection 3400010', 'connection 4294967293').replace('100.81.235.168/49696', '255.255.255.255/65535')
      .replace('172.16.1.100/443', '255.255.255.254/65534').replace('duration 0:00:04', 'duration 4660:00:15').replace('bytes 306', 'bytes 4294967293'),
  ];
  const notPlain = [
    teardown.replace('/49696', '/049696'), // a leading zero
    teardown.replace('connection 3400010', 'connection 03400010'),
    teardown.replace('bytes 306', 'bytes 0306'),
    teardown.replace('duration 0:00:04', 'duration 00:00:04'),
    teardown.replace('duration 0:00:04', 'duration 0:75:04'), // minutes above 59
    teardown.replace('duration 0:00:04', 'duration 0:00:64'),
    teardown.replace('duration 0:00:04', 'duration 9999:00:00'), // more than the column holds exactly
    teardown.replace('/49696', '/70000'), // a port above 65535
    teardown.replace('connection 3400010', 'connection 4294967294'), // a wide id
    teardown.replace('bytes 306', 'bytes 99999999999'),
    teardown.replace('bytes 306 ', 'bytes 306  '), // two spaces before the reason
    teardown.replace('TCP FINs from inside', 'TCP FINs  from inside'),
    teardown.replace('TCP FINs from inside', 'TCP FINs from  inside'),
    teardown.replace('TCP FINs from inside', 'TCP FINs '),
    teardown.replace('/49696 to', '/49696 (100.81.235.168/49696) to'), // a mapped part
    teardown.replace('Teardown TCP', 'Teardown Probe TCP'),
  ];
  const p = both(plain, 'plain.log');
  assert.equal(p.b.fast, plain.length);
  assert.equal(p.canon, plain.length, 'every plain Teardown marked');
  const n = both(notPlain, 'not-plain.log');
  assert.ok(n.b.fast >= notPlain.length - 2, `the byte path took ${n.b.fast} of ${notPlain.length}`);
  assert.equal(n.canon, 0, 'none of the others');
});

test('lines the byte path must not take go to the string path and read as it reads them', () => {
  const [built, teardown, deny] = GOOD as [string, string, string];
  const refused = [
    built.replace('Built outbound', 'Built  outbound'), // odd spacing
    built.replace(' to inside', '  to inside'),
    built.replace('fw01 :', 'fw01  :'),
    built.replace('Jun 20 2018 00:00:00', 'Jun 20 2018 00:00:00.250'), // a fraction of a second
    built.replace('192.0.2.67/80 (', '192.0.2.256/80 ('), // bad addresses
    built.replace('192.0.2.67/80 (', '192.0.02.67/80 ('),
    built.replace('192.0.2.67/80 (', '2001:db8::1/80 ('), // IPv6: the string path's
    built.replace('Built outbound', 'built outbound'), // other case
    built.replace('%ASA-6-', '%asa-6-'),
    built.replace('outside:', 'out\x01side:'), // control and non-ASCII bytes
    built + '\x85',
    teardown.replace('TCP FINs', 'TCP\tFINs'),
    teardown.replace('TCP FINs', 'TCP FINs\xe9'),
    built.slice(0, built.length - 12), // truncated
    teardown.slice(0, teardown.indexOf(' bytes')),
    deny.slice(0, deny.indexOf('"outside')),
    built.replace('fw01 :', 'EDT :'), // a zone word where the host would be
    built.replace('fw01 :', 'UTC-5 :'),
    built.replace(' (198.51.100.1/1024)', ' (LOCAL\\bob)'), // an identity user
    built.replace('%ASA-6-', '%ASA-session-6-'), // a class word
    deny.replace(' by access', ' (type 8, code 0) by access'),
    // a name with a character to escape in JSON: the byte path vouches for a body with none but 106023's quotes
    built.replace('outside:', 'out\\side:'),
    teardown.replace('from inside', 'from in"side'),
    deny.replace('"outside_access_in"', '"outside\\in"'),
  ];
  const { a, b } = both(refused, 'refused.log');
  assert.equal(b.fast, 0, 'the byte path took none of them');
  // (and they are not all bad lines: the string path reads most)
  assert.ok(a.chunks.reduce((n, c) => n + c.n, 0) > refused.length / 2);
});

/** Characters that make parsers stumble (as in read-asa-fast.test.ts). */
const ODD = [' ', '  ', ':', '/', '(', ')', '"', '\\', '-', '.', '0', '9', 'a', 'F', '\t', '\x00', '\x1b', '\xa0', '\xe9', '%', '<', '>', 'from ', ' on interface ', 'EST ', '\r'];

test('mutated generated lines read the same through both paths', () => {
  const f = join(tmp, 'gen-small.log');
  generateAsaLog(f, { lines: 3000, seed: 11 });
  const lines = [...GOOD, ...readFileSync(f, 'latin1').split('\n').filter((l) => l !== '')];
  const rnd = mulberry32(20180620);
  const out: string[] = [];
  for (const line of lines) {
    const i = Math.floor(rnd() * (line.length + 1));
    const pick = ODD[Math.floor(rnd() * ODD.length)]!;
    switch (Math.floor(rnd() * 6)) {
      case 0: out.push(line.slice(0, i) + pick + line.slice(i)); break;
      case 1: out.push(line.slice(0, i) + line.slice(i + 1 + Math.floor(rnd() * 3))); break;
      case 2: out.push(line.slice(0, i) + pick + line.slice(i + 1)); break;
      case 3: out.push(line.slice(0, i)); break;
      case 4: out.push(line.slice(0, i) + line.slice(i).toUpperCase()); break;
      default: out.push(line.replace(/\d/g, (d) => (rnd() < 0.05 ? String(9 - Number(d)) : d)));
    }
  }
  const { b } = both(out, 'mutated.log');
  // (a mutation often leaves a line the byte path takes: a digit changed, a cut reason)
  assert.ok(b.fast > 0.1 * out.length && b.fast < 0.9 * out.length, `byte path took ${b.fast} of ${out.length}`);
});

test('lines across block ends, a long line and no newline at the end read the same', () => {
  const long = GOOD[1]!.replace('TCP FINs', 'x'.repeat(5 << 20));
  const lines = [GOOD[0]!, '', long, GOOD[2]!, '\r', GOOD[3]! + '\r'];
  for (let k = 0; k < 3000; k++) lines.push(GOOD[k % GOOD.length]!);
  const f = join(tmp, 'blocks.log');
  writeFileSync(f, Buffer.from(lines.join('\n'), 'latin1'));
  const a = parse(f, false);
  const b = parse(f, true);
  sameRows(f, a, b);
  assert.equal(b.summary.lines, lines.length);
});

test('a log that passes New Year before the seam of its two ranges gives what one thread gives', () => {
  // (the second range is parsed again on the main thread with the year it should have started with)
  const lines: string[] = [];
  for (let k = 0; k < 4000; k++) {
    const stamp = k < 1000 ? `Dec 31 23:${String(Math.floor(k / 60) % 60).padStart(2, '0')}` : `Jan  1 00:${String(Math.floor(k / 60) % 60).padStart(2, '0')}`;
    const at = `${stamp}:${String(k % 60).padStart(2, '0')} fw01`;
    const ep = `outside:100.64.${Math.floor(k / 250)}.${(k % 250) + 1}/${1024 + k}`;
    lines.push(`<166>${at} %ASA-6-302013: Built inbound TCP connection ${k} for ${ep} (${ep.slice(8)}) to inside:172.16.1.10/443 (203.0.113.5/443)`);
    lines.push(`<166>${at} %ASA-6-302014: Teardown TCP connection ${k} for ${ep} to inside:172.16.1.10/443 duration 0:00:00 bytes 100 TCP FINs`);
  }
  const f = join(tmp, 'new-year.log');
  writeFileSync(f, lines.join('\n') + '\n');
  const bin = fileURLToPath(new URL('../../bin/rsttui.js', import.meta.url));
  const run = (worker: string): string => {
    const r = spawnSync(process.execPath, [bin, 'flows', '--format', 'ndjson', '--year', '2018', f], { env: { ...process.env, RSTTUI_WORKER: worker }, maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout.toString();
  };
  const one = run('0');
  assert.equal(one.trim().split('\n').length, 4000);
  assert.ok(one.includes('"ts":1546300800'), 'January is read as 2019');
  assert.equal(run('1'), one);
});

test('connection ids and byte counts at the 32-bit columns\' edges read back exactly through both paths', () => {
  const [built, teardown] = GOOD as [string, string];
  // (0xfffffffd is the largest kept in the column; the two above it and wider ones are kept aside)
  const ids = [0, 1, 0xfffffffd, 0xfffffffe, 0xffffffff, 2 ** 32, 2 ** 40 + 1];
  const lines: string[] = [];
  for (const id of ids) {
    lines.push(built.replace('connection 3400004', `connection ${id}`));
    lines.push(teardown.replace('connection 3400010', `connection ${id}`).replace('bytes 306', `bytes ${id}`));
  }
  const { a, b } = both(lines, 'edges.log');
  assert.equal(b.fast, lines.length);
  for (const p of [a, b]) {
    const c = p.chunks[0]!;
    assert.equal(c.n, lines.length);
    for (let k = 0; k < ids.length; k++) {
      assert.equal(connIdAt(c, 2 * k), ids[k], `built id ${ids[k]}`);
      assert.ok(Number.isNaN(bytesAt(c, 2 * k)), 'a Built line counts no bytes');
      assert.equal(connIdAt(c, 2 * k + 1), ids[k], `teardown id ${ids[k]}`);
      assert.equal(bytesAt(c, 2 * k + 1), ids[k], `teardown bytes ${ids[k]}`);
    }
  }
});

test('a chunk ends early where its lines would lie more than 4 GiB apart; offsets read back exactly', () => {
  const chunks: FwChunk[] = [];
  const w = new ChunkWriter(0, 0, false, (c) => chunks.push(c));
  const facts = (off: number, line: number): LineFacts => ({ ts: 1, tsSource: 'firewall', msgid: 302013, severity: 6, vendor: 'ASA', host: undefined, line, off, bodyAt: 0 });
  const offs = [5, 2 ** 32 - 1, 2 ** 32 + 5, 2 ** 33 + 7, 2 ** 33 + 8];
  offs.forEach((off, k) => w.add(facts(off, k + 1), { kind: 'other' }));
  w.flush();
  // 5 and 2^32 - 1 are within 4 GiB of each other, 2^32 + 5 is not, nor 2^33 + 7 of that
  assert.deepEqual(chunks.map((c) => c.n), [2, 1, 2]);
  const got = chunks.flatMap((c) => Array.from({ length: c.n }, (_, r) => offAt(c, r)));
  assert.deepEqual(got, offs);
});

test('the last chunk, less than half full, is handed on cut to its rows, with the same rows and kept text', () => {
  for (const keep of [false, true]) {
    const got: FwChunk[][] = [[], []];
    for (const last of [false, true]) {
      const w = new ChunkWriter(0, 0, keep, (c) => got[last ? 1 : 0]!.push(c), false, 8);
      const lines = GOOD.slice(0, 11);
      let off = 0;
      lines.forEach((l, k) => {
        w.add({ ts: k, tsSource: 'firewall', msgid: 302013, severity: 6, vendor: 'ASA', host: 'fw01', line: k + 1, off, bodyAt: 0 },
          { kind: 'built', connId: k, bytes: 2 ** 33 + k, src: { addr: '2001:db8::1', port: k } }, keep ? l : undefined);
        off += l.length + 1;
      });
      w.flush(last);
    }
    const [full, cut] = got as [FwChunk[], FwChunk[]];
    assert.deepEqual(cut.map((c) => c.n), [8, 3]);
    // (8 rows a chunk: the first is full and handed on as it is; the last, 3 rows, is cut)
    assert.equal(cut[0]!.ts.length, 8);
    assert.equal(cut[1]!.ts.length, 3);
    assert.equal(cut[1]!.str.length, 3 * STR_SLOTS);
    assert.equal(full[1]!.ts.length, 8);
    const x = full[1]!, y = cut[1]!;
    for (let r = 0; r < 3; r++) {
      for (const col of COLUMNS) assert.ok(Object.is(y[col][r], x[col][r]), `${col} row ${r}`);
      for (const f of Object.values(READ)) assert.equal(f(y, r), f(x, r));
      assert.deepEqual(y.str.subarray(r * STR_SLOTS, (r + 1) * STR_SLOTS), x.str.subarray(r * STR_SLOTS, (r + 1) * STR_SLOTS));
      assert.equal(y.v6[y.addr[r * 4]!], '2001:db8::1');
      if (keep) {
        const line = (c: FwChunk): string => Buffer.from(c.text!).toString('latin1', offAt(c, r), c.text!.indexOf(10, offAt(c, r)));
        assert.equal(line(y), GOOD[8 + r]);
        assert.equal(line(x), line(y));
      }
    }
    if (keep) assert.equal(cut[1]!.text!.length, GOOD.slice(8, 11).reduce((n, l) => n + l.length + 1, 0), 'the kept text cut to its lines');
  }
});

test('a writer going on with another range hands on its chunk cut to its rows, then fills that room as a fresh chunk', () => {
  // (range 0: lines with endpoints; range 1: lines the string path reads with none, whose string slots it leaves as they are)
  const withEndpoints = GOOD.slice(0, 4);
  const without = ['<166>Jun 20 2018 00:00:09 fw01 : %ASA-6-113004: AAA user authentication Successful : user = j\xe9', GOOD[6]!.replace('client', 'cl\xe9ent')];
  const write = (w: ChunkWriter, lines: string[]): void => {
    const parser = new SyslogParser('x.log', { year: 2018 }, { event: (f, fields) => w.add(f, fields) });
    lines.forEach((l, k) => parser.line(l, 100 * k));
  };
  const got: FwChunk[] = [];
  const w = new ChunkWriter(0, 0, false, (c) => got.push(c), false);
  write(w, withEndpoints);
  w.restart(1);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.range, 0);
  assert.equal(got[0]!.n, withEndpoints.length);
  assert.equal(got[0]!.ts.length, withEndpoints.length, 'cut to its rows');
  write(w, [...without, ...without]);
  w.flush(true);
  const fresh: FwChunk[] = [];
  const f = new ChunkWriter(0, 1, false, (c) => fresh.push(c), false);
  write(f, [...without, ...without]);
  f.flush(true);
  const [a, b] = [got[1]!, fresh[0]!];
  assert.equal(a.range, 1);
  assert.equal(a.seq, 0);
  assert.equal(a.n, b.n);
  for (const col of ['ts', 'cid', 'nbytes', 'duration', 'lineOff', 'line', 'bodyAt', 'msgid', 'amask', 'kind', 'flags', 'vendor', 'bits', 'addr', 'port'] as const) {
    assert.deepEqual([...a[col]], [...b[col]], `${col}: as a fresh chunk's`);
  }
  // (strings by their text: the writer's pool holds range 0's too)
  assert.deepEqual([...a.str].map((id) => w.pool.all[id]), [...b.str].map((id) => f.pool.all[id]), 'strings as a fresh chunk\'s');
});
