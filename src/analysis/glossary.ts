/**
 * The words of the teardown analysis, in one place: what each class and anomaly means, its likely
 * causes, the rules that decide them (RULES: the interpretation of the issue where it left room),
 * and every phrase the per-packet explanations (explain.ts) are built from. Nothing here computes
 * a verdict; teardown.ts and endpoint.ts implement RULES.
 */
import type { Anomaly, Teardown } from '../model.js';

export interface GlossaryEntry {
  /** one line: what it means */
  meaning: string;
  /** one line: why it usually happens */
  causes: string;
}

export const TEARDOWN_INFO: Record<Teardown, GlossaryEntry> = {
  graceful: {
    meaning: 'both sides sent FIN, and no RST came before the last FIN was acknowledged',
    causes: 'a normal close by both applications',
  },
  'fin-then-rst': {
    meaning: 'a side sent FIN and then RST (the first RST came from a side that had already sent FIN)',
    causes:
      'an application that shuts down and then closes with SO_LINGER 0, a TLS stack that skips close_notify, ' +
      'or a side that closed its socket and then got data it can no longer deliver',
  },
  abort: {
    meaning: 'the connection ended by RST from a side that had not sent FIN',
    causes: 'close() with unread data, SO_LINGER 0, a killed process, an idle timeout in the application or a middlebox',
  },
  rejected: {
    meaning: 'the SYN was answered by RST',
    causes: 'nothing listens on that port, or a host firewall rejects the connection',
  },
  unanswered: {
    meaning: 'SYN(s) with no reply in the capture',
    causes: 'a firewall dropping the SYN, a host that is down, or a reply that took another path (asymmetric routing)',
  },
  'half-closed': {
    meaning: 'one side sent FIN, no RST, and the other side sent no FIN before the capture ended',
    causes: 'the capture ended before the other side closed, or that side keeps its half open (shutdown(SHUT_WR))',
  },
  open: {
    meaning: 'no FIN or RST seen (from a firewall log: the log does not say how it ended, or it had not ended when the log did)',
    causes: 'the connection was still open when the capture ended, or its end was not captured',
  },
  timeout: {
    meaning: 'the firewall removed the connection on its own clock: idle too long, or half-open (a handshake or a close that did not finish)',
    causes:
      'an application idle for longer than the firewall\'s idle timeout (ASA `timeout conn`, 1 h by default), a peer that vanished, ' +
      'or a close or handshake that stalled; a packet after it is denied as "no connection" (see after-timeout)',
  },
  'firewall-reset': {
    meaning: 'the firewall itself ended the connection (it sent RST, or dropped the connection for a reason of its own)',
    causes: 'a policy or inspection reset, IPS, TCP Intercept, TCP normalization (bad retransmission, overlap, data after FINs), an administrator clearing connections, a route change, failover',
  },
  denied: {
    meaning: 'the firewall denied the connection by policy and never built it (ASA 106023, 106100 denied, 106001, 710003)',
    causes: 'an access rule that does not allow this traffic: expected for scans and noise, a problem when the rule is new or wrong',
  },
};

