/**
 * Session-close reasons of Juniper SRX RT_FLOW_SESSION_CLOSE (`reason="..."` in the structured
 * form, `session closed <reason>:` in the plain one), as Junos writes them, with the teardown
 * class, the closing side and one line in plain words (the meanings are ours).
 *
 * Sources: Juniper's "Information Provided in Session Log Entries for SRX Series" (the close log's
 * `reason` field), the ScreenOS / NSM "Reasons for Session Close" table the SRX's list grew from
 * (TCP FIN, TCP RST, response, ICMP error, aged out, ALG, HA, auth, other), and the spellings
 * Junos releases write in their logs (`TCP CLIENT RST`, `idle Timeout`, `Closed by junos-...`).
 * Lookup ignores case (fw-reasons.ts): Junos writes `idle Timeout` but some relays re-case it.
 *
 * The SRX names the closing end only in `TCP CLIENT RST` / `TCP SERVER RST` (client = the
 * session's originator, the CREATE's source): every other reason has side 'none'.
 */
import type { ReasonTable } from './vendors.js';

const firewall = (meaning: string) => ({ teardown: 'firewall-reset', side: 'none', meaning }) as const;

export const SRX_REASONS: ReasonTable = {
  'TCP FIN': {
    teardown: 'graceful', side: 'none',
    meaning: 'normal close: FINs ended the connection and the SRX removed the session seconds later; a later packet of it, like a late RST, is dropped as a first packet that is not a SYN, and that drop is not logged',
  },
  'TCP RST': { teardown: 'abort', side: 'none', meaning: 'a RST ended the connection; this Junos release does not say which end sent it' },
  'TCP CLIENT RST': { teardown: 'abort', side: 'client', meaning: 'the client (the end that opened the session) sent a RST and the SRX removed the session' },
  'TCP SERVER RST': { teardown: 'abort', side: 'server', meaning: 'the server sent a RST and the SRX removed the session' },
  'idle Timeout': {
    teardown: 'timeout', side: 'none',
    meaning: 'no packet for longer than the application\'s inactivity timeout (TCP 1800 s by default): the SRX removed the session silently, and later packets of the connection are dropped as first packets that are not SYNs',
  },
  'aged out': { teardown: 'timeout', side: 'none', meaning: 'the session reached its timeout (or early ageout when the session table filled) and the SRX removed it' },
  'sess timeout on pending state': { teardown: 'timeout', side: 'none', meaning: 'the session timed out while still pending (its first packet waiting on a lookup) and was removed' },
  'IKE pass-through child session ageout': { teardown: 'timeout', side: 'none', meaning: 'an IKE pass-through child session aged out' },
  'response received': { teardown: 'graceful', side: 'none', meaning: 'a request/response session (ICMP echo, DNS over UDP) closed once the answer passed' },
  'ICMP error': { teardown: 'abort', side: 'none', meaning: 'an ICMP error about the session (unreachable, for example) came back and the SRX closed it' },
  'synproxy failure': { teardown: 'unanswered', side: 'none', meaning: 'the SYN proxy of the SYN-flood screen could not complete the handshake with the server' },
  'application failure or action': firewall('an application service (ALG, AppFW, IDP, UTM) failed on the session or acted on it, and the SRX closed it'),
  'Closed by junos-alg': firewall('an application-layer gateway (FTP, SIP, DNS ...) closed the session'),
  'Closed by junos-dynapp': firewall('application identification (dynamic application) closed the session, for instance for an application firewall rule'),
  ALG: firewall('an application-layer gateway closed the session because of an error or a rule of its own'),
  IDP: firewall('intrusion detection and prevention closed the session'),
  auth: firewall('firewall user authentication failed, so the session was closed'),
  HA: firewall('chassis cluster: the session was closed by a message from the other node'),
  CLI: firewall('an administrator cleared the session (clear security flow session)'),
  'clear session': firewall('an administrator cleared the session (clear security flow session)'),
  'policy delete': firewall('the security policy that permitted the session was deleted or changed, so its sessions were removed'),
  'parent closed': firewall('a child session (an ALG\'s data channel, for example) closed because its parent session closed'),
  'CP NACK': firewall('the central point refused the session (no resources, or a clash with an existing session)'),
  'CP delete': firewall('the central point deleted the session'),
  'fwd session': firewall('the session was removed by the SRX\'s own forwarding-session handling'),
  'multicast route change': firewall('a multicast route change removed the session'),
  'first path reroute, session recreated': firewall('the route changed and the SRX rebuilt the session on the new path'),
  'source NAT allocation failure': firewall('no source NAT address or port was free for the session'),
  'error create IKE pass-through template': firewall('the SRX could not create the IKE pass-through template for the session'),
  'Closed by junos-tcp-clt': {
    teardown: 'open', side: 'none',
    meaning: 'the SRX\'s own TCP proxy (client-facing half, used by SSL proxy and content inspection) closed the session: the log does not say how either end closed',
  },
  'Closed by junos-tcp-svr': {
    teardown: 'open', side: 'none',
    meaning: 'the SRX\'s own TCP proxy (server-facing half) closed the session: the log does not say how either end closed',
  },
  unset: { teardown: 'open', side: 'none', meaning: 'no close reason was recorded (common for UDP sessions): the log does not say how the connection ended' },
  unknown: { teardown: 'open', side: 'none', meaning: 'the SRX did not know why the session closed' },
  other: { teardown: 'open', side: 'none', meaning: 'none of the SRX\'s named reasons' },
};
