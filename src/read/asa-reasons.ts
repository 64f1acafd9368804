/**
 * Teardown reasons of Cisco ASA / FTD messages 302014 and 302016 ("... bytes N <reason> [from IFACE]"),
 * with one line each in plain words. Names follow Cisco's syslog message guide (302014); the
 * meanings are ours, written for someone reading a capture next to the log.
 *
 * "inside"/"outside" in Reset-I / Reset-O mean the higher / lower security-level interface of the
 * connection, not interfaces literally named so.
 */

export const TEARDOWN_REASONS: Readonly<Record<string, string>> = {
  'TCP FINs':
    'normal close: the ASA saw FIN from both sides and removed the connection; any later packet of it (like a late RST) is denied as no connection',
  'TCP Reset-I': 'a RST came from the inside (higher security level) side and the ASA removed the connection at once',
  'TCP Reset-O': 'a RST came from the outside (lower security level) side and the ASA removed the connection at once',
  'TCP Reset-APPLIANCE': 'the ASA itself sent a RST (e.g. a policy or inspection reset) and removed the connection',
  'TCP data sent after FINs': 'a side sent data after both FINs were seen; the ASA reset and removed the connection',
  'SYN Timeout': 'the three-way handshake did not complete within the SYN timeout (30 s by default): the server never answered or its answer did not come back',
  'SYN Control': 'a SYN came from the wrong side (back-channel initiation), so the ASA refused to keep the connection',
  'FIN Timeout': 'after a FIN the close did not finish within the half-closed timeout (10 min by default); the ASA removed the connection',
  'Idle Timeout': 'no packet for longer than the idle timeout (1 h for TCP by default); the ASA removed the connection silently, later packets are denied as no connection',
  'Conn-timeout': 'the connection was idle longer than the configured connection timeout (set by policy) and was removed',
  'Flow closed by inspection': 'an application inspection engine closed the connection',
  'Deny Terminate': 'application inspection terminated the flow (e.g. a protocol violation)',
  'Failover primary closed': 'the standby unit removed the connection because the active unit told it to',
  'Flow terminated by IPS': 'the IPS module terminated the flow',
  'Flow reset by IPS': 'the IPS module reset the flow',
  'Flow terminated by TCP Intercept': 'TCP Intercept (SYN-flood protection) terminated the flow',
  'Invalid SYN': 'the ASA saw a SYN that is not valid for this connection and removed it',
  'TCP Invalid SYN': 'the ASA saw a SYN that is not valid for this connection and removed it',
  'TCP bad retransmission': 'a retransmission did not match the data first sent; the ASA removed the connection',
  'TCP segment partial overlap': 'a segment partly overlapped earlier data with different content; the ASA removed the connection',
  'TCP unexpected window size variation': 'the peer shrank its window in a way TCP normalization does not allow; the ASA removed the connection',
  'IPS fail-close': 'the IPS module was down and the policy is fail-close, so the flow was dropped',
  'Tunnel has been torn down': 'the VPN tunnel carrying the flow went down',
  'Xlate Clear': 'an administrator cleared the translations (clear xlate / clear conn), removing the connection',
  'Pinhole Timeout': 'a pinhole (secondary channel opened by inspection) timed out before use',
  'Unauth Deny': 'denied by URL filtering or cut-through authentication',
  'Route change': 'the route to a side changed to another interface, so the ASA removed the connection',
  'No valid adjacency': 'the ASA had no valid next-hop adjacency for the flow and removed it',
  'Flow timed out': 'the flow reached its timeout',
  'Flow timed out with reset': 'the flow reached its timeout and the ASA reset it (timeout with reset configured)',
  'Flow is a loopback': 'the flow was a loopback and was removed',
  'Cluster flow with CLU closed on owner': 'in a cluster, the flow owner closed the connection',
  'Free the flow created as result of packet injection': 'a connection built by packet-tracer\'s simulated packet, removed once the trace was done',
  'No interfaces associated with zone': 'an interface left its zone (no nameif / no zone-member) and the zone\'s flows were torn down',
  'Probe maximum retries of retransmission exceeded': 'a probe connection of the ASA gave up: its retransmissions reached the maximum',
  'Probe maximum retransmission time elapsed': 'a probe connection of the ASA gave up: the maximum probing time elapsed',
  'Probe received RST': 'a probe connection of the ASA was reset by the server',
  'Probe received FIN': 'a probe connection of the ASA was closed by the server with FIN, and the close completed',
  'Probe completed': 'a probe connection of the ASA succeeded and was closed',
  'VPN reclassify failed': 'the connection could not be reclassified to pass through a VPN tunnel and was removed',
  'Unknown': 'none of the known reasons: the ASA removed the connection for a reason it does not name',
};

/** Which side a reason names as the one that ended the connection. */
export type ReasonSide =
  /** the side named by `from IFACE` when the line has it (FINs: the side that closed first) */
  | 'from'
  /** the inside (higher security level: the `to` endpoint of 302013/302014), unless `from` says otherwise */
  | 'inside'
  /** the outside (lower security level: the `for` endpoint) */
  | 'outside'
  /** neither end: the firewall itself, or no one */
  | 'none'
  /** the connection's client (originator) / server (responder): other vendors' session logs say so */
  | 'client'
  | 'server';

