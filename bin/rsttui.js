#!/usr/bin/env node
// Tiny launcher: the compiled CLI lives in dist/ (npm ci runs the build).
// React's development build logs and diffs every render (measured: the UI stalled and ran out of
// memory at 1 M connections); the UI is loaded lazily, after this line, so this takes effect.
process.env.NODE_ENV ??= 'production';
const argv = process.argv.slice(2);
// Large inputs run in a child whose malloc maps huge pages (src/cli/relaunch.ts): this process
// then only waits for it and exits as it did.
const { relaunchForHugePages } = await import('../dist/src/cli/relaunch.js');
const code = await relaunchForHugePages(process.argv[1], argv);
if (code !== undefined) process.exitCode = code;
else {
  const { main } = await import('../dist/src/cli/main.js');
  main(argv).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`rsttui: internal error: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 70; },
  );
}
