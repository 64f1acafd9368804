/**
 * zeekConn / zeekOriginator against hand-built packet sequences. Each expected answer is argued from
 * Zeek's code (TCPSessionAdapter.cc, TCP_Endpoint.cc, Conn.cc, conn/main.zeek) in the comment above it,
 * not taken from our own output. Client = originator (mark 0), server = responder (MARK_RESP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, MARK_CUT, MARK_RESP, PSH, RST, SYN } from '../src/model.js';
import { connPacketsFrom } from '../src/analysis/conn-packets.js';
import { isLikelyServerPort, zeekConn, zeekOriginator } from '../src/analysis/zeek.js';

type Row = { ts: number; flags: number; seq: number; ack: number; len: number; win: number; mark: number };
const C = 1000; // client ISN
const S = 5000; // server ISN
let t = 0;
/** a packet from the originator ('o') or the responder ('r') */
function pk(dir: 'o' | 'r', flags: number, seq: number, ack = 0, len = 0, win = 64240, mark = 0): Row {
  return { ts: ++t, flags, seq, ack, len, win, mark: mark | (dir === 'r' ? MARK_RESP : 0) };
}
const run = (rows: Row[], flipped = false) => zeekConn(connPacketsFrom(rows, flipped));
/** SYN, SYN-ACK, ACK */
const handshake = (): Row[] => [pk('o', SYN, C), pk('r', SYN | ACK, S, C + 1), pk('o', ACK, C + 1, S + 1)];

test('clean handshake, data both ways, FIN/FIN: SF ShADadFf, sizes from sequence numbers', () => {
  // S (orig SYN), h (resp SYN-ACK), A (orig pure ACK), D (orig data), a (resp pure ACK), d (resp data),
  // F, f: each letter once per direction (CheckHistory). Both sides CLOSED -> SF. Size: last_seq - start
  // minus the SYN octet minus the FIN octet = 100 and 200 (TCP_Endpoint::Size).
  const z = run([
    ...handshake(),
    pk('o', PSH | ACK, C + 1, S + 1, 100),
    pk('r', ACK, S + 1, C + 101),
    pk('r', PSH | ACK, S + 1, C + 101, 200),
    pk('o', ACK, C + 101, S + 201),
    pk('o', FIN | ACK, C + 101, S + 201),
    pk('r', FIN | ACK, S + 201, C + 102),
    pk('o', ACK, C + 102, S + 202),
  ]);
  assert.deepEqual(z, { state: 'SF', history: 'ShADadFf', origBytes: 100, respBytes: 200, rolesSwapped: false });
});

test('SYN only: S0 S', () => {
  // orig SYN_SENT, resp INACTIVE -> S0.
  const z = run([pk('o', SYN, C)]);
  assert.equal(z.state, 'S0');
  assert.equal(z.history, 'S');
  assert.equal(z.origBytes, 0);
});

test('SYN retransmitted with the same seq: S once', () => {
  // rel_seq of both SYNs is 0 = hist_last_SYN, so update_history adds nothing the second time.
  const z = run([pk('o', SYN, C), pk('o', SYN, C), pk('o', SYN, C)]);
  assert.equal(z.history, 'S');
  assert.equal(z.state, 'S0');
});

test('SYN retransmitted with a different seq: still S once within one connection', () => {
  // init_endpoint in SYN_SENT re-bases start_seq on a SYN with a new ISN (SYN_seq_jump), so rel_seq is 0
  // again and equals hist_last_SYN. (Real Zeek would split it off as a new connection in IsReuse.)
  const z = run([pk('o', SYN, C), pk('o', SYN, C + 77777)]);
  assert.equal(z.history, 'S');
  assert.equal(z.state, 'S0');
});

test('SYN answered by RST-ACK: REJ Sr', () => {
  // UpdateInactiveState: the responder's RST -> RESET while orig is SYN_SENT -> REJ.
  const z = run([pk('o', SYN, C), pk('r', RST | ACK, 0, C + 1)]);
  assert.equal(z.state, 'REJ');
  assert.equal(z.history, 'Sr');
});

test('originator RST after establishment: RSTO', () => {
  // orig RESET, resp ESTABLISHED (not inactive) -> RSTO.
  const z = run([...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 10), pk('r', ACK, S + 1, C + 11), pk('o', RST | ACK, C + 11, S + 1)]);
  assert.equal(z.state, 'RSTO');
  assert.equal(z.history, 'ShADaR');
  assert.equal(z.origBytes, 10);
});

test('responder RST after establishment: RSTR', () => {
  // resp RESET, orig ESTABLISHED -> neither REJ (orig not SYN_SENT) nor RSTRH -> RSTR.
  const z = run([...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 10), pk('r', RST | ACK, S + 1, C + 11)]);
  assert.equal(z.state, 'RSTR');
  assert.equal(z.history, 'ShADr');
});

