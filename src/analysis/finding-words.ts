/**
 * The words of the findings, in one place beside the glossary: for each known pattern its stable
 * name, title, severity, likely cause, who can act and what to do; for any other pattern a name
 * and words composed from the glossary (TEARDOWN_INFO, ANOMALY_INFO), so that every group of
 * connections gets a sensible title and severity. Nothing here looks at a connection: the input is
 * a Pattern (finding-pattern.ts), and the same pattern always gets the same words.
 *
 * Severity, as Wireshark's Expert Info: `error` for lost data or connections the firewall broke,
 * `warn` for what is worth a look, `info` for harmless noise.
 *
 * Names are lower-case words joined by '-', vendor-neutral (the firewall may be any of fw.vendor);
 * only the `action` may name a vendor's setting, for the vendor whose log the finding came from.
 */
import { ANOMALIES, anomalyBit, type Anomaly, type Teardown } from '../model.js';
import { ANOMALY_INFO, TEARDOWN_INFO } from './glossary.js';
import { SEVERITIES, type Severity } from './finding-types.js';
import type { FwOutcome, Pattern } from './finding-pattern.js';

export interface FindingWords {
  name: string;
  title: string;
  severity: Severity;
  cause: string;
  who: string;
  action: string;
  /** a known pattern (false: composed from the glossary) */
  known: boolean;
}

const SIDE: Record<string, string> = { orig: 'client', resp: 'server' };
const OTHER: Record<string, string> = { orig: 'server', resp: 'client' };
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const bits = (as: readonly Anomaly[]): number => as.reduce((m, a) => m | anomalyBit(a), 0);
const has = (p: Pattern, a: Anomaly): boolean => (p.anomalies & anomalyBit(a)) !== 0;
/** the pattern has no anomaly outside `allowed` */
const only = (p: Pattern, allowed: readonly Anomaly[]): boolean => (p.anomalies & ~bits(allowed)) === 0;
/** A class's causes from the glossary, as a sentence. */
const causesOf = (e: { causes: string }): string => `Likely causes: ${e.causes}.`;
const worst = (...s: Severity[]): Severity => SEVERITIES.find((x) => s.includes(x)) ?? 'info';

/** The vendor family whose settings an action may name (FTD and PIX log as the ASA does). */
function family(vendor: string | undefined): string | undefined {
  return vendor === 'FTD' || vendor === 'PIX' ? 'ASA' : vendor;
}

/** How to quiet the log line of a late packet's deny, per vendor. */
const QUIET_LATE_DENY: Record<string, string> = {
  ASA: 'on the ASA/FTD, keep message 106015 below the level that is logged (`logging message 106015 level 7`) or rate-limit it (`logging rate-limit 10 1 message 106015`)',
  FortiGate: 'on the FortiGate, `config log setting` / `set log-invalid-packet disable`',
  netfilter: 'in netfilter, log the INVALID drops with a limit (`-m limit --limit 10/min`, nft `limit rate 10/minute`) or drop them without logging',
  pf: 'in pf, do not log the default block rule for this traffic (pfSense/OPNsense: "Log packets matched from the default block rules")',
};

/** Where the idle timeout is set, per vendor. */
const IDLE_TIMEOUT: Record<string, string> = {
  ASA: 'ASA/FTD: `timeout conn`, or `set connection timeout idle` in a policy map for that traffic',
  'PAN-OS': 'PAN-OS: the TCP timeout of the application or service (`set deviceconfig setting session timeout-tcp`, or the App-ID\'s own)',
  FortiGate: 'FortiGate: `set session-ttl` in the policy, or `config system session-ttl`',
  SRX: 'SRX: the application\'s `inactivity-timeout`',
  netfilter: 'netfilter: `net.netfilter.nf_conntrack_tcp_timeout_established`',
  pf: 'pf: `set timeout tcp.established`',
};

const quietHint = (vendor?: string): string =>
  QUIET_LATE_DENY[family(vendor) ?? ''] ?? 'lower the level or the rate of the firewall\'s "no connection" deny message';
