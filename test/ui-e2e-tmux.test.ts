/**
 * The real binary in tmux at 80x24 on the demo: the findings screen first, Enter on the seed's
 * pattern lists its connections; filter to late-rst, open a connection, see the
 * denied RST and its firewall event, export the shown connections, read the export back headless.
 * CI is removed from the program's environment: Ink renders only the last frame under CI=true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, fixture, tool } from './helpers.js';

const t = tool('tmux');
const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** tmux commands on one session, and a wait for its screen to match (the screen in the error when it does not). */
function tmuxOf(session: string, limitMs: number) {
  const tm = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
  const screen = () => tm('capture-pane', '-p', '-t', session);
  const waitFor = async (re: RegExp, what: string) => {
    const end = Date.now() + limitMs;
    for (;;) {
      const s = screen();
      if (re.test(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
      await sleep(100);
    }
  };
  return { tm, screen, waitFor };
}

test('e2e in tmux: the findings first, Enter lists the seed\'s; filter late-rst, open, see the denied RST and the firewall event, export', { skip: t.ok ? (DEMO.every(existsSync) ? false : 'demo not generated') : t.skip, timeout: 60_000 }, async () => {
  const session = `rsttui-e2e-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-e2e-'));
  const out = join(dir, 'late.pcap');
  const { tm, screen, waitFor } = tmuxOf(session, 15_000);
  try {
    // bash keeps the pane open after the program exits, so a crash stays readable
    tm('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', ROOT, `env -u CI node ${BIN}; sleep 30`);
    // the demo has warn and error findings: they come first; the seed's pattern is one line of them
    let f = await waitFor(/findings of \d+ connections/, 'the findings');
    assert.match(f, /^> ERROR\s+\d+\s+packets after the firewall's idle timeout/m, 'the error first, its severity in words');
    for (let k = 0; k < 10 && !/^> info\s+\d+\s+client closes with FIN\+RST/m.test(f); k++) {
      tm('send-keys', '-t', session, 'j');
      await sleep(150);
      f = screen();
    }
    const seed = /^> info\s+(\d+)\s+client closes with FIN\+RST, no close_notify/m.exec(f);
    assert.ok(seed, 'the seed pattern is an info finding:\n' + f);
    assert.match(f, /who:\s+The owners of the client application/);
    tm('send-keys', '-t', session, 'Enter');
    const listed = await waitFor(/filter: finding == tls-client-fin-rst-late-rst-denied/, 'its connections listed');
    assert.equal(/(\d+)\/\d+ shown/.exec(listed)![1], seed[1], 'the list shows exactly its connections');
    tm('send-keys', '-t', session, 'Escape');
    await waitFor(/filter: none/, 'the filter cleared');
    await waitFor(/\d+\/\d+ shown/, 'the list');
    tm('send-keys', '-t', session, '-l', '/late-rst');
    await waitFor(/\/ late-rst/, 'the filter typed');
    tm('send-keys', '-t', session, 'Enter');
    const list = await waitFor(/filter: late-rst/, 'the filter applied');
    const m = /(\d+)\/(\d+) shown/.exec(list)!;
    assert.ok(Number(m[1]) > 0 && Number(m[1]) < Number(m[2]), `late-rst narrows the list: ${m[0]}`);
    tm('send-keys', '-t', session, 'Enter');
    let s = await waitFor(/conn_state[\s\S]*row \d+\/\d+/, 'the timeline');
    // the whole teardown on the first screen, without scrolling: the server's FIN, the client's
    // FIN and RST, the server's RST and the firewall's deny of it, the cursor on the last FIN
    const lines = s.split('\n');
    assert.ok(lines.length <= 25, `${lines.length} lines`);
    const at = (re: RegExp, what: string): number => {
      const k = lines.findIndex((l) => re.test(l));
      assert.ok(k >= 0, `${what} on the first screen:\n${s}`);
      return k;
    };
    const serverFin = at(/^[> ][! ]\s*\d+ .*│<─+ FA /, "the server's FIN");
    const clientFin = at(/^>[! ]\s*\d+ .*│─+ FA ─+>│/, "the client's FIN, selected");
    const clientRst = at(/^[> ][! ]\s*\d+ .*│─+ RA ─+>│/, "the client's RST");
    const serverRst = at(/^[> ][! ]\s*\d+ .*│<─+ R DENIED /, "the server's RST, denied");
    const deny = at(/^[> ]! fw .*106015.*DENIED RST/, "the firewall's deny");
    assert.ok(serverFin < clientFin && clientFin + 1 === clientRst && clientRst < serverRst && serverRst < deny, s);
    // n until the cursor is on the denied RST
    for (let k = 0; k < 6 && !/^>!.*R.* DENIED/m.test(s); k++) {
      tm('send-keys', '-t', session, 'n');
      await sleep(250);
      s = screen();
    }
    assert.match(s, /^>!.*R.* DENIED/m, 'the cursor is on the denied RST:\n' + s);
    assert.match(s, /DENIED by the firewall \(106015/, 'its explanation names the deny');
    tm('send-keys', '-t', session, 'n');
    s = await waitFor(/^>!\s*fw.*106015/m, 'the firewall event row');
    assert.match(s, /Deny TCP \(no connection\)/);
    // back to the list, export what it shows
    tm('send-keys', '-t', session, 'Escape');
    await waitFor(/filter: late-rst/, 'back in the list');
    tm('send-keys', '-t', session, 'e');
    await waitFor(/Export \d+ shown connection/, 'the export dialog');
    tm('send-keys', '-t', session, 'C-u');
    tm('send-keys', '-t', session, '-l', out);
    tm('send-keys', '-t', session, 'Enter');
    s = await waitFor(/wrote \d+ connection\(s\)/, 'the export report');
    const wrote = Number(/wrote (\d+) connection/.exec(s)![1]);
    assert.equal(wrote, Number(m[1]), 'the export holds the shown connections');
    // the headless reader sees the same connections, every one a late-rst
    const r = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { orig_p: number; anomalies: string[] });
    // the demo's connections were seen at two vantages, and one pcap holds both copies: read
    // back alone, each is a flow of its own; the client ports name the connections
    const ports = new Set(rows.map((x) => x.orig_p));
    assert.equal(ports.size, wrote, 'the exported connections are the shown ones');
    const late = new Set(rows.filter((x) => x.anomalies.includes('late-rst')).map((x) => x.orig_p));
    assert.equal(late.size, wrote, 'each of them is a late-rst connection');
    tm('send-keys', '-t', session, 'Enter');
    await waitFor(/filter: late-rst/, 'the list again');
    tm('send-keys', '-t', session, 'q');
    await sleep(300);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('e2e in tmux: a capture piped in (`cat inside.pcap | rsttui -`) opens the live UI, keys come from the terminal, q ends it', { skip: t.ok ? (DEMO.every(existsSync) ? false : 'demo not generated') : t.skip, timeout: 60_000 }, async () => {
  const session = `rsttui-pipe-${process.pid}`;
  const { tm, waitFor } = tmuxOf(session, 20_000);
  try {
    // standard input is the pipe: without /dev/tty for the keys this used to refuse ("the UI needs a terminal")
    tm('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', ROOT, `cat ${DEMO[0]} | env -u CI node ${BIN} -; echo EXIT=$?; sleep 30`);
    // (read live, as termshark does: the rows come as the pipe does, and the status bar says ENDED when it has)
    const list = await waitFor(/^ENDED .* conns/m, 'the piped capture read to its end');
    assert.match(list, /^rsttui\s+stdin/m, 'the header names the vantage, standard input');
    assert.match(list, /[1-9]\d*\/\d+ shown/);
    assert.match(list, /^>\s+1 /m, 'the first row is selected');
    tm('send-keys', '-t', session, 'j');
    tm('send-keys', '-t', session, 'j');
    await waitFor(/^>\s+3 /m, 'the keys move the selection to row 3');
    tm('send-keys', '-t', session, 'Enter');
    await waitFor(/^#3 .*seen at stdin/m, 'the timeline of connection 3');
    tm('send-keys', '-t', session, 'q');
    await waitFor(/^EXIT=0$/m, 'rsttui to end with status 0');
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
});
