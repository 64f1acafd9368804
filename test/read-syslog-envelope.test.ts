import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from './helpers.js';
import { makeZone, parseEnvelope, stampToEpoch, stripControl } from '../src/read/syslog-envelope.js';
import { parseSyslogText, readSyslog } from '../src/read/syslog.js';

const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

test('each envelope form: time, its source, host and vendor (fixtures/logs/envelopes.log)', async () => {
  const r = await readSyslog(fixture('logs/envelopes.log'), { year: 2018 });
  assert.deepEqual(r.issues, []);
  assert.equal(r.events.length, 11);
  const fw = utc(2018, 6, 20, 11, 58, 45); // the firewall's own header time in every line that has one
  const relay = utc(2018, 6, 20, 11, 58, 47); // the relay wrote 2 s later
  const want: Array<[number, string, string | undefined, string]> = [
    [NaN, 'none', undefined, 'ASA'], // bare
    [fw, 'firewall', 'fw01', 'ASA'], // RFC 3164 with PRI: the sender's header
    [fw - 7200 + 0.123, 'firewall', 'fw01', 'ASA'], // RFC 5424, +02:00 and milliseconds
    [fw, 'firewall', 'fw01', 'ASA'], // ASA header with year and "host :"
    [fw, 'firewall', 'fw01', 'ASA'], // ASA header without year or PRI
    [fw, 'firewall', undefined, 'FTD'], // "Mmm dd yyyy hh:mm:ss:" only
    [fw, 'firewall', '172.17.70.1', 'ASA'], // the seed's relay prefix in front of the ASA header
    [relay, 'relay', 'fw01', 'PIX'], // a syslog daemon's header only
    [fw, 'firewall', '10.0.0.1', 'ASA'], // daemon header + ASA header: the later one is the firewall's
    [relay, 'relay', '172.17.70.1', 'ASA'], // relay prefix, firewall sent no time
    [fw, 'firewall', 'fw01', 'ASA'], // ISO time in the ASA header
  ];
  want.forEach(([ts, src, host, vendor], i) => {
    const e = r.events[i]!;
    assert.equal(e.line, i + 1);
    if (Number.isNaN(ts)) assert.ok(Number.isNaN(e.ts), `line ${i + 1} ts`);
    else assert.ok(Math.abs(e.ts - ts) < 1e-6, `line ${i + 1}: ${e.ts} vs ${ts}`);
    assert.equal(e.tsSource, src, `line ${i + 1} tsSource`);
    assert.equal(e.host, host, `line ${i + 1} host`);
    assert.equal(e.vendor, vendor, `line ${i + 1} vendor`);
    assert.equal(e.msgid, 106015);
    assert.equal(e.severity, 6);
    assert.equal(e.kind, 'deny-no-conn');
  });
});

test('parseEnvelope: no marker is null, a broken marker is an error, control characters are stripped', () => {
  assert.equal(parseEnvelope('Jun 20 11:58:45 host sshd[1]: Accepted publickey'), null);
  const bad = parseEnvelope('<166>Jun 20 2018 10:00:02 fw01 : %ASA-6-30201: x');
  assert.ok(bad && !bad.ok);
  const r = parseEnvelope('%ASA-6-999999: evil \x1b[31mred\x07 text\ttab');
  assert.ok(r && r.ok);
  assert.equal(r.env.body, 'evil [31mred text tab');
  assert.equal(stripControl('a\x00b\x9bc\u202ed'), 'abcd');
});

test('zones: UTC default, fixed offsets, IANA names with daylight saving time, unknown names rejected', () => {
  const wallJune = Date.UTC(2018, 5, 20, 11, 58, 45);
  const wallJan = Date.UTC(2018, 0, 15, 11, 58, 45);
  assert.equal(makeZone(undefined).toEpochMs(wallJune), wallJune);
  assert.equal(makeZone('+02:00').toEpochMs(wallJune), wallJune - 2 * 3600e3);
  assert.equal(makeZone('-0530').toEpochMs(wallJune), wallJune + 5.5 * 3600e3);
  // Vienna: CEST (+2) in June, CET (+1) in January
  const vie = makeZone('Europe/Vienna');
  assert.equal(vie.toEpochMs(wallJune), wallJune - 2 * 3600e3);
  assert.equal(vie.toEpochMs(wallJan), wallJan - 1 * 3600e3);
  assert.equal(makeZone('America/New_York').toEpochMs(wallJan), wallJan + 5 * 3600e3);
  assert.throws(() => makeZone('Mars/Olympus'), /unknown time zone/);
  // a stamp's own offset beats the zone
  assert.equal(stampToEpoch({ y: 2018, mo: 5, d: 20, h: 11, mi: 58, s: 45, us: 500000, offsetMin: 0 }, 1999, vie), wallJune / 1000 + 0.5);
});

test('--tz applies to log times without a zone', () => {
  const line = '<166>Jun 20 2018 11:58:45 fw01 : %ASA-6-609001: Built local-host inside:10.0.0.8';
  const r = parseSyslogText(line, 'x.log', { tz: 'Europe/Vienna' });
  assert.equal(r.events[0]!.ts, utc(2018, 6, 20, 9, 58, 45));
  const z = parseSyslogText('<166>1 2018-06-20T11:58:45Z fw01 - - - - %ASA-6-609001: Built local-host inside:10.0.0.8', 'x.log', { tz: '+05:00' });
  assert.equal(z.events[0]!.ts, utc(2018, 6, 20, 11, 58, 45), 'an explicit Z is not shifted by --tz');
});

test('years: --year, then the year inferred from captures, then the current year with a warning; Dec -> Jan wraps', () => {
  const text = readFileSync(fixture('logs/yearless.log'), 'utf8');
  const a = parseSyslogText(text, 'y.log', { year: 2017 });
  assert.deepEqual(a.issues, []);
  assert.equal(a.events[0]!.ts, utc(2017, 12, 31, 23, 59, 58));
  assert.equal(a.events[1]!.ts, utc(2018, 1, 1, 0, 0, 2), 'January after December is the next year');
  // the local-host lived as long as its teardown says
  assert.equal(a.events[1]!.ts - a.events[0]!.ts, a.events[1]!.duration);
  const b = parseSyslogText(text, 'y.log', { defaultYear: 2020 });
  assert.equal(b.events[0]!.ts, utc(2020, 12, 31, 23, 59, 58));
  assert.deepEqual(b.issues, []);
  const c = parseSyslogText(text, 'y.log', { year: 2015, defaultYear: 2020 });
  assert.equal(c.events[0]!.ts, utc(2015, 12, 31, 23, 59, 58), '--year beats the inferred year');
  const d = parseSyslogText(text, 'y.log', { now: new Date(Date.UTC(2031, 3, 1)) });
  assert.equal(d.events[0]!.ts, utc(2031, 12, 31, 23, 59, 58));
  assert.equal(d.issues.length, 1);
  assert.equal(d.issues[0]!.code, 'year-guessed');
  assert.equal(d.issues[0]!.line, 1);
  // a year written in the line is never replaced
  const e = parseSyslogText('<166>Jun 20 2018 11:58:45 fw01 : %ASA-6-609001: Built local-host inside:10.0.0.8', 'x', { year: 2001 });
  assert.equal(e.events[0]!.ts, utc(2018, 6, 20, 11, 58, 45));
});
