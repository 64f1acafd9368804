/**
 * Test helpers for live capture: a veth pair between this (root) namespace and a network namespace
 * of its own (names and a /30 from this process's pid, so that parallel test runs do not meet),
 * a TCP server inside the namespace, and connections from here that end in the ways rsttui tells
 * apart. Needs root and iproute2.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import type { RecordSink } from '../src/model.js';
import { PcapngReader } from '../src/read/pcapng.js';
import { PcapReader } from '../src/read/pcap.js';
import { tool } from './helpers.js';

export interface Veth {
  ns: string;
  /** our end (in this namespace), and its address */
  dev: string;
  ip: string;
  /** the namespace's end's address, where the server listens */
  peerIp: string;
  port: number;
  down(): void;
}

/** Why the namespace tests cannot run here (undefined: they can). */
export function vethSkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    if (process.env.CI === 'true') throw new Error('ip (iproute2) is not installed, and CI=true: .ci/run must install it');
    return 'ip (iproute2) not installed';
  }
  return undefined;
}

const ip = (...a: string[]) => execFileSync('ip', a, { stdio: ['ignore', 'ignore', 'pipe'] });

/** The TCP server in namespace ns: echoes, and closes 200 ms after the client has. */
async function echoServer(ns: string, addr: string, port: number): Promise<ChildProcess> {
  const server: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `
    require('net').createServer({ allowHalfOpen: true }, (s) => { s.on('data', (d) => s.write(d)); s.on('end', () => setTimeout(() => s.end(), 200)); s.on('error', () => {}); })
      .listen(${port}, '${addr}', () => console.log('ready'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server.stdout!.once('data', () => resolve());
    server.once('exit', (c) => reject(new Error(`server in ${ns} exited (${c})`)));
  });
  return server;
}

/**
 * A veth pair to a namespace of its own, with a TCP server in it that echoes and closes 200 ms
 * after the client has (so that a client's FIN and RST come before the server's FIN however busy
 * the machine is).
 */
export async function vethUp(tag: string): Promise<Veth> {
  const id = `${tag}${process.pid % 100000}`;
  const ns = `rl-${id}`;
  const dev = `rl${id}a`.slice(0, 15);
  const peer = `rl${id}b`.slice(0, 15);
  const net = `10.233.${process.pid % 250}.${tag === 'b' ? 4 : 0}`;
  const base = net.split('.').map(Number);
  const ipA = `${base[0]}.${base[1]}.${base[2]}.${base[3]! + 1}`;
  const ipB = `${base[0]}.${base[1]}.${base[2]}.${base[3]! + 2}`;
  try {
    ip('netns', 'del', ns);
  } catch {
    // (none left over)
  }
  ip('netns', 'add', ns);
  ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', peer, 'netns', ns);
  ip('addr', 'add', `${ipA}/30`, 'dev', dev);
  ip('link', 'set', dev, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${ipB}/30`, 'dev', peer);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', peer, 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  const port = 8080;
  const server = await echoServer(ns, ipB, port);
  return {
    ns, dev, ip: ipA, peerIp: ipB, port,
    down() {
      server.kill('SIGKILL');
      try {
        ip('netns', 'del', ns); // (takes the veth pair with it)
      } catch {
        // already gone
      }
      try {
        ip('link', 'del', dev);
      } catch {
        // gone with the namespace
      }
    },
  };
}

/**
 * One connection to the server: 'graceful' (data, FIN both ways), 'abort' (data, then RST),
 * 'fin-rst' (data, then FIN and at once RST, the seed's client), 'rejected' (a closed port).
 */
export function connectOnce(v: Veth, how: 'graceful' | 'abort' | 'fin-rst' | 'rejected'): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(how === 'rejected' ? v.port + 1 : v.port, v.peerIp);
    s.on('error', (e: NodeJS.ErrnoException) => (how === 'rejected' && e.code === 'ECONNREFUSED' ? resolve() : reject(e)));
    s.on('connect', () => {
      s.write('hello\n');
      s.once('data', () => {
        if (how === 'abort') {
          s.resetAndDestroy();
          resolve();
        } else if (how === 'fin-rst') {
          // (end() sends the FIN; the reset right after it, before any answer, the RST)
          s.end(() => {
            s.resetAndDestroy();
            resolve();
          });
        } else s.end();
      });
    });
    s.on('close', () => resolve());
  });
}

export interface TcpSeen {
  /** per interface index of the file: packets, SYNs (no ACK), FINs, RSTs */
  byIface: Map<number, { packets: number; syn: number; fin: number; rst: number }>;
  ifaces: number;
}