const idleHint = (vendor?: string): string => {
  const h = IDLE_TIMEOUT[family(vendor) ?? ''];
  return h ? ` (${h})` : '';
};

/** The words of a known pattern, or undefined. Rules are tried in order: the first that fits wins. */
function known(p: Pattern, vendor?: string): Omit<FindingWords, 'known'> | undefined {
  // the firewall broke the connection, or the application lost data: whatever else it shows
  if (has(p, 'after-timeout')) {
    return {
      name: 'late-packet-after-idle-timeout',
      title: 'packets after the firewall\'s idle timeout were dropped',
      severity: 'error',
      cause: 'The application kept the connection idle longer than the firewall\'s idle timeout, then sent again; the firewall had already removed the connection and dropped that packet as "no connection": the application saw a hang, then a timeout or a reset.',
      who: 'The owners of the application (keepalives), with the firewall team (the idle timeout for that traffic).',
      action: `Send TCP keepalives (or an application heartbeat) more often than the firewall's idle timeout, or raise the idle timeout for that traffic${idleHint(vendor)}.`,
    };
  }
  if (p.teardown === 'firewall-reset' || p.fw === 'reset') {
    return {
      name: 'firewall-reset',
      title: 'the firewall ended connections itself (a reset, or a reason of its own)',
      severity: 'error',
      cause: causesOf(TEARDOWN_INFO['firewall-reset']),
      who: 'The firewall team.',
      action: 'Read the teardown reasons of these connections (fw.reason) and the firewall\'s inspection, IPS and normalization settings; check for failover, route changes or connections cleared by hand at those times.',
    };
  }
  // (a packet denied by policy in a connection that was built and closed is told by the composed words)
  if (p.teardown === 'denied' || (p.fw === 'policy' && (p.teardown === 'unanswered' || p.teardown === 'rejected' || p.teardown === 'open'))) {
    return {
      name: 'denied-by-policy',
      title: 'denied by the firewall\'s rules: what the rules blocked',
      severity: 'warn',
      cause: causesOf(TEARDOWN_INFO.denied),
      who: 'The firewall team (the rule set), with the owners of the clients and services named.',
      action: 'Check the top clients, servers and ports against what should be allowed: add or fix the rule where the traffic is legitimate (a new rule set often misses some); scans and noise need nothing.',
    };
  }
  if (p.lost) {
    // (whatever the class: an abort, a FIN+RST, a RST after a close that still had data coming)
    const s = p.rstBy !== 'none' ? p.rstBy : p.closedBy === 'orig' || p.closedBy === 'resp' ? p.closedBy : undefined;
    const a = s ? SIDE[s]! : undefined;
    return {
      name: `${a ? `${a}-` : ''}reset-data-lost`,
      title: `data lost: ${a ? `the ${a}` : 'a side'} reset connections with data in flight`,
      severity: 'error',
      cause: 'A RST discards what the peer had not yet acknowledged or read: the application gave up (a crash, a timeout of its own), closed with unread data, or closed with SO_LINGER 0 while data was in flight.',
      who: `The owners of the ${a ? `${a} ` : ''}application that sent the RST.`,
      action: 'Find why it aborts (its logs at those times); make it close gracefully: shutdown(), read to the end, then close(), without SO_LINGER 0.',
    };
  }
  const tls = has(p, 'no-close-notify');
  const tlsWord = tls ? 'tls-' : '';
  const tlsTitle = tls ? ', no close_notify' : '';
  const lateDeny = has(p, 'rst-denied') || p.fw === 'late-deny';
  if (p.teardown === 'fin-then-rst' && (p.rstBy === 'orig' || p.rstBy === 'resp')) {
    const a = SIDE[p.rstBy]!, b = OTHER[p.rstBy]!;
    const abortive = `${cap(a)}s that close with an abortive close (shutdown and then close with SO_LINGER 0${tls ? ', in a TLS stack that skips close_notify' : ''})`;
    if (has(p, 'late-rst') && lateDeny && only(p, ['rst-after-fin', 'late-rst', 'no-close-notify', 'rst-denied'])) {
      return {
        name: `${tlsWord}${a}-fin-rst-late-rst-denied`,
        title: `${a} closes with FIN+RST${tlsTitle}; ${b}'s late RST denied by the firewall`,
        severity: 'info',
        cause: `${abortive}: the ${b} answers with its own RST, which arrives after the firewall removed the connection at the last FIN, so the firewall denies it as "no connection". The FINs came first: the data had been delivered.`,
        who: `The owners of the ${a} application (only they can change how it closes); nobody else needs to act.`,
        action: `Nothing needed on the ${b} or the firewall; optionally, to quiet the log: ${quietHint(vendor)}.`,
      };
    }
    if (has(p, 'late-rst') && p.fw === 'none' && only(p, ['rst-after-fin', 'late-rst', 'no-close-notify'])) {
      return {
        name: `${tlsWord}${a}-fin-rst-late-rst`,
        title: `${a} closes with FIN+RST${tlsTitle}; the ${b} answers with a late RST`,
        severity: 'info',
        cause: `${abortive}: the ${b} answers with its own RST after both FINs. A stateful firewall on the path would deny that RST as "no connection" (a harmless log spike).`,
        who: `The owners of the ${a} application; nobody else needs to act.`,
        action: 'Nothing needed.',
      };
    }
    if (p.fw === 'none' && only(p, ['rst-after-fin', 'no-close-notify'])) {
      return {
        name: `${tlsWord}${a}-fin-rst`,
        title: `${a} closes with FIN then RST${tlsTitle} (an abortive close)`,
        severity: 'info',
        cause: `${abortive}, or a ${a} that got data after it had closed.`,
        who: `The owners of the ${a} application.`,
        action: `Nothing needed unless the ${b} reports errors (then the ${a} should read to the end before it closes).`,
      };
    }
  }
  if (p.teardown === 'graceful' && has(p, 'late-rst') && only(p, ['late-rst', 'rst-after-fin', 'rst-denied', 'no-close-notify'])) {
    if (lateDeny) {
      return {
        name: 'fin-close-late-rst-denied',
        title: 'closed with FINs; a RST right after was denied by the firewall',
        severity: 'info',
        cause: 'The firewall removed the connection at the last FIN and then denied a RST as "no connection". From a log alone this is how a client\'s FIN+RST close looks (a capture would show it); harmless: the connection had closed.',
        who: 'The owners of the application that closes with RST (a capture tells which side); nobody else needs to act.',
        action: `Nothing needed on the firewall; optionally, to quiet the log: ${quietHint(vendor)}.`,
      };
    }
    if (p.fw === 'none') {
      return {
        name: 'graceful-late-rst',
        title: 'closed gracefully; a stray RST after the close',
        severity: 'info',
        cause: 'A RST answering a late segment (a retransmission, late data) after both sides had closed: harmless.',
        who: 'Nobody.',
        action: 'Nothing needed.',
      };
    }
  }
  if (p.teardown === 'graceful' && p.fw === 'late-deny' && only(p, ['no-close-notify', 'rst-denied'])) {
    return {
      name: 'graceful-late-packet-denied',
      title: 'closed gracefully; a late packet after it denied by the firewall',
      severity: 'info',
      cause: 'A retransmission or late packet after both FINs, when the firewall had already removed the connection: harmless.',
      who: 'Nobody.',
      action: `Nothing needed; optionally, to quiet the log: ${quietHint(vendor)}.`,
    };
  }
  if (p.teardown === 'open' && p.fw === 'late-deny' && only(p, ['rst-denied', 'no-close-notify'])) {
    if (has(p, 'rst-denied')) {
      return {
        name: 'late-rst-denied-no-connection',
        title: 'RSTs denied as "no connection"; their close is not in the inputs',
        severity: 'info',
        cause: 'Most often a RST that came after the connection had closed (the firewall removes it at the last FIN: a client closing with FIN+RST, the server answering with RST), whose close the log or capture does not show.',
        who: 'The owners of the application that sends the RSTs; nobody else, if a capture confirms they follow closes.',
        action: `Capture both sides of the firewall (or log the firewall's connection teardowns) to confirm they follow closes; then nothing to fix; optionally, to quiet the log: ${quietHint(vendor)}.`,
      };
    }
    return {
      name: 'late-packet-denied-no-connection',
      title: 'packets (not RSTs) denied as "no connection", no connection known',
      severity: 'warn',
      cause: 'The firewall had no connection for them: it timed the connection out before the inputs begin, the SYN took another path (asymmetric routing), or a retransmission came after the close.',
      who: 'The firewall and network teams, with the owners of the applications named.',
      action: `Look for their connections' teardown earlier in the log (a longer window), check that both directions pass the same firewall, and send keepalives more often than the idle timeout${idleHint(vendor)}.`,
    };
  }
  if (p.fw !== 'none' && p.fw !== 'timeout') return undefined;
  if (p.teardown === 'graceful' && p.fw === 'none' && only(p, ['no-close-notify'])) {
    const by = p.closedBy === 'orig' ? 'client-' : p.closedBy === 'resp' ? 'server-' : p.closedBy === 'both' ? 'simultaneous-' : '';
    const first = { 'client-': ', the client first', 'server-': ', the server first', 'simultaneous-': ', both at once', '': '' }[by];
    return {
      name: `graceful-${by}close`,
      title: `closed gracefully${first}`,
      severity: 'info',
      cause: causesOf(TEARDOWN_INFO.graceful),
      who: 'Nobody.',
      action: 'Nothing needed.',
    };
  }
  if (p.teardown === 'abort' && p.fw === 'none' && (p.rstBy === 'orig' || p.rstBy === 'resp') && only(p, ['no-close-notify'])) {
    const a = SIDE[p.rstBy]!, b = OTHER[p.rstBy]!;
    return {
      name: `${a}-abort`,
      title: `the ${a} reset connections without a FIN`,
      severity: 'warn',
      cause: causesOf(TEARDOWN_INFO.abort),
      who: `The owners of the ${a} application.`,
      action: `Check whether the ${a} means to abort (SO_LINGER 0 on purpose is common in HTTP clients and load balancers); if the ${b}'s users see errors, find why it resets.`,
    };
  }
  if (p.teardown === 'rejected' && p.fw === 'none' && p.anomalies === 0) {
    return {
      name: 'rejected',
      title: 'connection attempts refused: the SYN was answered by RST',
      severity: 'warn',
      cause: causesOf(TEARDOWN_INFO.rejected),
      who: 'The owners of the servers named.',
      action: 'Check that the service listens on that port on that host (and that clients use the right address and port); check the host\'s own firewall.',
    };
  }
  if (p.teardown === 'unanswered' && p.fw === 'none' && p.anomalies === 0) {
    return {
      name: 'unanswered',
      title: 'connection attempts with no answer: SYNs and nothing back',
      severity: 'warn',
      cause: causesOf(TEARDOWN_INFO.unanswered),
      who: 'The network and firewall teams, with the owners of the servers named.',
      action: 'Follow the path of the SYNs: a device dropping them without a log, a route, a host that is down, replies taking another path.',
    };
  }
  if (p.teardown === 'timeout' && p.anomalies === 0) {
    return {
      name: 'idle-timeout',
      title: 'the firewall timed out idle or half-open connections',
      severity: 'warn',
      cause: 'Likely causes: applications idle for longer than the firewall\'s idle timeout, peers that vanished, or a handshake or close that stalled; a packet after it would be denied as "no connection".',
      who: 'The owners of the applications, with the firewall team.',
      action: `Nothing if the applications were done with them; if they meant to keep them, send keepalives more often than the idle timeout or raise it for that traffic${idleHint(vendor)}.`,
    };
  }
  if ((p.teardown === 'half-closed' || p.teardown === 'open') && p.fw === 'none' && only(p, ['no-close-notify'])) {
    const open = p.teardown === 'open';
    return {
      name: open ? 'open-at-end' : 'half-closed-at-end',
      title: open ? 'no close seen: still open when the capture or log ended' : 'one side closed, the other had not when the capture ended',
      severity: 'info',
      cause: causesOf(TEARDOWN_INFO[p.teardown]),
      who: 'Nobody, unless the capture should have covered their end.',
      action: 'Nothing needed; capture longer to see how they end.',
    };
  }
  return undefined;
}