export const ANOMALY_INFO: Record<Anomaly, GlossaryEntry> = {
  'rst-after-fin': {
    meaning: 'RST from a side that had already sent FIN',
    causes: 'SO_LINGER 0 after shutdown, a TLS stack that skips close_notify, or data that arrived after the side closed',
  },
  'late-rst': {
    meaning: 'RST sent after both sides had sent FIN',
    causes:
      'a stateful firewall usually removes the connection at the last FIN, so it drops this RST as "no connection" ' +
      '(ASA 106015 "Deny TCP (no connection)"); harmless for users, noisy in the logs',
  },
  'data-after-fin': {
    meaning: 'payload from a side beyond the sequence number of its own FIN',
    causes: 'a broken TCP stack or middlebox, or a capture that merged two connections on the same 4-tuple',
  },
  'data-after-rst': {
    meaning: 'payload after a RST, from either side',
    causes: 'data already in flight when the RST was sent, a RST the receiver did not accept (out of window), or an injected RST',
  },
  'no-close-notify': {
    meaning: 'the connection carries TLS and a side closed (FIN or RST) without sending an alert record first',
    causes: 'a TLS client or server that closes the socket without SSL_shutdown (common with HTTP/1.1 and many libraries)',
  },
  midstream: {
    meaning: 'no handshake seen: the capture starts inside the connection (and no firewall log shows it being built)',
    causes: 'the capture started after the connection opened, or the SYNs took another path',
  },
  'port-reuse': {
    meaning: 'the 4-tuple was used again by a new SYN',
    causes: 'a client that re-uses source ports quickly (NAT, a port range exhausted, SO_REUSEADDR), or TIME-WAIT recycling',
  },
  retransmission: {
    meaning: 'a side sent sequence space (payload, SYN or FIN) it had already sent',
    causes: 'a lost segment or ACK, a receiver or path that is slow or congested',
  },
  'zero-window': {
    meaning: 'a side advertised a receive window of 0 (on a non-RST packet)',
    causes: 'the receiving application does not read fast enough (or at all), so its buffer is full',
  },
  'rst-denied': {
    meaning:
      'a firewall log shows this connection\'s RST denied; a netfilter LOG or NFLOG entry says nothing of the verdict itself, ' +
      'its rule\'s prefix does: one containing DROP, REJECT, BLOCK, DENY or INVALID (any case) or a `--fw-drop-prefix` word is a drop',
    causes: 'the firewall had already removed the connection (after both FINs or an idle timeout)',
  },
  'dropped-between-vantages': {
    meaning: 'a packet seen at one capture point is missing at the next one',
    causes: 'a firewall or router between the two capture points dropped it',
  },
  'firewall-only': {
    meaning: 'the connection is in the firewall log but in no capture',
    causes: 'the capture filter or capture window missed it, or no capture was given (a log-only load)',
  },
  'after-timeout': {
    meaning: 'the firewall denied a packet of this connection as "no connection" after it had timed the connection out',
    causes:
      'the application was idle for longer than the firewall\'s idle timeout and then sent again: that packet is dropped and the ' +
      'application sees a hang or a reset. Remedies: TCP keepalives shorter than the firewall\'s idle timeout, or a longer ' +
      'idle timeout for that traffic (ASA: `timeout conn`, or `set connection timeout idle` in a policy map)',
  },
};

/** A glossary entry of the impact fields (analysis/impact.ts). */
export interface ImpactEntry extends GlossaryEntry {
  fields: readonly string[];
}

export const IMPACT_INFO: readonly ImpactEntry[] = [
  {
    fields: ['unacked_orig', 'unacked_resp'],
    meaning:
      'payload bytes a side had sent that the peer had not acknowledged when the first RST ended the connection (or when the ' +
      'capture ended, without a RST), from sequence and acknowledgement numbers at the connection\'s primary vantage; ' +
      'unknown (null) when no ACK of the peer\'s was captured before the RST (a capture of one direction only), and for a ' +
      'connection known only from a firewall log',
    causes:
      'at a RST: data in flight when a side aborted (SO_LINGER 0, a killed process, a timeout in the application), or data ' +
      'the peer refused with a RST because its socket had closed; without a RST: data still in flight when the capture ' +
      'stopped. The count depends on the capture point: at the sender it includes what was still on the wire, at the ' +
      'receiver only what had arrived and was not acknowledged yet',
  },
  {
    fields: ['data_lost'],
    meaning:
      'a side had bytes unacknowledged at the first RST, or payload came after the first RST (from either side, which the ' +
      'receiver drops); false when no RST came or every byte had been acknowledged by then; unknown (null) when a count is. ' +
      'Acknowledged is not read: bytes a TCP acknowledged and its application never read (a close with unread data) do not show',
    causes:
      'a client that gives up on a response while it is still coming (a timeout, a user cancelling), an application or ' +
      'middlebox reset in the middle of a transfer, or data sent to a socket that had just closed (a keep-alive connection ' +
      'reused as the server closed it); the application that sent the data usually saw "connection reset by peer"',
  },
];

/**
 * How teardown.ts decides, where the issue left room. Kept as text so that the CLI can print it
 * and a reader can check the code against it.
 */