test('RST repeated: same seq gives R once, a different seq another R', () => {
  // hist_last_RST holds the RST's rel_seq; a repeat with the same one is not recorded.
  const base = [...handshake()];
  assert.equal(run([...base, pk('o', RST, C + 1), pk('o', RST, C + 1)]).history, 'ShAR');
  assert.equal(run([...base, pk('o', RST, C + 1), pk('o', RST, C + 500)]).history, 'ShARR');
});

test('FIN then RST from the client (the seed case shape), server answers nothing: S2 -> RSTO', () => {
  // FIN: orig CLOSED. RST in CLOSED state: peer not CLOSED -> RESET. resp ESTABLISHED -> RSTO.
  // FIN at rel 1 then RST at rel 2: different letters, each once.
  const z = run([...handshake(), pk('o', FIN | ACK, C + 1, S + 1), pk('o', RST | ACK, C + 2, S + 1)]);
  assert.equal(z.history, 'ShAFR');
  assert.equal(z.state, 'RSTO');
});

test('SYN then RST from the originator, no reply: RSTOS0 SR', () => {
  // orig RESET, resp INACTIVE, history matches /^\^?S[^HAFGIQ]*R/ -> RSTOS0.
  const z = run([pk('o', SYN, C), pk('o', RST, C + 1)]);
  assert.equal(z.state, 'RSTOS0');
  assert.equal(z.history, 'SR');
});

test('SYN-ACK then RST from the responder, no SYN seen (flipped at first packet): RSTRH ^hr', () => {
  // The ingest flipped (SYN-ACK from a likely server port): '^' first, both packets are the responder's.
  // resp RESET, orig INACTIVE -> RSTRH.
  const z = run([pk('r', SYN | ACK, S, C + 1), pk('r', RST, S + 1)], true);
  assert.equal(z.state, 'RSTRH');
  assert.equal(z.history, '^hr');
});

test('SYN then FIN from the originator, no reply: SH SF; a SYN+FIN packet: SH Q', () => {
  // FIN in SYN_SENT -> CLOSED; resp INACTIVE -> SH. SYN+FIN sets two of SYN/FIN/RST -> 'Q' only.
  assert.deepEqual([run([pk('o', SYN, C), pk('o', FIN, C + 1)]).state, run([pk('o', SYN, C), pk('o', FIN, C + 1)]).history], ['SH', 'SF']);
  const q = run([pk('o', SYN | FIN, C)]);
  assert.equal(q.state, 'SH');
  assert.equal(q.history, 'Q');
});

test('FIN+RST in one packet: I', () => {
  // bits_set > 1 with FIN and RST -> HIST_FIN_RST_PKT 'I'; in ESTABLISHED the RST wins -> RESET -> RSTO.
  const z = run([...handshake(), pk('o', FIN | RST | ACK, C + 1, S + 1)]);
  assert.equal(z.history, 'ShAI');
  assert.equal(z.state, 'RSTO');
});

test('close attempts: S2 (orig FIN only), S3 (resp FIN only), S1 (no close), SHR', () => {
  assert.equal(run([...handshake(), pk('o', FIN | ACK, C + 1, S + 1)]).state, 'S2');
  assert.equal(run([...handshake(), pk('r', FIN | ACK, S + 1, C + 1)]).state, 'S3');
  const s1 = run([...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 5)]);
  assert.equal(s1.state, 'S1');
  assert.equal(s1.history, 'ShAD');
  // SHR: responder SYN-ACK then FIN, originator never heard from.
  const shr = run([pk('r', SYN | ACK, S, C + 1), pk('r', FIN | ACK, S + 1, C + 1)], true);
  assert.equal(shr.state, 'SHR');
  assert.equal(shr.history, '^hf');
});

test('midstream: first packet an ACK with data: OTH Da, no gap for the faked start', () => {
  // Both endpoints start INACTIVE with no SYN -> PARTIAL each -> OTH. init_endpoint numbers the first
  // data at rel 1, so the responder's ack of it is no gap ('g' needs cleanly established sides anyway).
  const z = run([pk('o', PSH | ACK, 70000, 90000, 100), pk('r', ACK, 90000, 70100)]);
  assert.equal(z.state, 'OTH');
  assert.equal(z.history, 'Da');
  assert.equal(z.origBytes, 100);
});

