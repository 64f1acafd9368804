/**
 * Per-packet explanations: checked for the facts each line must state (who sends what, both
 * sides' states after it, the time since the previous packet, the causes at anomalies), not for
 * exact prose. Sequences are hand-built; the seed's inside capture is copied in as data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, MARK_RESP, MARK_TLS, MARK_TLS_ALERT, PSH, RST, SYN } from '../src/model.js';
import { connPacketsFrom, type ConnPackets } from '../src/analysis/conn-packets.js';
import { classify } from '../src/analysis/teardown.js';
import { explain } from '../src/analysis/explain.js';
import { ANOMALY_INFO, TEARDOWN_INFO, humanDelta } from '../src/analysis/glossary.js';
import { TEARDOWNS, ANOMALIES, TCP_STATES } from '../src/model.js';
import { readdirSync } from 'node:fs';
import { trackStates } from '../src/analysis/endpoint.js';
import { loadDataset } from '../src/flows/dataset.js';
import { stateName } from '../src/analysis/glossary.js';
import { fixture } from './helpers.js';

type Side = 'c' | 's';
const FL: Record<string, number> = { F: FIN, S: SYN, R: RST, P: PSH, A: ACK };

/** Conversation builder (as in analysis-teardown.test.ts): seq/ack kept as a stack would. */
function conv(): {
  pkt: (side: Side, letters: string, o?: { len?: number; dt?: number; win?: number; mark?: number; seq?: number }) => ReturnType<typeof conv>;
  done: () => ConnPackets;
  nxt: Record<Side, number>;
} {
  const rows: { ts: number; flags: number; seq: number; ack: number; len: number; win: number; mark: number }[] = [];
  const nxt: Record<Side, number> = { c: 1000, s: 9000 };
  let t = 100;
  const self = {
    nxt,
    pkt(side: Side, letters: string, o: { len?: number; dt?: number; win?: number; mark?: number; seq?: number } = {}) {
      let flags = 0;
      for (const ch of letters) flags |= FL[ch]!;
      const len = o.len ?? 0;
      const seq = o.seq ?? nxt[side];
      t += o.dt ?? 0.001;
      rows.push({
        ts: t, flags, seq, ack: flags & ACK ? nxt[side === 'c' ? 's' : 'c'] : 0, len, win: o.win ?? (flags & RST ? 0 : 500),
        mark: (side === 's' ? MARK_RESP : 0) | (o.mark ?? 0),
      });
      if (!(flags & RST)) nxt[side] = Math.max(nxt[side], seq + len + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0));
      return self;
    },
    done: () => connPacketsFrom(rows),
  };
  return self;
}

// /work/shared/seed-case/inside-capture.txt, frames 33437-33750 (client 203.0.113.147:43918 = orig)
const tod = (h: number, m: number, s: number): number => h * 3600 + m * 60 + s;
const SEED = connPacketsFrom([
  { ts: tod(12, 0, 47.907301), flags: FIN | ACK, seq: 2320205170, ack: 991843171, len: 0, win: 65535, mark: MARK_RESP },
  { ts: tod(12, 0, 47.95248), flags: ACK, seq: 991843171, ack: 2320205171, len: 0, win: 65535, mark: 0 },
  { ts: tod(12, 0, 50.443687), flags: FIN | ACK, seq: 991843171, ack: 2320205171, len: 0, win: 65535, mark: 0 },
  { ts: tod(12, 0, 50.443687), flags: RST | ACK, seq: 991843172, ack: 2320205171, len: 0, win: 0, mark: 0 },
  { ts: tod(12, 0, 50.443748), flags: RST, seq: 2320205171, ack: 0, len: 0, win: 0, mark: MARK_RESP },
]);

/** Assert that `line` states every fact (substring or pattern). */
function states(line: string | undefined, ...facts: (string | RegExp)[]): void {
  assert.ok(line !== undefined, 'line exists');
  for (const f of facts) {
    if (typeof f === 'string') assert.ok(line.includes(f), `"${line}" should state "${f}"`);
    else assert.match(line, f);
  }
}

