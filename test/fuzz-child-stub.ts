/** A stand-in fuzz child for test/fuzz.test.ts: it loops, waits forever, dies or answers, by the input's name. */
process.on('message', (t: { id: number; paths: string[] }) => {
  const what = t.paths[0];
  if (what === 'loop') for (;;);
  if (what === 'wait') return;
  if (what === 'die') {
    process.stderr.write('stub: dying on purpose\n');
    process.exit(3);
  }
  process.send!({ id: t.id, faults: what === 'ok' ? [] : [`stub: ${what}`] });
});