/** What a reason means for the connection's teardown class (model.ts TEARDOWNS) and closing side. */
export interface ReasonClass {
  teardown: 'graceful' | 'abort' | 'unanswered' | 'timeout' | 'firewall-reset' | 'open';
  side: ReasonSide;
}

/**
 * The class of every reason above, in the same order: `timeout` when the firewall removed an idle
 * or half-open connection on its own clock, `firewall-reset` when it ended the connection for a
 * reason of its own (policy, inspection, IPS, normalization, an administrator, a route), `abort`
 * when an end sent RST. 'Unknown' stays `open`: the log does not say how it ended.
 */
export const REASON_CLASS: Readonly<Record<string, ReasonClass>> = {
  'TCP FINs': { teardown: 'graceful', side: 'from' },
  'TCP Reset-I': { teardown: 'abort', side: 'inside' },
  'TCP Reset-O': { teardown: 'abort', side: 'outside' },
  'TCP Reset-APPLIANCE': { teardown: 'firewall-reset', side: 'none' },
  'TCP data sent after FINs': { teardown: 'firewall-reset', side: 'none' },
  'SYN Timeout': { teardown: 'unanswered', side: 'none' },
  'SYN Control': { teardown: 'timeout', side: 'none' },
  'FIN Timeout': { teardown: 'timeout', side: 'from' },
  'Idle Timeout': { teardown: 'timeout', side: 'none' },
  'Conn-timeout': { teardown: 'timeout', side: 'none' },
  'Flow closed by inspection': { teardown: 'firewall-reset', side: 'none' },
  'Deny Terminate': { teardown: 'firewall-reset', side: 'none' },
  'Failover primary closed': { teardown: 'firewall-reset', side: 'none' },
  'Flow terminated by IPS': { teardown: 'firewall-reset', side: 'none' },
  'Flow reset by IPS': { teardown: 'firewall-reset', side: 'none' },
  'Flow terminated by TCP Intercept': { teardown: 'firewall-reset', side: 'none' },
  'Invalid SYN': { teardown: 'firewall-reset', side: 'none' },
  'TCP Invalid SYN': { teardown: 'firewall-reset', side: 'none' },
  'TCP bad retransmission': { teardown: 'firewall-reset', side: 'none' },
  'TCP segment partial overlap': { teardown: 'firewall-reset', side: 'none' },
  'TCP unexpected window size variation': { teardown: 'firewall-reset', side: 'none' },
  'IPS fail-close': { teardown: 'firewall-reset', side: 'none' },
  'Tunnel has been torn down': { teardown: 'firewall-reset', side: 'none' },
  'Xlate Clear': { teardown: 'firewall-reset', side: 'none' },
  'Pinhole Timeout': { teardown: 'timeout', side: 'none' },
  'Unauth Deny': { teardown: 'firewall-reset', side: 'none' },
  'Route change': { teardown: 'firewall-reset', side: 'none' },
  'No valid adjacency': { teardown: 'firewall-reset', side: 'none' },
  'Flow timed out': { teardown: 'timeout', side: 'none' },
  'Flow timed out with reset': { teardown: 'timeout', side: 'none' },
  'Flow is a loopback': { teardown: 'firewall-reset', side: 'none' },
  'Cluster flow with CLU closed on owner': { teardown: 'firewall-reset', side: 'none' },
  'Free the flow created as result of packet injection': { teardown: 'firewall-reset', side: 'none' },
  'No interfaces associated with zone': { teardown: 'firewall-reset', side: 'none' },
  'Probe maximum retries of retransmission exceeded': { teardown: 'timeout', side: 'none' },
  'Probe maximum retransmission time elapsed': { teardown: 'timeout', side: 'none' },
  'Probe received RST': { teardown: 'abort', side: 'none' },
  'Probe received FIN': { teardown: 'graceful', side: 'none' },
  'Probe completed': { teardown: 'graceful', side: 'none' },
  'VPN reclassify failed': { teardown: 'firewall-reset', side: 'none' },
  Unknown: { teardown: 'open', side: 'none' },
};

/** The class of a reason as written (canonical or not); undefined for a reason rsttui does not know. */
export function reasonClass(raw: string): ReasonClass | undefined {
  const c = canonicalReason(raw);
  return c === undefined ? undefined : REASON_CLASS[c];
}

/** Normal form used to compare reason names: case, spacing around '-' and repeated spaces ignored. */
function norm(s: string): string {
  return s.toLowerCase().replace(/\s*-\s*/g, '-').replace(/\s+/g, ' ').trim();
}

const BY_NORM = new Map<string, string>(Object.keys(TEARDOWN_REASONS).map((k) => [norm(k), k]));

/** The canonical spelling of a reason as written in a log ("TCP Reset - I" -> "TCP Reset-I"), or undefined. */
export function canonicalReason(raw: string): string | undefined {
  return BY_NORM.get(norm(raw));
}

/** One-line meaning of a reason as written in a log, or undefined when the reason is not known. */
export function reasonMeaning(raw: string): string | undefined {
  const c = canonicalReason(raw);
  return c === undefined ? undefined : TEARDOWN_REASONS[c];
}