// ---- any other pattern: composed from the glossary ------------------------------------------------

const CLASS_SEVERITY: Record<Teardown, Severity> = {
  graceful: 'info', 'fin-then-rst': 'info', abort: 'warn', rejected: 'warn', unanswered: 'warn', 'half-closed': 'info',
  open: 'info', timeout: 'warn', 'firewall-reset': 'error', denied: 'warn',
};
const ANOMALY_SEVERITY: Partial<Record<Anomaly, Severity>> = {
  'data-after-fin': 'warn', 'data-after-rst': 'warn', 'dropped-between-vantages': 'warn', 'after-timeout': 'error',
};
const FW_SEVERITY: Record<FwOutcome, Severity> = { none: 'info', 'late-deny': 'info', timeout: 'warn', policy: 'warn', reset: 'error' };

/** A few words per class, for composed titles. */
const CLASS_TITLE: Record<Teardown, string> = {
  graceful: 'closed gracefully', 'fin-then-rst': 'closed with FIN then RST', abort: 'reset without a FIN', rejected: 'refused (SYN answered by RST)',
  unanswered: 'SYNs with no answer', 'half-closed': 'half-closed', open: 'no close seen', timeout: 'timed out by the firewall',
  'firewall-reset': 'ended by the firewall', denied: 'denied by the firewall\'s rules',
};
export const FW_WORDS: Record<FwOutcome, string> = {
  none: '', 'late-deny': 'the firewall denied a late packet of it ("no connection")', timeout: 'the firewall timed it out',
  policy: 'the firewall denied it, or a packet of it, by policy', reset: 'the firewall ended it itself',
};
const FW_NAME: Record<FwOutcome, string> = { none: '', 'late-deny': 'fw-late-deny', timeout: 'fw-timeout', policy: 'fw-policy-deny', reset: 'fw-reset' };
const CLASS_WHO: Record<Teardown, string> = {
  graceful: 'Nobody, unless the anomalies below point at someone.',
  'fin-then-rst': 'The owners of the application that closes with FIN then RST.',
  abort: 'The owners of the application that sends the RST.',
  rejected: 'The owners of the servers named.',
  unanswered: 'The network and firewall teams, with the owners of the servers named.',
  'half-closed': 'Nobody, unless the capture should have covered the close.',
  open: 'Nobody, unless the capture should have covered the close.',
  timeout: 'The owners of the applications, with the firewall team.',
  'firewall-reset': 'The firewall team.',
  denied: 'The firewall team.',
};

