/**
 * When Zeek ends a TCP connection, so that later packets of the same 4-tuple start a new one: the
 * rules the ingest (packet-adder.ts) follows, read from Zeek's source (zeek/zeek, read, not copied;
 * default scripts, offline reading of a capture):
 *
 * Timers run before each packet: `run_state::dispatch_packet` advances the timer manager to the
 * packet's time and fires every timer due at or before it (`TimerMgr::DoAdvance`, `Time() <= t`),
 * then `IPBasedAnalyzer::AnalyzePacket` looks the tuple up. A connection a timer removed
 * (`session_mgr->Remove`) is gone: the packet makes a new one (`NewConn`, with
 * `TCPAnalyzer::WantConnection`'s roles, see analysis/zeek.ts zeekOriginator). Constants from
 * scripts/base/init-bare.zeek:
 *
 *  - ATTEMPT (`tcp_attempt_delay` = 5 s): `UpdateInactiveState` arms `AttemptTimer` at the
 *    originator's first SYN (or unflipped SYN-ACK) + 5 s; it removes the connection if the
 *    originator is still in SYN_SENT/SYN_ACK_SENT and the responder INACTIVE (it sent nothing, or
 *    only empty ACKs before its SYN-ACK: the "eccentric TCP" case). An unanswered connect() whose
 *    SYN retransmissions go on past 5 s gives one S0 row per 5 s window.
 *  - CLOSE (`tcp_close_delay` = 5 s): `TCPSessionAdapter::ConnectionClosed` runs for an endpoint's
 *    first FIN or RST (`did_close`); when that completes the close (the endpoint is RESET, or the
 *    peer already closed, or the peer is INACTIVE) it cancels the connection's analyzer timers and
 *    arms `ConnDeleteTimer` at `Conn()->LastTime()` (this packet) + 5 s. The other side's first
 *    FIN/RST re-arms it. So: 5 s after a RST, after the second FIN, or after a one-sided capture's
 *    FIN. (`tcp_reset_delay` only arms `ResetTimer` when a script handles `connection_reset`, which
 *    the default scripts do not.)
 *  - LINGER (`tcp_connection_linger` = 5 s, checked by `ExpireTimer` every `tcp_session_timer` = 6 s):
 *    a close that is not complete (a FIN, the peer still open) re-arms `ExpireTimer`; it removes the
 *    connection once it has been idle more than 5 s with a RESET endpoint (a side that sent FIN,
 *    then RST, while the peer had not closed). rsttui ends it at the first packet more than 5 s
 *    after the last one; Zeek's check runs on its 6 s cycle, so Zeek ends it between 5 and ~11 s.
 *  - IDLE (`tcp_inactivity_timeout` = 5 min): `Session::InactivityTimer` removes a connection with
 *    no packet for 5 min (`last_time + timeout <= t`). Until the handshake is past, a new TCP
 *    connection has `udp_inactivity_timeout` (1 min, TCPAnalyzer::MakeSessionAdapter;
 *    TCP_Endpoint::SetState switches to 5 min), but in that phase the attempt timer (5 s) always
 *    ends it first, so rsttui uses 5 min.
 *  - REUSE (`TCPSessionAdapter::IsReuse`, asked for a packet of a tuple that still has a
 *    connection): a SYN without ACK (or a SYN-ACK while the originator has sent nothing) starts a
 *    new connection if either side has sent a FIN or RST (`IsClosed`), whatever its sequence
 *    number; on an open connection only if its sequence number differs from the start sequence of
 *    that side (a retransmitted SYN stays), and not when it is the SYN of a SYN-ACK seen first
 *    (the SYN/SYN-ACK reversal of two capture interfaces, `UpdateInactiveState` flips then).
 *
 * Not modelled: Zeek defers a close while the closing side's stream has a hole (DataPending), and
 * `max_timer_expires` limits how many timers fire per packet on very busy links.
 */

/** Why a connection was started on a tuple that already had one (SPLIT_NONE: it was the first). */
export const SPLIT_NONE = 0;
export const SPLIT_REUSE = 1;
export const SPLIT_CLOSE = 2;
export const SPLIT_ATTEMPT = 3;
export const SPLIT_LINGER = 4;
export const SPLIT_IDLE = 5;

export const TCP_ATTEMPT_DELAY = 5;
export const TCP_CLOSE_DELAY = 5;
export const TCP_CONNECTION_LINGER = 5;
export const TCP_INACTIVITY_TIMEOUT = 300;

/** Words for each SPLIT_* (record field `split_why`, filter field `split`). */
export const SPLIT_NAMES = ['', 'reuse', 'close', 'attempt', 'linger', 'idle'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** What happened to the previous connection of the tuple, for "split from #N: ..." lines. */
export function splitReason(why: number): string {
  switch (why) {
    case SPLIT_REUSE: return 'a new SYN on the same 4-tuple (port reuse)';
    case SPLIT_CLOSE: return `later packets, ${TCP_CLOSE_DELAY} s or more after the close/RST (Zeek's tcp_close_delay)`;
    case SPLIT_ATTEMPT: return `later packets, ${TCP_ATTEMPT_DELAY} s or more after an unanswered SYN (Zeek's tcp_attempt_delay)`;
    case SPLIT_LINGER: return `later packets, more than ${TCP_CONNECTION_LINGER} s after a FIN then RST (Zeek's tcp_connection_linger)`;
    case SPLIT_IDLE: return `later packets after ${TCP_INACTIVITY_TIMEOUT / 60} min without any (Zeek's tcp_inactivity_timeout)`;
    default: return '';
  }
}