export const RULES: readonly string[] = [
  // precedence
  'Class precedence: unanswered, rejected, then (if any RST) graceful / fin-then-rst / abort by the first RST, ' +
    'then graceful (both FINs), half-closed (one FIN), open.',
  'unanswered: the originator sent SYN(s) and nothing past the SYN stage (no ACK, no FIN), and the responder sent nothing. ' +
    'A capture that only holds one direction of an established connection is therefore not "unanswered".',
  'rejected: the originator sent a SYN and the responder\'s first packet is a RST, with no SYN-ACK before it. ' +
    'A RST after a SYN-ACK is an abort.',
  'The class is decided by the first RST. graceful if, before it, both FINs had been sent and acknowledged AND ' +
    'the peer of the RST\'s sender had sent a packet after that: the RST answers a stray segment (a retransmission, ' +
    'late data) reaching a socket that is gone, the close itself was graceful (the RST adds anomalies, e.g. late-rst). ' +
    'Otherwise fin-then-rst if the RST\'s sender had sent FIN before it; otherwise abort.',
  'Why not "graceful whenever the last FIN was acknowledged before the first RST" (the literal wording): a side that ' +
    'calls shutdown() and then close() with unread data or SO_LINGER 0 sends FIN and RST microseconds apart; whether ' +
    'the peer\'s ACK of that FIN squeezes in between is a race on the wire and depends on where the capture was taken ' +
    '(it did on the fin-then-rst fixture, at the server, 23 µs ahead of the RST). An unprovoked RST after one\'s own ' +
    'FIN is an abortive close either way, so it is fin-then-rst either way.',
  'The seed (server FIN, client ACK, client FIN and RST in the same microsecond, server RST) is fin-then-rst: ' +
    'the server never acknowledged the client\'s FIN before the client\'s RST, so it is not graceful, and the first ' +
    'RST comes from the client, which had sent FIN. closed_by is resp (the server sent the first FIN). Both RSTs ' +
    'are rst-after-fin and late-rst (both sides had sent FIN). The listing has no SYN, so it is also midstream.',
  '"No new data in between" (fin-then-rst): a conforming stack cannot send new data after its FIN; if a capture ' +
    'shows some, the class stays fin-then-rst and the packet is flagged data-after-fin.',
  'closed_by: the side of the first FIN; "both" when the second FIN was sent before its sender had acknowledged ' +
    'the first (a simultaneous close: the FINs crossed); with no FIN, the side of the first RST; else none.',
  // anomalies
  'retransmission: a non-RST packet whose payload, SYN or FIN starts below the highest sequence number that side ' +
    'has sent. Not counted: keep-alives (0 or 1 byte at snd_nxt-1), zero-window probes (at most 1 byte while the ' +
    'peer\'s last window was 0), and out-of-order segments (ones that fill a gap the capture had skipped).',
  'zero-window: a window of 0 on a non-RST packet (RSTs often carry window 0, meaningless there).',
  'data-after-fin: payload from a side that reaches the sequence number of its own FIN or beyond. ' +
    'data-after-rst: any payload on a packet after the first RST, from either side.',
  'rst-after-fin: a RST from a side that had sent FIN. late-rst: a RST after both sides had sent FIN ' +
    '(acknowledged or not): that is when stateful firewalls tear the connection down.',
  'no-close-notify, per side: the connection carries TLS (a packet with a TLS record header) and the side closed ' +
    '(first FIN or RST) without an alert-marked packet (not counting RST payloads) before or with that FIN. ' +
    'The decoder marks alerts: content type 21, or in TLS 1.3 an application-data record of an encrypted alert\'s size. ' +
    'It is "unknown" when the side\'s last payload before closing was cut by snaplen before its record header, ' +
    'and also for closed sides when the capture is so short that no record header was readable anywhere. ' +
    'An alert is not necessarily close_notify (a fatal alert also qualifies): both tell the peer the TLS data ended.',
  'midstream: no SYN from either side. port-reuse: reported by the ingest, which sees the new SYN on the same 4-tuple; ' +
    'it marks the earlier connection (the one whose 4-tuple was used again), with its last packet as evidence.',
  'Endpoint states assume every captured packet reached its destination when it was captured; a FIN whose ACK ' +
    'does not cover the peer\'s FIN makes both sides CLOSING (simultaneous close). A side not yet heard from is UNKNOWN.',
];

// ------------------------------------------------------------------------------------------------
// Explanation phrases. `a` is the sender's name, `b` the peer's; every function returns a clause
// without the states/time suffix, which explain.ts adds.

/** Human time: µs below a millisecond, ms below a second, else s. */
export function humanDelta(seconds: number): string {
  const neg = seconds < 0;
  const s = Math.abs(seconds);
  let out: string;
  if (s < 1e-3) out = `${Math.round(s * 1e6)} µs`;
  else if (s < 1) out = `${trim((s * 1e3).toFixed(s < 0.01 ? 2 : 1))} ms`;
  else if (s < 120) out = `${trim(s.toFixed(s < 10 ? 2 : 1))} s`;
  else if (s < 7200) out = `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  else out = `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return neg ? `-${out}` : out;
}
const trim = (x: string): string => (x.includes('.') ? x.replace(/\.?0+$/, '') : x);