function composed(p: Pattern): FindingWords {
  const names = ANOMALIES.filter((a) => has(p, a));
  const closer = p.closedBy === 'orig' || p.closedBy === 'resp' ? SIDE[p.closedBy]! : p.closedBy === 'both' ? 'both' : '';
  // (the side of the first RST is known for fin-then-rst and abort only; said where it is not the closer)
  const rst = p.rstBy === 'none' ? ((p.teardown === 'abort' || p.teardown === 'fin-then-rst') && closer ? 'unknown' : '') : p.rstBy !== p.closedBy ? SIDE[p.rstBy]! : '';
  const name = [p.teardown, closer && `by-${closer}`, rst && `rst-by-${rst}`, ...names, FW_NAME[p.fw], p.lost ? 'data-lost' : '']
    .filter((s) => s !== '').join('-');
  const by = closer === 'both' ? ' (both sides closed at once)' : closer ? ` (closed first by the ${closer})` : '';
  const also = names.length ? `; ${names.join(', ')}` : '';
  const fw = p.fw !== 'none' ? `; ${FW_WORDS[p.fw]}` : '';
  const severity = worst(CLASS_SEVERITY[p.teardown], FW_SEVERITY[p.fw], p.lost ? 'error' : 'info', ...names.map((a) => ANOMALY_SEVERITY[a] ?? 'info'));
  const causes = [causesOf(TEARDOWN_INFO[p.teardown]), ...names.slice(0, 2).map((a) => `${a}: ${ANOMALY_INFO[a].causes}.`)];
  return {
    name,
    title: `${CLASS_TITLE[p.teardown]}${by}${also}${fw}${p.lost ? '; data lost' : ''}`,
    severity,
    cause: causes.join(' '),
    who: CLASS_WHO[p.teardown],
    action: severity === 'info' ? 'Nothing needed unless users report errors.' : 'Open an example connection (its timeline) to see which side did what, then take it to the owners named above.',
    known: false,
  };
}

