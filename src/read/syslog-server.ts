/**
 * `--syslog udp://HOST:PORT` / `tcp://HOST:PORT`: receive syslog straight from firewalls, as a
 * collector does, and hand each line on unchanged (the caller feeds them to SyslogParser, the
 * reader of every vendor's log files). Framing is in syslog-framing.ts.
 *
 * - UDP: one message per datagram; TCP: RFC 6587 octet counting or LF/NUL-terminated lines, told
 *   apart per frame; any number of clients at once, each framed on its own.
 * - Binds to 127.0.0.1 when the URL names no host (or `localhost`): listening wider
 *   (`udp://0.0.0.0:5514`) is the user's explicit choice.
 * - A line longer than MAX_LINE (64 KiB) is cut and reported; errors of one connection are
 *   reported and end only that connection.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import { MAX_LINE, parseListenUrl, splitDatagram, TcpFramer, type ListenProto, type ListenUrl } from './syslog-framing.js';

export { MAX_LINE, parseListenUrl, type ListenProto, type ListenUrl } from './syslog-framing.js';

export interface SyslogIssue {
  /** the sender, `ADDR:PORT` (`[v6]:PORT`) */
  peer: string;
  kind: 'too-long' | 'framing' | 'connection';
  message: string;
}

export interface SyslogListenerStats {
  /** lines handed to onLine */
  lines: number;
  /** lines cut to the length limit */
  cut: number;
  /** UDP datagrams received */
  datagrams: number;
  /** TCP connections open now, and in all */
  clients: number;
  connections: number;
}

export interface SyslogListener {
  /** where it listens (the real port when the URL asked for port 0) */
  address: { proto: ListenProto; host: string; port: number };
  stats(): SyslogListenerStats;
  /** stop listening and close every connection */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** longest line (default MAX_LINE) */
  maxLine?: number;
  /** UDP receive buffer asked of the kernel (default 8 MiB; Linux caps it at net.core.rmem_max) */
  recvBufferBytes?: number;
}

function peerOf(addr: string | undefined, port: number | undefined): string {
  let a = addr ?? '?';
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return isIP(a) === 6 ? `[${a}]:${port ?? 0}` : `${a}:${port ?? 0}`;
}

/** A bind error as one line saying what to do. */
function bindError(u: ListenUrl, e: NodeJS.ErrnoException): Error {
  const where = `${u.proto}://${u.host.includes(':') ? `[${u.host}]` : u.host}:${u.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new Error(`cannot listen on ${where}: the port is in use (another syslog daemon?); pick another, e.g. ${u.proto}://${u.host}:5514`);
    case 'EACCES':
      return new Error(`cannot listen on ${where}: ports below 1024 need root (or CAP_NET_BIND_SERVICE); use a port above 1024, e.g. ${u.proto}://${u.host}:5514, and send the firewall's syslog there`);
    case 'EADDRNOTAVAIL':
      return new Error(`cannot listen on ${where}: ${u.host} is not an address of this machine (0.0.0.0 listens on all of them)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new Error(`cannot listen on ${where}: no such host '${u.host}'`);
    default:
      return new Error(`cannot listen on ${where}: ${e.message}`);
  }
}

/**
 * Listen for syslog at `url` (a string: parse errors are thrown as one line). Resolves once
 * listening; rejects with one line when it cannot bind.
 */
export async function listenSyslog(
  url: string | ListenUrl,
  onLine: (line: string, peer: string) => void,
  onIssue: (issue: SyslogIssue) => void = () => {},
  opts: ListenOptions = {},
): Promise<SyslogListener> {
  const u = typeof url === 'string' ? parseListenUrl(url) : url;
  const maxLine = opts.maxLine ?? MAX_LINE;
  const st: SyslogListenerStats = { lines: 0, cut: 0, datagrams: 0, clients: 0, connections: 0 };
  let host = u.host;
  if (isIP(host) === 0) {
    try {
      host = (await lookup(host)).address;
    } catch (e) {
      throw bindError(u, e as NodeJS.ErrnoException);
    }
  }
  const issueOf = (peer: string) => (i: { kind: SyslogIssue['kind']; message: string }) => {
    if (i.kind === 'too-long') st.cut++;
    onIssue({ peer, kind: i.kind, message: `syslog from ${peer}: ${i.message}` });
  };
  return u.proto === 'udp' ? listenUdp(u, host, onLine, issueOf, st, maxLine, opts.recvBufferBytes ?? 8 << 20) : listenTcp(u, host, onLine, issueOf, st, maxLine);
}

type IssueOf = (peer: string) => (i: { kind: SyslogIssue['kind']; message: string }) => void;

function listenUdp(u: ListenUrl, host: string, onLine: (l: string, p: string) => void, issueOf: IssueOf, st: SyslogListenerStats, maxLine: number, rcvbuf: number): Promise<SyslogListener> {
  const sock: UdpSocket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    sock.once('error', (e) => reject(bindError(u, e as NodeJS.ErrnoException)));
    // (the sender's name is made again only when the sender changes: most datagrams come from the one before)
    let addr = '';
    let port = -1;
    let peer = '';
    let issue = issueOf(peer);
    const line = (l: string): void => {
      st.lines++;
      onLine(l, peer);
    };
    sock.on('message', (msg, rinfo) => {
      st.datagrams++;
      if (rinfo.port !== port || rinfo.address !== addr) {
        addr = rinfo.address;
        port = rinfo.port;
        peer = peerOf(addr, port);
        issue = issueOf(peer);
      }
      splitDatagram(msg, line, issue, maxLine);
    });
    sock.bind(u.port, host, () => {
      sock.removeAllListeners('error');
      sock.on('error', (e) => issueOf(u.url)({ kind: 'connection', message: e.message }));
      try {
        sock.setRecvBufferSize(rcvbuf);
      } catch {
        // (a smaller buffer only means more loss at bursts)
      }
      const a = sock.address();
      resolve({
        address: { proto: 'udp', host: a.address, port: a.port },
        stats: () => ({ ...st }),
        close: () => new Promise<void>((r) => sock.close(() => r())),
      });
    });
  });
}

function listenTcp(u: ListenUrl, host: string, onLine: (l: string, p: string) => void, issueOf: IssueOf, st: SyslogListenerStats, maxLine: number): Promise<SyslogListener> {
  const open = new Set<Socket>();
  const server: Server = createServer((s) => {
    const peer = peerOf(s.remoteAddress, s.remotePort);
    const issue = issueOf(peer);
    const framer = new TcpFramer((line) => (st.lines++, onLine(line, peer)), issue, maxLine);
    open.add(s);
    st.clients++;
    st.connections++;
    s.on('data', (c: Buffer) => framer.push(c));
    s.on('end', () => framer.end());
    s.on('error', (e) => issue({ kind: 'connection', message: e.message }));
    s.on('close', () => {
      open.delete(s);
      st.clients--;
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(bindError(u, e as NodeJS.ErrnoException)));
    server.listen(u.port, host, () => {
      server.removeAllListeners('error');
      server.on('error', (e) => issueOf(u.url)({ kind: 'connection', message: e.message }));
      const a = server.address();
      const addr = typeof a === 'object' && a !== null ? a : { address: host, port: u.port };
      resolve({
        address: { proto: 'tcp', host: addr.address, port: addr.port },
        stats: () => ({ ...st }),
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            for (const s of open) s.destroy();
          }),
      });
    });
  });
}