const bytes = (n: number): string => (n === 1 ? '1 byte' : `${n} bytes`);

export const SAY = {
  syn: (a: string) => `${a} sends SYN: it opens the connection`,
  synAgain: (a: string) => `${a} sends SYN again: the earlier SYN got no answer (retransmission)`,
  synAck: (a: string, b: string) => `${a} answers ${b}'s SYN with SYN-ACK: it accepts the connection`,
  synAckAgain: (a: string) => `${a} sends SYN-ACK again: the handshake's last ACK has not arrived (retransmission)`,
  handshakeDone: (a: string) => `${a} acknowledges the SYN-ACK: the handshake is complete`,
  data: (a: string, n: number) => `${a} sends ${bytes(n)}`,
  dataAgain: (a: string, n: number) => `${a} sends ${bytes(n)} again (retransmission): an earlier copy or its ACK was lost`,
  tlsAlert: (a: string) => `, a TLS alert record: most likely close_notify, ${a} announces the end of its TLS data`,
  tlsCut: ', too short in the capture to see its TLS record header (snaplen)',
  ack: (a: string, b: string) => `${a} acknowledges ${b}'s data`,
  ackFin: (a: string, b: string) => `${a} acknowledges the FIN of ${b}`,
  waitsForFin: (b: string, a: string) => `; ${b} now waits for ${a}'s FIN`,
  closeDoneFor: (b: string) => `; ${b} has finished closing`,
  closeDone: '; the close is complete',
  keepalive: (a: string, b: string) => `${a} sends a keep-alive probe: it checks that ${b} is still there`,
  windowProbe: (a: string, b: string) => `${a} probes ${b}'s zero window: it waits for ${b} to read`,
  zeroWindow: (a: string) => `; ${a} advertises a zero window: its receive buffer is full, its application is not reading`,
  finActive: (a: string) => `${a} sends FIN: it starts the active close`,
  finPassive: (a: string, b: string) => `${a} sends FIN after ${b}'s: it closes its side too (the passive close)`,
  finSimultaneous: (a: string, b: string) => `${a} sends FIN before it has seen ${b}'s: a simultaneous close`,
  finAgain: (a: string) => `${a} sends its FIN again (retransmission): no ACK came for the first`,
  finAfterRst: (a: string) => `${a} sends FIN after the connection was reset`,
  withData: (n: number) => ` with ${bytes(n)} of data`,
  rstRejected: (a: string, b: string) =>
    `${a} answers ${b}'s SYN with RST: the connection is refused; nothing listens on that port, or a host firewall rejects it`,
  rstAfterOwnFin: (a: string, since: string) =>
    `${a} sends RST ${since} after its own FIN: an abortive close; typical of a ${a} that closes with SO_LINGER 0 ` +
    'or with unread data, or a TLS stack that skips close_notify',
  rstAnswersFin: (a: string, b: string) =>
    `${a} answers ${b}'s FIN with RST: it no longer has this connection (it closed and its FIN-WAIT-2 timer ` +
    'ran out, or it aborted)',
  rstAgain: (a: string) => `${a} sends RST again`,
  rstAnswersData: (a: string, b: string, since: string) =>
    `${a} answers ${b}'s data with RST ${since} after its own FIN: it has closed its socket and cannot deliver the data ` +
    '(data sent to a closed socket)',
  rstNoConnection: (a: string, answered: boolean) =>
    `${a} ${answered ? 'answers with' : 'sends'} RST: it no longer has this connection`,
  rstAfterPeerFin: (a: string, b: string) =>
    `${a} sends RST after ${b}'s FIN instead of its own FIN: an abort; typical of a ${a} that closed with unread data ` +
    'or with SO_LINGER 0',
  rstAbort: (a: string) =>
    `${a} sends RST without a FIN: it aborts the connection (SO_LINGER 0, close() with unread data, a killed process, ` +
    'or an idle timeout)',
  /** a RST after both FINs, when the connection may still be in a firewall's table (the first such RST) */
  lateRstMaybe: '; both sides had sent FIN, so a stateful firewall may already have removed the connection and drop this RST',
  /** a RST after both FINs and after the connection was over on both ends (e.g. answering a RST) */
  lateRst: '; a stateful firewall that saw both FINs has already removed the connection and will drop this RST',
  afterCloseRst: '; the close had already completed',
  midstream: '; the capture starts inside the connection (no handshake seen)',
  portReuse: '; after this, a new SYN opens another connection on the same 4-tuple (port reuse)',
  states: (aName: string, aState: string, bName: string, bState: string) => `${aName} ${aState}, ${bName} ${bState}`,
  first: 'first packet',
  since: (d: string) => `+${d}`,
  anomalyCauses: (name: string, causes: string) => `${name}: ${causes}`,
  causesLead: ' — likely causes: ',
} as const;