const cache = new Map<string, FindingWords>();

/** The words of a pattern; `vendor` (the finding's firewall, fw.vendor) only changes the action. */
export function findingWords(p: Pattern, vendor?: string): FindingWords {
  const key = `${p.teardown}|${p.closedBy}|${p.rstBy}|${p.anomalies}|${p.fw}|${p.lost}|${family(vendor) ?? ''}`;
  let w = cache.get(key);
  if (!w) {
    const k = known(p, vendor);
    w = k ? { ...k, known: true } : composed(p);
    if (cache.size < 10_000) cache.set(key, w);
  }
  return w;
}

// ---- evidence: what a finding's connections share, from its tallies --------------------------------

/** Counts over a finding's connections, per value of each part of the pattern (findings.ts fills them). */
export interface Tallies {
  count: number;
  /** per TEARDOWNS / CLOSED_BY / RST_SIDES / FW_OUTCOMES index */
  teardown: number[];
  closedBy: number[];
  rstBy: number[];
  fw: number[];
  /** per ANOMALIES bit, every anomaly (incidental ones too) */
  anomalies: number[];
  /** connections with data lost at a RST; undefined when the impact is not known */
  lost: number | undefined;
  /** connections known from a firewall log alone */
  logOnly: number;
}

const SIDE_WORDS = ['nobody', 'the client', 'the server', 'both at once'];

