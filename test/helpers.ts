/** Shared test helpers: paths that work from test/ (tsx) and dist/test/ (compiled), and tool checks. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + dirname(fileURLToPath(import.meta.url)));
    dir = up;
  }
  return dir;
}

/** The repository root (where package.json is). */
export const ROOT = findRoot();

/** Path of a committed fixture, e.g. fixture('tcp/clean-close-client.pcap'). */
export const fixture = (rel: string): string => join(ROOT, 'fixtures', rel);

/** The CLI launcher, for tests that run the real binary. */
export const BIN = join(ROOT, 'bin', 'rsttui.js');

/**
 * Whether an external tool (tshark, tmux) can be run. Where it is missing the test skips
 * with a reason, except under CI=true, where CI is meant to have installed it: then it fails.
 */
export function tool(name: string): { ok: true } | { ok: false; skip: string } {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  if (r.status === 0 || (r.error === undefined && r.status !== null)) return { ok: true };
  if (process.env.CI === 'true') throw new Error(`${name} is not installed, and CI=true: .ci/run must install it`);
  return { ok: false, skip: `${name} not installed` };
}