/** The impact line of explain (analysis/impact.ts): `side`, `rstBy`: client / server. */
export const SAY_IMPACT = {
  allAcked: (rstBy: string) => `every byte was acknowledged before the ${rstBy}'s RST: no data lost`,
  unacked: (side: string, n: number, rstBy: string) =>
    side === rstBy ? `the ${side} had ${bytes(n)} unacknowledged when it sent its RST` : `the ${side} had ${bytes(n)} unacknowledged when the ${rstBy}'s RST came`,
  unknown: (side: string, peer: string) => `the ${side}'s data: unknown whether it was acknowledged (no ACK from the ${peer} captured before the RST)`,
  afterRst: (n: number) => `${bytes(n)} of data came after the RST, which the receiver drops`,
  lost: ': data lost',
  lostUnknown: ': whether data was lost is unknown',
  noRstAllAcked: 'no RST: every byte had been acknowledged when the capture ended',
  noRstUnacked: (parts: string) => `no RST; when the capture ended ${parts} (still in flight, or the capture stopped first)`,
  noRstSide: (side: string, n: number) => `the ${side} had ${bytes(n)} unacknowledged`,
  noRstUnknown: 'no RST; whether every byte was acknowledged is unknown (the capture holds one direction only)',
  noPackets: 'unknown: no packets (known from the firewall log only)',
} as const;

/** State names as printed (RFC 9293 names; UNKNOWN for a side not yet heard from). */
export const stateName = (s: string): string => (s === 'UNKNOWN' ? 'unknown' : s);

// ------------------------------------------------------------------------------------------------
// Firewall events in a timeline, and packets seen at another vantage point.

/** `a` / `b`: which side of the connection an event's source is (client / server), if known */
export const SAY_FW = {
  built: (id: string) => `firewall built connection ${id}: it now keeps state for it and passes its packets`,
  teardown: (reason: string, meaning: string) => `firewall removed the connection (${reason}): ${meaning}`,
  teardownUnknown: (reason: string) => `firewall removed the connection (${reason})`,
  denyNoConn: (side: string, flags: string) =>
    `firewall denied the ${side}'s ${flags} as "no connection": it had already removed the connection, so this packet ` +
    'never reached the other side; this is the log line that spikes',
  deny: (what: string) => `firewall denied a packet of this connection (${what})`,
  /** the seed's pattern told from the log alone */
  lateRstFromLog:
    'from the log alone: the firewall removed the connection at its last FIN (TCP FINs), and this RST came right after. ' +
    'A capture would show both FINs, then the RST (often a client closing with FIN+RST without TLS close_notify, and the ' +
    'server answering with its own RST): harmless, the connection had closed and its data was delivered; nothing to fix ' +
    'on the firewall',
  /** a packet after the firewall's idle timeout */
  afterTimeout:
    'this packet came after the firewall had timed the connection out: the application was idle longer than the firewall ' +
    'allows, and this packet was dropped (the application sees a hang or a reset). Remedies: TCP keepalives shorter than ' +
    'the firewall\'s idle timeout, or a longer idle timeout for this traffic (ASA: timeout conn, or set connection timeout idle)',
  noCapture: 'no capture to compare the log with: times are the log\'s own',
  localHost: (built: boolean) => (built ? 'firewall created its state for this host (first connection)' : 'firewall removed its state for this host (last connection gone)'),
  other: (tag: string, what?: string) => `firewall message ${tag}${what ? `: ${what}` : ''}`,
  offset: (s: string, pairs: number) => `log clock - capture clock: ${s} (from ${pairs} matched event${pairs === 1 ? '' : 's'})`,
  seenAlso: (vantage: string) => `the same packet, seen at ${vantage}`,
  /** a packet of an NFLOG capture logged by a rule whose prefix names a drop (after its group and prefix) */
  nflogDropped: (receiver: string) => `dropped by the firewall (the prefix names a drop), so it never reached the ${receiver}`,
  missingAt: (vantages: string) => `not seen at ${vantages}: dropped between the capture points (a firewall or router in between)`,
} as const;
