/**
 * The subcommands and their help, as data: `rsttui --help`, `rsttui CMD --help` and the README's
 * command sections come from this table (a test checks the README carries every usage line).
 */
import type { ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: ParseArgsConfig['options'];
  /** option lines for --help: [flag, meaning] */
  optionHelp: [string, string][];
  examples: string[];
}

// (--format has no -f: -f is the capture filter, as in dumpcap, tshark and termshark)
const common = {
  format: { type: 'string' },
  filter: { type: 'string' },
  name: { type: 'string', multiple: true },
  year: { type: 'string' },
  tz: { type: 'string' },
  date: { type: 'string' },
  skew: { type: 'string' },
  'fw-drop-prefix': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const commonHelp: [string, string][] = [
  ['--name FILE=NAME', 'name the vantage point of capture FILE (default: its file name); repeatable'],
  ['--year YYYY', 'year of log timestamps written without one (default: the captures\' year)'],
  ['--tz ZONE', 'zone of log and listing times written without one: UTC (default), +02:00, Europe/Zurich'],
  ['--date YYYY-MM-DD', 'date of text listings that print only the time of day (default: the logs\' date)'],
  ['--skew SECONDS', 'largest clock offset between logs and captures to look for (default 300)'],
  ['--fw-drop-prefix WORD', 'a netfilter log prefix containing WORD means the packet was dropped (besides DROP, REJECT, BLOCK, DENY, INVALID); repeatable'],
  ['--filter EXPR', 'only connections matching the filter expression (see "Filter language")'],
  ['-h, --help', 'this help'],
];

/** Live input (issue 18): capture, growing files, syslog received; read by live-spec.ts. */
const live = {
  interface: { type: 'string', short: 'i', multiple: true },
  'capture-filter': { type: 'string', short: 'f' },
  write: { type: 'string', short: 'w' },
  follow: { type: 'boolean' },
  syslog: { type: 'string', multiple: true },
  keep: { type: 'string' },
  'idle-timeout': { type: 'string' },
  count: { type: 'string', short: 'c' },
  duration: { type: 'string' },
  tool: { type: 'string' },
  'buffer-size': { type: 'string', short: 'B' },
} as const;

export const LIVE_HELP: [string, string][] = [
  ['-i, --interface IFACE', 'capture live on IFACE (dumpcap, else tcpdump; root or setcap, see "Live"); repeatable: each is a vantage, a connection seen at two becomes one row when it is over; names: dumpcap -D'],
  ['-f, --capture-filter F', "capture filter in libpcap syntax, e.g. -f 'tcp port 443' (with -i)"],
  ['-w, --write FILE', 'the capture tool also keeps the raw capture in FILE (pcapng; pcap with tcpdump); rsttui reads it as it grows (with -i)'],
  ['--follow', 'keep reading the FILEs as they grow, as tail -F does (rotation and truncation included)'],
  ['--syslog URL', 'receive syslog at udp://HOST:PORT or tcp://HOST:PORT (no HOST: 127.0.0.1); repeatable'],
  ['--keep DURATION|COUNT', 'live: keep only the most recent closed connections, by age (10m, 2h) or by number (100000); older ones are dropped and counted'],
  ['--idle-timeout SECONDS', 'live: a connection idle this long (or 5m, 1h) is reported as it stands'],
  ['-c, --count COUNT', 'live: stop after COUNT connection records (where tcpdump and tshark count packets)'],
  ['--duration SECONDS', 'live: stop after SECONDS (or 10m, 2h)'],
  ['--tool dumpcap|tcpdump', 'the capture tool for -i (default: dumpcap if installed, else tcpdump, which takes one -i)'],
  ['-B, --buffer-size MiB', 'the kernel capture buffer for -i, in MiB, as in dumpcap and tshark (default 32; dumpcap alone: 2)'],
];

export const COMMANDS: Command[] = [
  {
    name: 'flows',
    usage: 'rsttui flows [--format table|ndjson|csv|zeek|ecs] [--filter EXPR] [-i IFACE [-f FILTER] [-w FILE]] [--syslog URL] [--follow] FILE...',
    summary: "one row per TCP connection, split where Zeek's conn.log splits it (linked by related): endpoints, times, counts, Zeek conn_state and history, teardown class, anomalies",
    options: { ...common, ...live },
    optionHelp: [['--format F', 'table (default), ndjson, csv, zeek (a Zeek conn.log zeek-cut reads), or ecs (NDJSON with Elastic Common Schema names, for Elasticsearch, OpenSearch, Filebeat)'], ...commonHelp, ...LIVE_HELP],
    examples: [
      'rsttui flows fixtures/tcp/fin-then-rst.pcap', 'rsttui flows --format ndjson capture.pcapng.gz | jq .conn_state', 'ssh fw-jump tcpdump -w - port 443 | rsttui flows -',
      'rsttui flows --format ecs capture.pcap asa.log > flows.ndjson', "sudo rsttui flows -i eth0 -f 'tcp port 443' --syslog udp://127.0.0.1:5514 --format ndjson",
    ],
  },
  {
    name: 'packets',
    usage: 'rsttui packets [--format table|ndjson] [--filter EXPR] FILE...',
    summary: 'one row per TCP packet: file, frame number (as tshark counts), time, endpoints, flags, raw seq/ack, length, window, connection id',
    options: { ...common },
    optionHelp: [['--format F', 'table (default) or ndjson'], ...commonHelp],
    examples: ['rsttui packets --format ndjson fixtures/tcp/rejected.pcap'],
  },
  {
    name: 'explain',
    usage: 'rsttui explain --flow ID FILE...',
    summary: "one connection's header (5-tuple, times, conn_state, history, teardown, anomalies) and its timeline, one packet per line with a plain-words explanation",
    options: { ...common, flow: { type: 'string' } },
    optionHelp: [['--flow ID', 'the connection id (the id column of rsttui flows)'], ...commonHelp.filter((o) => !o[0].startsWith('--filter'))],
    examples: ['rsttui explain --flow 1 fixtures/tcp/fin-then-rst.pcap'],
  },
  {
    name: 'summary',
    usage: 'rsttui summary [--json] [--filter EXPR] [-i IFACE [-f FILTER] [-w FILE]] [--syslog URL] [--follow] FILE...',
    summary: 'the findings first (the connections grouped by how they ended, most severe first: severity, count, title; for warn and error the likely cause, who can act and what to do), then counts per teardown class and anomaly, the top 10 hosts by anomalous connections, and a histogram of connections ending in RST over time',
    options: { ...common, ...live, json: { type: 'boolean' } },
    optionHelp: [['--json', 'the same as JSON (the findings under .findings)'], ...commonHelp, ...LIVE_HELP],
    examples: ['rsttui summary fixtures/tcp/*.pcap', 'rsttui summary --json big.pcap | jq .anomalies', "rsttui summary --json inside.pcap asa.log | jq -c '.findings[] | [.severity, .count, .name]'", 'sudo rsttui summary -i eth0 --duration 10m'],
  },
  {
    name: 'export',
    usage: 'rsttui export [--filter EXPR] -o OUT [--format pcap|pcapng|csv|ndjson|zeek|ecs] [--force] FILE...',
    summary: "write the selected connections to a file: their original packets (pcap, or pcapng with a comment naming each packet's connection and anomaly) or their flow records (csv, ndjson, Zeek conn.log, ECS)",
    options: { ...common, output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
    optionHelp: [
      ['-o, --output OUT', 'the file to write (required); written to a temporary file next to it, then renamed'],
      ['--format F', "pcap, pcapng, csv, ndjson, zeek or ecs (default: from OUT's extension: .pcap .pcapng .csv .ndjson/.jsonl .log/.zeek; ecs only when given)"],
      ['--force', 'replace OUT if it exists (an input file is never replaced)'],
      ...commonHelp,
    ],
    examples: [
      "rsttui export fixtures/tcp/*.pcap --filter 'anomaly == late-rst' -o late-rst.pcap",
      "rsttui export inside.pcap outside.pcap --filter 'teardown == abort' -o aborts.pcapng",
      "rsttui export big.pcap.gz --filter 'tcp.flags.reset' -o resets.csv",
    ],
  },
  {
    name: 'report',
    usage: 'rsttui report [--format md|html] [-o OUT] [--force] [--filter EXPR] FILE...',
    summary: 'the incident in one page, for a ticket: the inputs and their time spans, the findings by severity with their evidence, ' +
      'RST-ended connections and firewall denies over time, and one example ladder per finding (Markdown, or one self-contained HTML file with SVG charts)',
    options: { ...common, output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
    optionHelp: [
      ['-f, --format F', "md (default: Markdown, for a terminal or a ticket) or html (one self-contained file: inline CSS and SVG, no network); default html when OUT ends in .html"],
      ['-o, --output OUT', 'write to OUT (default: standard output); written to a temporary file next to it, then renamed; never over an input'],
      ['--force', 'replace OUT if it exists (an input file is never replaced)'],
      ...commonHelp,
    ],
    examples: [
      'rsttui report fixtures/demo/inside.pcap fixtures/demo/outside.pcap fixtures/demo/asa.log',
      'rsttui report --format html -o incident.html inside.pcap outside.pcap asa.log',
      "rsttui report --filter 'ip.addr == 203.0.113.0/24' capture.pcap asa.log > report.md",
    ],
  },
];

/** The UI's own options: the input options of every command, the live ones, and --ascii (no subcommand). */
export const UI_OPTIONS = { ...common, ...live, ascii: { type: 'boolean' } } as const;
export const UI_COMMAND: Command = {
  name: '',
  usage: 'rsttui [--ascii] [--name FILE=NAME] [--year YYYY] [--tz ZONE] [--date YYYY-MM-DD] [--skew SECONDS] [-i IFACE [-f FILTER] [-w FILE]] [--syslog URL] [--follow] [FILE...]',
  summary: 'the terminal UI (the bundled demo without FILE; standard input when it is a pipe)',
  options: UI_OPTIONS,
  optionHelp: [['--ascii', 'no box-drawing or arrow glyphs (for terminals without them)'], ...commonHelp.filter((o) => !o[0].startsWith('--filter')), ...LIVE_HELP],
  examples: ['rsttui', 'rsttui inside.pcap outside.pcap asa.log', "sudo rsttui -i eth0 -f 'tcp port 443' --syslog udp://127.0.0.1:5514", 'tcpdump -w - port 443 | rsttui -'],
};

export const GLOBAL_HELP_HEAD = `rsttui: TCP teardown forensics for captures and firewall logs

usage: rsttui [--ascii] [FILE...]  open the terminal UI (the bundled demo without FILE)
       rsttui -i IFACE [-f FILTER] [-w FILE] [--syslog URL]  the UI on a live capture
       rsttui COMMAND [OPTIONS] FILE...
       rsttui COMMAND --help

FILE is a pcap or pcapng capture (gzip-compressed or not; - reads stdin), a text
listing (ASA show capture, tcpdump -n), or a firewall log (Cisco ASA/FTD/PIX, PAN-OS,
FortiGate, Juniper SRX, Linux netfilter, pfSense/OPNsense; plain, gzip, or a SIEM's JSON-lines
export; vendors may be mixed), sniffed by content. Each capture is a vantage point; logs are
matched to the connections. A log alone is enough: each connection it tells of is a row.
Exit status: 0 success, 1 an input could not be used (not a capture or log, or its reading
ended in an error before its first packet or event), 2 bad usage.
`;

export function commandHelp(c: Command): string {
  const w = Math.max(...c.optionHelp.map((o) => o[0].length));
  return [
    `usage: ${c.usage}`,
    '',
    c.summary,
    '',
    'options:',
    ...c.optionHelp.map(([f, m]) => `  ${f.padEnd(w)}  ${m}`),
    '',
    'examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

export function globalHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  const lw = Math.max(...LIVE_HELP.map((o) => o[0].length));
  return [
    GLOBAL_HELP_HEAD, 'commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`), '',
    'live input (the UI, flows and summary; see the README\'s "Live"):', ...LIVE_HELP.map(([f, m]) => `  ${f.padEnd(lw)}  ${m}`), '',
  ].join('\n');
}