test('first packet SYN-ACK, flipped by the ingest: ^hADadFf SF', () => {
  // The client's pure ACK while the server is ESTABLISHED establishes the client (missed SYN).
  const z = run(
    [
      pk('r', SYN | ACK, S, C + 1),
      pk('o', ACK, C + 1, S + 1),
      pk('o', PSH | ACK, C + 1, S + 1, 10),
      pk('r', ACK, S + 1, C + 11),
      pk('r', PSH | ACK, S + 1, C + 11, 20),
      pk('o', FIN | ACK, C + 11, S + 21),
      pk('r', FIN | ACK, S + 21, C + 12),
    ],
    true,
  );
  assert.equal(z.history, '^hADadFf');
  assert.equal(z.state, 'SF');
  assert.equal(z.origBytes, 10);
  assert.equal(z.respBytes, 20);
});

test('SYN-ACK seen before the SYN, not flipped at first: Zeek flips on the SYN (Hs^), rolesSwapped', () => {
  // UpdateInactiveState: a SYN from the responder side with the seq init_peer expected while the
  // originator is SYN_ACK_SENT -> Connection::FlipRoles ('^' after the 's'); afterwards the client is
  // Zeek's originator, so its ACK is upper-case.
  const z = run([pk('o', SYN | ACK, S, C + 1), pk('r', SYN, C), pk('r', ACK, C + 1, S + 1)]);
  assert.equal(z.history, 'Hs^A');
  assert.equal(z.rolesSwapped, true);
  assert.equal(z.state, 'S1');
});

test('zero window 12 times from the responder: a then w (1st) and w (10th)', () => {
  // ScaledHistoryEntry: letter at count 1, 10, 100... Responder -> lower case.
  const rows = [...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 10)];
  for (let i = 0; i < 12; i++) rows.push(pk('r', ACK, S + 1, C + 11, 0, 0));
  assert.equal(run(rows).history, 'ShADaww');
  // Nine are not enough for the second letter.
  assert.equal(run(rows.slice(0, 4 + 9)).history, 'ShADaw');
});

test('zero window is not recorded on a RST or after the peer sent a FIN', () => {
  // update_window: window 0 && !RST && peer not CLOSED && sender not RESET.
  assert.equal(run([...handshake(), pk('r', RST | ACK, S + 1, C + 1, 0, 0)]).history, 'ShAr');
  assert.equal(run([...handshake(), pk('o', FIN | ACK, C + 1, S + 1), pk('r', ACK, S + 1, C + 2, 0, 0)]).history, 'ShAFa');
});

test('retransmissions: T at the 1st and 10th, not for new data; keep-alive counts', () => {
  // update_last_seq: payload whose end does not pass last_seq -> DidRxmit (scaled like 'w').
  const rows = [...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 100)];
  rows.push(pk('o', PSH | ACK, C + 1, S + 1, 100)); // 1st retransmission -> T
  assert.equal(run(rows).history, 'ShADT');
  for (let i = 0; i < 9; i++) rows.push(pk('o', PSH | ACK, C + 1, S + 1, 100)); // 10th -> T again
  const z = run(rows);
  assert.equal(z.history, 'ShADTT');
  assert.equal(z.origBytes, 100); // sizes come from sequence numbers, retransmissions are free
  // A 1-byte keep-alive one below the next seq also ends at last_seq -> t from the responder.
  const ka = run([...handshake(), pk('r', ACK, S, C + 1, 1)]);
  assert.equal(ka.history, 'ShAdt');
});

test('content gap: data the responder acks but the capture never had -> G (the sender is upper-case)', () => {
  // Reassembler: rel 1..101 delivered, 101..201 never seen, ack of 201 -> Undelivered -> Gap on the
  // originator's endpoint while both are ESTABLISHED.
  const z = run([...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 100), pk('r', ACK, S + 1, C + 201)]);
  assert.equal(z.history, 'ShADaG');
  // Reordering is not a gap: 101..201 arrives after 201..301, then all is acked.
  const ro = run([
    ...handshake(),
    pk('o', PSH | ACK, C + 1, S + 1, 100),
    pk('o', PSH | ACK, C + 201, S + 1, 100),
    pk('o', PSH | ACK, C + 101, S + 1, 100),
    pk('r', ACK, S + 1, C + 301),
  ]);
  assert.equal(ro.history, 'ShADTa'); // the late 101..201 ends below last_seq: Zeek calls it a retransmission
  // Payload cut by snaplen never reaches the reassembler: its ack is a gap.
  const cut = run([...handshake(), pk('o', PSH | ACK, C + 1, S + 1, 100, 64240, MARK_CUT), pk('r', ACK, S + 1, C + 101)]);
  assert.equal(cut.history, 'ShADaG');
  // A RST's ack is no gap: the acking side is RESET, not cleanly established.
  assert.equal(run([...handshake(), pk('r', RST | ACK, S + 1, C + 501)]).history, 'ShAr');
});