test('explain: the seed, one line per packet with sides, states and times', () => {
  const lines = explain(SEED, classify(SEED));
  assert.equal(lines.length, SEED.n);
  // server FIN first: the server starts the active close, the client is then in CLOSE-WAIT
  states(lines[0], /^server sends FIN/, /active close/, 'server FIN-WAIT-1', 'client CLOSE-WAIT', /no handshake/);
  // the client's ACK of that FIN: the server waits in FIN-WAIT-2; 47.952480 - 47.907301 = 45.179 ms
  states(lines[1], /^client acknowledges/, 'FIN', 'server FIN-WAIT-2', 'client CLOSE-WAIT', '45.2 ms');
  // client FIN 2.491 s later: passive close, client LAST-ACK
  states(lines[2], /^client sends FIN/, 'client LAST-ACK', 'server TIME-WAIT', '2.49 s');
  // client RST in the same microsecond as its FIN: abortive close, causes named
  states(lines[3], /^client sends RST 0 µs after its own FIN/, 'SO_LINGER 0', 'close_notify', 'client CLOSED', /firewall/);
  // server RST 61 µs later: it no longer has the connection; the firewall drops it
  states(lines[4], /^server answers .*with RST/, /no longer has this connection/, /firewall .*drop/, 'server CLOSED', '61 µs');
});