/** A sink counting TCP/IPv4 packets over Ethernet by flags, per interface. */
export function tcpCounter(): { sink: RecordSink; seen: TcpSeen } {
  const seen: TcpSeen = { byIface: new Map(), ifaces: 0 };
  const sink: RecordSink = {
    record(d, off, caplen, _o, _s, _n, linktype, iface) {
      seen.ifaces = Math.max(seen.ifaces, iface + 1);
      const c = seen.byIface.get(iface) ?? { packets: 0, syn: 0, fin: 0, rst: 0 };
      seen.byIface.set(iface, c);
      c.packets++;
      if (linktype !== 1 || caplen < 34 || d[off + 12] !== 0x08 || d[off + 13] !== 0x00 || d[off + 23] !== 6) return;
      const ihl = (d[off + 14]! & 15) * 4;
      const flags = d[off + 14 + ihl + 13]!;
      if (flags & 2 && !(flags & 16)) c.syn++;
      if (flags & 1) c.fin++;
      if (flags & 4) c.rst++;
    },
    issue(i) {
      throw new Error(`capture issue: ${i.message}`);
    },
  };
  return { sink, seen };
}

/** Reads a capture stream into a tcpCounter as it comes. */
export function readLive(stream: NodeJS.ReadableStream, format: 'pcap' | 'pcapng'): { seen: TcpSeen; bytes: () => Buffer; ended: Promise<void> } {
  const { sink, seen } = tcpCounter();
  const reader = format === 'pcapng' ? new PcapngReader('live', sink) : new PcapReader('live', sink);
  const parts: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => {
      parts.push(Buffer.from(c));
      reader.push(c);
    });
    stream.on('end', () => (reader.end(), resolve()));
    stream.on('error', reject);
  });
  return { seen, bytes: () => Buffer.concat(parts), ended };
}

/** Whether a process is gone (or a zombie no one has reaped yet). */
export function gone(pid: number): boolean {
  const f = `/proc/${pid}/stat`;
  if (!existsSync(f)) return true;
  try {
    return / Z /.test(readFileSync(f, 'utf8').replace(/\(.*\)/, ''));
  } catch {
    return true;
  }
}

/**
 * A router between us and a server: this namespace -- veth -- router namespace -- veth -- server
 * namespace, the router forwarding, with nftables dropping the RSTs that come from our side (a
 * firewall that lets them reach its inside interface and not its outside one). Capture in
 * the router on `inside` (towards us) and `outside` (towards the server) sees each connection
 * twice. Needs root, iproute2 and nft. `connectOnce` works on it as on a veth.
 */
export interface Routed extends Veth {
  router: string;
  inside: string;
  outside: string;
}

export async function routedUp(tag: string): Promise<Routed> {
  const id = `${tag}${process.pid % 100000}`;
  const rns = `rl-${id}r`, sns = `rl-${id}s`;
  const dev = `rl${id}a`.slice(0, 15);
  const inside = 'rin', outside = 'rout', srv = 'rsrv';
  const x = process.pid % 250;
  const [ipA, ipIn, ipOut, ipS] = [`10.234.${x}.1`, `10.234.${x}.2`, `10.235.${x}.1`, `10.235.${x}.2`];
  const inNs = (ns: string, ...a: string[]) => ip('netns', 'exec', ns, ...a);
  for (const ns of [rns, sns]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // (none left over)
    }
    ip('netns', 'add', ns);
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
  }
  ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', inside, 'netns', rns);
  ip('addr', 'add', `${ipA}/30`, 'dev', dev);
  ip('link', 'set', dev, 'up');
  inNs(rns, 'ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', srv, 'netns', sns);
  inNs(rns, 'ip', 'addr', 'add', `${ipIn}/30`, 'dev', inside);
  inNs(rns, 'ip', 'addr', 'add', `${ipOut}/30`, 'dev', outside);
  inNs(rns, 'ip', 'link', 'set', inside, 'up');
  inNs(rns, 'ip', 'link', 'set', outside, 'up');
  inNs(sns, 'ip', 'addr', 'add', `${ipS}/30`, 'dev', srv);
  inNs(sns, 'ip', 'link', 'set', srv, 'up');
  inNs(sns, 'ip', 'route', 'add', 'default', 'via', ipOut);
  ip('route', 'add', `10.235.${x}.0/30`, 'via', ipIn);
  inNs(rns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  execFileSync('ip', ['netns', 'exec', rns, 'nft', '-f', '-'], {
    input: `table inet rl {\n  chain drops {\n    type filter hook forward priority 0;\n    iifname "${inside}" tcp flags & rst == rst drop\n  }\n}\n`,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const port = 8080;
  const server = await echoServer(sns, ipS, port);
  return {
    ns: rns, dev, ip: ipA, peerIp: ipS, port, router: rns, inside, outside,
    down() {
      server.kill('SIGKILL');
      for (const ns of [sns, rns]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
      }
      try {
        ip('link', 'del', dev);
      } catch {
        // gone with the namespace (and the route with it)
      }
    },
  };
}

/** Why the routed tests cannot run here (undefined: they can). */
export function routedSkip(): string | undefined {
  const v = vethSkip();
  if (v) return v;
  const nft = tool('nft');
  return nft.ok ? undefined : nft.skip;
}
