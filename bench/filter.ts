/**
 * Filter benchmark (not a test): a synthetic FilterTarget of 1 M connections, and the time to
 * compile and to run a few filters over it. Target from issue 5: <= 100 ms per structured filter.
 *
 *   node --import tsx bench/filter.ts [rows]
 */
import { ANOMALIES, CONN_STATES, FIN, PSH, RST, SYN, ACK, TEARDOWNS } from '../src/model.js';
import { compileFilter, filterIndices, formatFilterError } from '../src/filter/index.js';
import type { FilterTarget } from '../src/filter/target.js';

const N = Number(process.argv[2] ?? 1_000_000);

// deterministic xorshift32, so runs compare
let seed = 0x2545f491;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};
const pick = (n: number): number => Math.floor(rnd() * n);

function synthetic(n: number): FilterTarget {
  // 60 k client addresses (10.x, 192.168.x, 203.0.113.x, a few IPv6) and 200 servers
  const addrBytes: Uint8Array[] = [];
  const addrText: string[] = [];
  const add = (b: Uint8Array): number => {
    addrBytes.push(b);
    addrText.push(b.length === 4 ? b.join('.') : `2001:db8::${((b[14]! << 8) | b[15]!).toString(16)}`);
    return addrBytes.length - 1;
  };
  const clients: number[] = [];
  for (let k = 0; k < 60_000; k++) {
    const r = k % 10;
    if (r < 6) clients.push(add(Uint8Array.of(10, pick(256), pick(256), 1 + pick(254))));
    else if (r < 8) clients.push(add(Uint8Array.of(192, 168, pick(256), 1 + pick(254))));
    else if (r < 9) clients.push(add(Uint8Array.of(203, 0, 113, 1 + pick(254))));
    else {
      const b = new Uint8Array(16);
      b.set([0x20, 0x01, 0x0d, 0xb8]);
      b[14] = pick(256);
      b[15] = pick(256);
      clients.push(add(b));
    }
  }
  const servers: number[] = [];
  for (let k = 0; k < 200; k++) servers.push(add(Uint8Array.of(172, 16 + (k % 16), 77, 1 + k)));
  const SERVICE = [443, 443, 443, 80, 22, 8443, 25, 3306];

  const origAddr = new Uint32Array(n);
  const respAddr = new Uint32Array(n);
  const origPort = new Uint16Array(n);
  const respPort = new Uint16Array(n);
  const flagsOrig = new Uint8Array(n);
  const flagsResp = new Uint8Array(n);
  const teardown = new Uint8Array(n);
  const closedBy = new Uint8Array(n);
  const connState = new Uint8Array(n);
  const anomalies = new Uint32Array(n);
  const duration = new Float64Array(n);
  const packets = new Uint32Array(n);
  const bytes = new Float64Array(n);
  const vantageMask = new Uint32Array(n);
  const tls = new Uint8Array(n);
  const hist = ['ShADadFf', 'ShADadFfRr', 'ShADadr', 'Sr', 'S', 'ShADaF', 'ShAFR', 'ADad'];
  const histIdx = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    origAddr[i] = clients[pick(clients.length)]!;
    respAddr[i] = servers[pick(servers.length)]!;
    origPort[i] = 1024 + pick(64000);
    respPort[i] = SERVICE[pick(SERVICE.length)]!;
    flagsOrig[i] = SYN | ACK | PSH | (rnd() < 0.8 ? FIN : 0) | (rnd() < 0.2 ? RST : 0);
    flagsResp[i] = SYN | ACK | PSH | (rnd() < 0.7 ? FIN : 0) | (rnd() < 0.1 ? RST : 0);
    teardown[i] = pick(TEARDOWNS.length);
    closedBy[i] = pick(4);
    connState[i] = pick(CONN_STATES.length);
    anomalies[i] = rnd() < 0.3 ? 1 << pick(ANOMALIES.length) : 0;
    duration[i] = rnd() * 10;
    packets[i] = 2 + pick(200);
    bytes[i] = pick(100_000);
    vantageMask[i] = 1 + pick(3);
    tls[i] = respPort[i] === 443 || respPort[i] === 8443 ? 1 : 0;
    histIdx[i] = pick(hist.length);
  }
  // impact, derived from the index (not from rnd, so that the columns above stay as they were)
  const unackedOrig = Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? NaN : i % 7 === 0 ? i % 1449 : 0));
  const unackedResp = Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? NaN : i % 11 === 0 ? i % 65536 : 0));
  const dataLost = Uint8Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 2 : i % 7 === 0 || i % 11 === 0 ? 1 : 0));
  const noNums: readonly number[] = [];
  const noStrs: readonly string[] = [];
  const deny: readonly number[] = [106015];
  const fins: readonly string[] = ['TCP FINs'];
  return {
    count: n,
    addrs: { count: addrBytes.length, bytes: (id) => addrBytes[id]!, text: (id) => addrText[id]! },
    origAddr,
    respAddr,
    origPort,
    respPort,
    flagsOrig,
    flagsResp,
    teardown,
    closedBy,
    connState,
    anomalies,
    history: (i) => hist[histIdx[i]!]!,
    duration,
    packets,
    bytes,
    unackedOrig,
    unackedResp,
    dataLost,
    vantageMask,
    vantageNames: ['inside', 'outside'],
    fwMsgids: (i) => (i % 50 === 0 ? deny : noNums),
    fwReasons: (i) => (i % 50 === 0 ? fins : noStrs),
    fwKinds: () => noStrs,
    fwVendors: () => noStrs,
    fwDevices: () => noStrs,
    tls,
    describe: (i) =>
      `#${i + 1} ${addrText[origAddr[i]!]}:${origPort[i]} -> ${addrText[respAddr[i]!]}:${respPort[i]} ${TEARDOWNS[teardown[i]!]} ${CONN_STATES[connState[i]!]}`,
  };
}