test('explain: names given by the caller, control characters removed', () => {
  const lines = explain(SEED, classify(SEED), { origName: '203.0.113.147:43918', respName: 'web\u001b[31m' });
  states(lines[0], /^web\[31m sends FIN/, 'web[31m FIN-WAIT-1', '203.0.113.147:43918 CLOSE-WAIT');
  for (const l of lines) assert.doesNotMatch(l, /[\u0000-\u001f]/);
});

test('explain: handshake, data, graceful close from the client', () => {
  const k = conv();
  k.pkt('c', 'S').pkt('s', 'SA').pkt('c', 'A').pkt('c', 'PA', { len: 11 }).pkt('s', 'PA', { len: 10 })
    .pkt('c', 'FA', { dt: 0.2 }).pkt('s', 'FA').pkt('c', 'A');
  const p = k.done();
  const lines = explain(p, classify(p));
  states(lines[0], /^client sends SYN/, 'client SYN-SENT', 'server unknown', 'first packet');
  states(lines[1], /^server .*SYN-ACK/, 'server SYN-RECEIVED', 'client ESTABLISHED', '1 ms');
  states(lines[2], /^client .*handshake/, 'client ESTABLISHED', 'server ESTABLISHED');
  states(lines[3], /^client sends 11 bytes/);
  states(lines[5], /^client sends FIN/, /active close/, 'client FIN-WAIT-1', 'server CLOSE-WAIT', '200 ms');
  // the server's FIN acknowledges the client's: client TIME-WAIT, server LAST-ACK
  states(lines[6], /^server sends FIN/, 'client TIME-WAIT', 'server LAST-ACK');
  states(lines[7], /^client acknowledges/, 'server CLOSED', 'client TIME-WAIT', /close is complete/);
});

test('explain: anomalies carry their likely causes', () => {
  // server RST, then client data still in flight (data-after-rst), then zero window elsewhere
  const k = conv();
  k.pkt('c', 'S').pkt('s', 'SA').pkt('c', 'A').pkt('c', 'PA', { len: 5 }).pkt('s', 'A', { win: 0 })
    .pkt('s', 'RA').pkt('c', 'PA', { len: 10 });
  const p = k.done();
  const v = classify(p);
  const lines = explain(p, v);
  states(lines[4], /zero window/, 'server ESTABLISHED');
  states(lines[5], /^server sends RST/, 'client CLOSED', 'server CLOSED');
  states(lines[6], /^client sends 10 bytes/, 'data-after-rst', ANOMALY_INFO['data-after-rst'].causes);
});

test('explain: retransmission, keep-alive, TLS alert, rejected', () => {
  const k = conv();
  k.pkt('c', 'S').pkt('s', 'SA').pkt('c', 'A');
  const at = k.nxt.s;
  k.pkt('s', 'PA', { len: 100, mark: MARK_TLS }).pkt('s', 'PA', { len: 100, seq: at, dt: 0.3, mark: MARK_TLS }).pkt('c', 'A');
  k.pkt('c', 'A', { seq: k.nxt.c - 1, dt: 7200 }).pkt('s', 'A');
  k.pkt('c', 'PA', { len: 24, mark: MARK_TLS | MARK_TLS_ALERT }).pkt('c', 'FA');
  const p = k.done();
  const lines = explain(p, classify(p));
  states(lines[4], /^server sends 100 bytes again/, /retransmission/, '300 ms');
  states(lines[6], /^client .*keep-alive/, '2 h 0 min');
  states(lines[8], /^client sends 24 bytes/, /alert/, 'close_notify');
  // the server never sent an alert and never closed: no no-close-notify, nothing said about it
  assert.ok(!lines.some((l) => l.includes('no-close-notify')));

  const r = conv().pkt('c', 'S').pkt('s', 'RA', { seq: 0 }).done();
  const rl = explain(r, classify(r));
  states(rl[1], /^server answers .*SYN with RST/, /refused/, 'client CLOSED', 'server CLOSED');
});

test('humanDelta: µs, ms, s, min', () => {
  assert.equal(humanDelta(0), '0 µs');
  assert.equal(humanDelta(0.000061), '61 µs');
  assert.equal(humanDelta(0.0451790), '45.2 ms');
  assert.equal(humanDelta(0.002), '2 ms');
  assert.equal(humanDelta(2.491207), '2.49 s');
  assert.equal(humanDelta(30), '30 s');
  assert.equal(humanDelta(125), '2 min 5 s');
  assert.equal(humanDelta(-0.00001), '-10 µs');
  assert.equal(humanDelta(7200), '2 h 0 min');
});

test('glossary: every class and anomaly has a meaning and causes', () => {
  for (const t of TEARDOWNS) assert.ok(TEARDOWN_INFO[t].meaning.length > 10 && TEARDOWN_INFO[t].causes.length > 10, t);
  for (const a of ANOMALIES) assert.ok(ANOMALY_INFO[a].meaning.length > 10 && ANOMALY_INFO[a].causes.length > 10, a);
});

// ---------------------------------------------------------------------------------------------
// Real captures: the facts each explanation must state, from what each behaviour does
// (fixtures/gen/behaviours.py) and RFC 9293's state diagram, not from this code's output.

type Pick = { side: Side; flag: number; nth?: number } | 'last' | 'first';
interface Fact { at: Pick; says: (string | RegExp)[] }
const FIXTURE_FACTS: Record<string, Fact[]> = {
  'clean-close-client': [
    { at: { side: 'c', flag: FIN }, says: [/^client .*FIN/, 'client FIN-WAIT-1', 'server CLOSE-WAIT'] },
    { at: { side: 's', flag: FIN }, says: [/^server .*FIN/, 'server LAST-ACK'] },
    { at: 'last', says: ['client TIME-WAIT', 'server CLOSED'] },
  ],
  'clean-close-server': [
    { at: { side: 's', flag: FIN }, says: [/^server .*FIN/, 'server FIN-WAIT-1', 'client CLOSE-WAIT'] },
    { at: 'last', says: ['server TIME-WAIT', 'client CLOSED'] },
  ],
  // the FINs cross: both sides pass through CLOSING, both end in TIME-WAIT
  'simultaneous-close': [
    { at: { side: 'c', flag: FIN }, says: ['client CLOSING', 'server CLOSING'] },
    { at: 'last', says: ['client TIME-WAIT', 'server TIME-WAIT'] },
  ],
  'abort-client': [{ at: { side: 'c', flag: RST }, says: [/^client .*RST/, 'client CLOSED', 'server CLOSED'] }],
  'abort-server': [{ at: { side: 's', flag: RST }, says: [/^server .*RST/, 'client CLOSED', 'server CLOSED'] }],
  'close-unread': [{ at: { side: 's', flag: RST }, says: [/^server .*RST/, /unread/] }],
  rejected: [
    { at: 'first', says: [/^client .*SYN/, 'client SYN-SENT'] },
    { at: { side: 's', flag: RST }, says: [/^server .*SYN.*RST/, 'client CLOSED', 'server CLOSED'] },
  ],
  unanswered: [{ at: 'last', says: [/^client .*SYN/, /again/, 'client SYN-SENT', 'server unknown'] }],
  // the server's orphan is gone when the client's FIN arrives: the server's RST answers that FIN
  'fin-then-rst-late': [
    { at: { side: 'c', flag: FIN }, says: ['client LAST-ACK'] },
    { at: { side: 's', flag: RST }, says: [/^server .*RST/, /FIN/, /firewall/, 'server CLOSED'] },
  ],
  'data-to-closed': [{ at: { side: 's', flag: RST }, says: [/^server .*RST/, /data/, /own FIN/] }],
  midstream: [{ at: 'first', says: [/handshake/] }],
  keepalive: [{ at: { side: 'c', flag: FIN }, says: ['client FIN-WAIT-1'] }],
  'tls12-no-close-notify': [{ at: { side: 'c', flag: FIN }, says: [/^client .*FIN/, 'no-close-notify'] }],
  'tls13-no-close-notify': [{ at: { side: 'c', flag: FIN }, says: [/^client .*FIN/, 'no-close-notify'] }],
};

function pick(p: ConnPackets, at: Pick): number {
  if (at === 'first') return 0;
  if (at === 'last') return p.n - 1;
  let seen = 0;
  for (let i = 0; i < p.n; i++) {
    const s: Side = p.mark[i]! & MARK_RESP ? 's' : 'c';
    if (s === at.side && p.flags[i]! & at.flag && seen++ === (at.nth ?? 0)) return i;
  }
  return -1;
}

const KEEPALIVE_WORD = /keep-alive/;
for (const name of readdirSync(fixture('tcp')).filter((f) => f.endsWith('.pcap')).map((f) => f.slice(0, -5)).sort()) {
  test(`explain fixture ${name}`, async () => {
    const ds = await loadDataset([fixture(`tcp/${name}.pcap`)]);
    for (let c = 0; c < ds.conns.count; c++) {
      const p = ds.connPackets(c);
      const v = ds.verdict(c);
      const lines = explain(p, v);
      assert.equal(lines.length, p.n);
      const st = trackStates(p);
      for (let i = 0; i < p.n; i++) {
        const line = lines[i]!;
        const sender = p.mark[i]! & MARK_RESP ? 'server' : 'client';
        assert.ok(line.startsWith(sender + ' '), `line ${i} names its sender: ${line}`);
        // both sides' states after the packet, as the state tracker has them
        states(line, `client ${stateName(TCP_STATES[st.orig[i]!]!)}`, `server ${stateName(TCP_STATES[st.resp[i]!]!)}`);
        if (p.flags[i]! & RST) states(line, 'RST');
        else if (p.flags[i]! & SYN) states(line, 'SYN');
        else if (p.flags[i]! & FIN) states(line, 'FIN');
        assert.doesNotMatch(line, /undefined|NaN/);
      }
      // every packet an anomaly points at says so (inline wording or the anomaly's name)
      for (const [a, idx] of Object.entries(v.evidence)) {
        const word = a === 'retransmission' ? /again/ : a === 'zero-window' ? /zero window/ : a === 'midstream' ? /handshake/
          : a === 'rst-after-fin' || a === 'late-rst' ? /RST/ : a === 'port-reuse' ? /same 4-tuple/ : new RegExp(a);
        for (const i of idx!) assert.match(lines[i]!, word, `${a} at ${i}`);
      }
      if (name === 'keepalive') assert.ok(lines.some((l) => KEEPALIVE_WORD.test(l)), 'keep-alive probes named');
      if (ds.conns.count === 1) for (const f of FIXTURE_FACTS[name] ?? []) {
        const i = pick(p, f.at);
        assert.ok(i >= 0, `${JSON.stringify(f.at)} found`);
        states(lines[i], ...f.says);
      }
    }
  });
}