test('sequence numbers wrapping past 2^32', () => {
  // ISN near the top: sizes and the SF path must not break on the uint32 wrap.
  const c = 0xffffff00;
  const z = run([
    pk('o', SYN, c),
    pk('r', SYN | ACK, S, (c + 1) >>> 0),
    pk('o', ACK, (c + 1) >>> 0, S + 1),
    pk('o', PSH | ACK, (c + 1) >>> 0, S + 1, 1000),
    pk('r', ACK, S + 1, (c + 1001) >>> 0),
    pk('o', FIN | ACK, (c + 1001) >>> 0, S + 1),
    pk('r', FIN | ACK, S + 1, (c + 1002) >>> 0),
  ]);
  assert.equal(z.state, 'SF');
  assert.equal(z.history, 'ShADaFf');
  assert.equal(z.origBytes, 1000);
});

test('zeekOriginator: SYN sender; SYN-ACK and midstream follow the likely-server-port rule', () => {
  assert.equal(zeekOriginator(SYN, 50000, 443), 'sender');
  assert.equal(zeekOriginator(SYN, 443, 50000), 'sender'); // a SYN is never flipped
  assert.equal(zeekOriginator(SYN | ACK, 443, 50000), 'receiver');
  assert.equal(zeekOriginator(SYN | ACK, 50000, 40000), 'sender'); // no port hint: not flipped (stealth scans)
  assert.equal(zeekOriginator(ACK, 80, 50000), 'receiver');
  assert.equal(zeekOriginator(ACK | PSH, 50000, 80), 'sender');
  // Both likely: flip only a non-SYN whose source port is the lower.
  assert.equal(zeekOriginator(ACK, 80, 443), 'receiver');
  assert.equal(zeekOriginator(ACK, 443, 80), 'sender');
  assert.equal(zeekOriginator(SYN | ACK, 80, 443), 'sender');
  assert.equal(isLikelyServerPort(443), true);
  assert.equal(isLikelyServerPort(143), false); // IMAP registers its analyzer but not the port
});

/**
 * Every connection of every fixtures/tcp capture against the expectations in fixtures/tcp/README.md
 * (written by the fixture generator from what Zeek's rules give for each scripted exchange). A README
 * line naming `<file>.pcap` is read for a conn_state (a CONN_STATES word) and a history (a word made of
 * history letters); a fixture with no such line is not checked here.
 */
test('fixtures/tcp: conn_state and history as fixtures/tcp/README.md expects', async (t) => {
  const { existsSync, readFileSync, readdirSync } = await import('node:fs');
  const { fixture } = await import('./helpers.js');
  const { CONN_STATES } = await import('../src/model.js');
  const readme = fixture('tcp/README.md');
  if (!existsSync(readme)) {
    t.skip('fixtures/tcp/README.md not written yet');
    return;
  }
  const { loadDataset } = await import('../src/flows/dataset.js');
  const states = new Set<string>(CONN_STATES);
  // each line: "`name.pcap` ... Expect: STATE, history LETTERS, ..."; a line naming several
  // connections gives one "STATE, history ..." per connection, in order ("first: ...; second: ...")
  const expect = new Map<string, { state?: string; history?: string }[]>();
  for (const line of readFileSync(readme, 'utf8').split('\n')) {
    const name = /`([\w.-]+\.pcap)`/.exec(line)?.[1];
    const exp = /Expect: (.*)$/.exec(line)?.[1];
    if (!name || !exp) continue;
    const parts = exp.split(/;\s*(?:first|second|third):|\bfirst:/).filter((x) => /history /.test(x));
    expect.set(name, parts.map((part) => {
      const state = part.split(/[^A-Za-z0-9]+/).find((w) => states.has(w));
      const history = /history (\^?[A-Za-z^]+)/.exec(part)?.[1];
      return { ...(state && { state }), ...(history && { history }) };
    }));
  }
  let checked = 0;
  for (const f of readdirSync(fixture('tcp')).filter((x) => x.endsWith('.pcap'))) {
    const list = expect.get(f);
    if (!list) continue;
    const d = await loadDataset([fixture('tcp/' + f)]);
    assert.equal(d.conns.count, list.length, `${f}: connections`);
    for (let i = 0; i < d.conns.count; i++) {
      const e: { state?: string; history?: string } = list[i]!;
      const z = zeekConn(d.connPackets(i));
      if (e.state) assert.equal(z.state, e.state, `${f} conn ${i} conn_state`);
      if (e.history) assert.equal(z.history, e.history, `${f} conn ${i} history`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'README names no fixture with a conn_state or history');
});