/** `x` when every connection has it, else `x (N)` items, most first. */
function spread(counts: readonly number[], total: number, word: (k: number) => string): string {
  const used = counts.map((n, k) => [k, n] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  if (used.length === 1 && used[0]![1] === total) return word(used[0]![0]);
  return used.map(([k, n]) => `${word(k)} (${n})`).join(', ');
}

/** One plain line per part of the pattern (class, closing side, anomalies, firewall, impact). */
export function evidenceLines(t: Tallies, teardowns: readonly Teardown[], fwOutcomes: readonly FwOutcome[]): string[] {
  const out: string[] = [];
  const cls = t.teardown.findIndex((n) => n === t.count);
  out.push(cls >= 0
    ? `teardown ${teardowns[cls]}: ${TEARDOWN_INFO[teardowns[cls]!].meaning}`
    : `teardown: ${spread(t.teardown, t.count, (k) => teardowns[k]!)}`);
  if (t.closedBy.some((n, k) => k > 0 && n > 0)) out.push(`closed first by (closed_by): ${spread(t.closedBy, t.count, (k) => SIDE_WORDS[k]!)}`);
  if (t.rstBy.some((n, k) => k > 0 && n > 0)) out.push(`first RST from: ${spread(t.rstBy, t.count, (k) => SIDE_WORDS[k]!)}`);
  ANOMALIES.forEach((a, b) => {
    const n = t.anomalies[b] ?? 0;
    if (n === t.count) out.push(`${a}: ${ANOMALY_INFO[a].meaning}`);
    else if (n > 0) out.push(`${a} in ${n} of ${t.count}`);
  });
  if (t.fw.some((n, k) => k > 0 && n > 0)) out.push(`firewall: ${spread(t.fw, t.count, (k) => FW_WORDS[fwOutcomes[k]!] || 'no firewall event of note')}`);
  if (t.lost !== undefined) out.push(t.lost === 0 ? 'impact: no data lost at a RST' : `impact: data lost at a RST in ${t.lost === t.count ? 'every one' : `${t.lost} of ${t.count}`}`);
  if (t.logOnly > 0) out.push(`known from the firewall log alone: ${t.logOnly === t.count ? 'every one' : `${t.logOnly} of ${t.count}`}`);
  return out;
}
