/**
 * tlsMark on real TLS 1.2 / 1.3 captures (fixtures/tcp/tls*.pcap, made by
 * fixtures/gen/behaviours.py: in the *-close-notify ones both sides call unwrap(), so both
 * send close_notify; in the *-no-close-notify ones neither does), plus the header rules on
 * hand-made payloads whose expected marks follow from RFC 5246 / 8446 record layout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DECODE, newTcpFacts } from '../src/decode/facts.js';
import { decodeTcp } from '../src/decode/packet.js';
import { tlsMark } from '../src/decode/tls.js';
import { MARK_TLS, MARK_TLS_ALERT, MARK_TLS_UNKNOWN } from '../src/model.js';
import { fixture, tool } from './helpers.js';
import { readPcap } from './pcap-records.js';

const TSHARK = tool('tshark');

interface Seg {
  frame: number;
  sport: number;
  len: number;
  mark: number;
}

function segments(name: string): { segs: Seg[]; client: number; server: number; clientFin: number } {
  const pcap = readPcap(fixture(`tcp/${name}`));
  const f = newTcpFacts();
  const segs: Seg[] = [];
  let client = -1;
  let server = -1;
  let clientFin = -1;
  for (const r of pcap.records) {
    if (decodeTcp(pcap.data, r.off, r.caplen, r.origlen, pcap.linktype, f) !== DECODE.TCP) continue;
    if (client < 0 && (f.flags & 0x12) === 0x02) [client, server] = [f.sport, f.dport];
    if (clientFin < 0 && f.sport === client && f.flags & 0x01) clientFin = r.frame;
    if (f.payloadLen === 0) continue;
    segs.push({ frame: r.frame, sport: f.sport, len: f.payloadLen, mark: tlsMark(pcap.data, f.payloadOff, f.payloadCaptured, f.payloadLen) });
  }
  assert.ok(client > 0, `${name}: no SYN`);
  return { segs, client, server, clientFin };
}

/** Frames in which tshark dissects a record of content type 21 (alert). */
function tsharkAlertFrames(name: string): Set<number> {
  const r = spawnSync('tshark', ['-r', fixture(`tcp/${name}`), '-n', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.record.content_type'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = new Set<number>();
  for (const line of r.stdout.split('\n')) {
    const [n, types = ''] = line.split('\t');
    if (types.split(',').includes('21')) out.add(Number(n));
  }
  return out;
}

for (const v of ['tls12', 'tls13']) {
  test(`${v}-close-notify: each side's last data segment is alert-marked, and nothing else`, () => {
    const { segs, client, server } = segments(`${v}-close-notify.pcap`);
    assert.ok(segs[0]!.mark & MARK_TLS, 'ClientHello segment not marked TLS');
    for (const side of [client, server]) {
      const mine = segs.filter((s) => s.sport === side);
      const alerts = mine.filter((s) => s.mark & MARK_TLS_ALERT);
      assert.equal(alerts.length, 1, `port ${side}: ${alerts.length} alert-marked segments`);
      // close_notify is the last thing a side sends before its FIN.
      assert.equal(alerts[0]!.frame, mine[mine.length - 1]!.frame, `port ${side}: the alert is not its last data`);
    }
  });

  // The client closes with a bare FIN. The server (OpenSSL 3) then treats the unexpected EOF
  // as a fatal error and sends an alert of its own (tshark shows it as an Encrypted Alert in
  // the TLS 1.2 file), so "no alert anywhere" is not what the capture holds: the client sent
  // none, and whatever the server sent came only after the client's FIN.
  test(`${v}-no-close-notify: the client sends no alert; any server alert follows the client's FIN`, () => {
    const { segs, client, clientFin } = segments(`${v}-no-close-notify.pcap`);
    assert.ok(segs.length > 2);
    assert.ok(segs[0]!.mark & MARK_TLS, 'ClientHello segment not marked TLS');
    assert.ok(clientFin > 0, 'client FIN not found');
    assert.deepEqual(segs.filter((s) => s.sport === client && s.mark & MARK_TLS_ALERT).map((s) => s.frame), []);
    for (const s of segs.filter((x) => x.mark & MARK_TLS_ALERT)) assert.ok(s.frame > clientFin, `frame ${s.frame}: alert before the client's FIN`);
  });
}

test('TLS 1.2: alert-marked frames are exactly those where tshark sees content type 21', { skip: TSHARK.ok ? false : TSHARK.skip }, () => {
  for (const name of ['tls12-close-notify.pcap', 'tls12-no-close-notify.pcap']) {
    const ours = segments(name).segs.filter((s) => s.mark & MARK_TLS_ALERT).map((s) => s.frame);
    assert.deepEqual(ours, [...tsharkAlertFrames(name)].sort((a, b) => a - b), name);
  }
  assert.equal(tsharkAlertFrames('tls12-close-notify.pcap').size, 2, 'tshark should see both close_notify alerts');
});

// Hand-made payloads: [type, 3, minor, lenHi, lenLo, ...body].
const rec = (type: number, minor: number, len: number): number[] => [type, 3, minor, len >> 8, len & 0xff, ...new Array<number>(len).fill(0xaa)];
const mark = (bytes: number[], captured = bytes.length, len = bytes.length): number => tlsMark(Uint8Array.from(bytes), 0, captured, len);

test('tlsMark: plausible headers only', () => {
  assert.equal(mark(rec(22, 1, 10)), MARK_TLS);
  assert.equal(mark(rec(23, 4, 0)), MARK_TLS); // empty application data is legal
  assert.equal(mark(rec(22, 3, 0)), 0); // empty handshake is not
  assert.equal(mark(rec(25, 3, 10)), 0); // content type out of 20..24
  assert.equal(mark(rec(19, 3, 10)), 0);
  assert.equal(mark(rec(22, 5, 10)), 0); // version 0x0305
  assert.equal(mark([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20]), 0); // "GET / "
  assert.equal(mark([22, 3, 3, 0x48, 0x01]), 0); // 18433 > 2^14 + 2048
});

test('tlsMark: alerts found by walking consecutive records', () => {
  assert.equal(mark(rec(21, 3, 2)), MARK_TLS | MARK_TLS_ALERT);
  assert.equal(mark([...rec(23, 3, 40), ...rec(21, 3, 26)]), MARK_TLS | MARK_TLS_ALERT);
  assert.equal(mark([...rec(22, 3, 40), ...rec(20, 3, 1), ...rec(22, 3, 40)]), MARK_TLS);
  // TLS 1.3 encrypted alert: 2 + 1 + 16 (GCM/ChaCha20/CCM) or 2 + 1 + 8 (CCM-8).
  assert.equal(mark(rec(23, 3, 19)), MARK_TLS | MARK_TLS_ALERT);
  assert.equal(mark([...rec(23, 3, 100), ...rec(23, 3, 11)]), MARK_TLS | MARK_TLS_ALERT);
  assert.equal(mark(rec(23, 3, 20)), MARK_TLS);
  assert.equal(mark(rec(23, 1, 19)), MARK_TLS); // TLS 1.0 has no encrypted-alert disguise
  // The second header is past the captured bytes: it cannot be seen.
  const two = [...rec(23, 3, 40), ...rec(21, 3, 2)];
  assert.equal(mark(two, 45 + 4, two.length), MARK_TLS);
  assert.equal(mark(two, 45 + 5, two.length), MARK_TLS | MARK_TLS_ALERT);
  // A walk that hits garbage stops there.
  assert.equal(mark([...rec(23, 3, 4), 0x99, 3, 3, 0, 2, ...rec(21, 3, 2)]), MARK_TLS);
});

test('tlsMark: TLS_UNKNOWN only when fewer than min(payloadLen, 5) bytes were captured', () => {
  const r = rec(21, 3, 2);
  assert.equal(mark(r, 4, 7), MARK_TLS_UNKNOWN);
  assert.equal(mark(r, 0, 7), MARK_TLS_UNKNOWN);
  assert.equal(mark(r, 2, 3), MARK_TLS_UNKNOWN);
  assert.equal(mark(r, 3, 3), 0); // a 3-byte payload, all captured: no header can be there
  assert.equal(mark(r, 5, 7), MARK_TLS | MARK_TLS_ALERT);
});