function time(expr: string, t: FilterTarget, runs = 5): void {
  const c0 = performance.now();
  const c = compileFilter(expr, t);
  const compileMs = performance.now() - c0;
  if (!c.ok) {
    console.log(`${expr}: ${formatFilterError(c.error)}`);
    return;
  }
  const ms: number[] = [];
  let hits = 0;
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    const out = filterIndices(expr, t);
    ms.push(performance.now() - s);
    if (out instanceof Uint32Array) hits = out.length;
  }
  ms.sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)]!;
  console.log(
    `${med.toFixed(1).padStart(7)} ms  (compile ${compileMs.toFixed(1)} ms, min ${ms[0]!.toFixed(1)})  ${String(hits).padStart(7)} hits${c.fuzzy ? ' fuzzy' : ''}  ${expr}`,
  );
}

const g0 = performance.now();
const t = synthetic(N);
console.log(`${N} synthetic connections, ${t.addrs.count} addresses (built in ${(performance.now() - g0).toFixed(0)} ms)`);
console.log('median of 5 runs of filterIndices (compile + scan); compile alone once:');
for (const e of [
  'ip.addr == 10.0.0.0/8 and tcp.port == 443',
  'anomaly == late-rst and not tls',
  'teardown in {fin-then-rst abort} and duration > 1.5 or conn_state == RSTO',
  'tcp.flags.reset.resp and ip.dst == 172.16.0.0/12 and tcp.srcport in {1024..32767}',
  '203.0.113 and tcp.flags.reset',
  'history contains "R" and packets < 50',
  'fw.msgid == 106015',
]) {
  time(e, t);
}
// fuzzy: the fuse.js index and search happen at compile time, once per target; smaller table
const F = Math.min(N, 50_000);
const small = synthetic(F);
console.log(`fuzzy, ${F} connections (first run builds the index, second reuses it):`);
time('abrot', small, 1);
time('abrot', small, 1);
