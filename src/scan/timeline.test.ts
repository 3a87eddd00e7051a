import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatElapsed, ScanTimeline } from './timeline.ts';

function setup(tty: boolean) {
  let now = 1000;
  let text = '';
  const stream = { write: (s: string) => (text += s), isTTY: tty, columns: 60 };
  const timeline = new ScanTimeline(stream, { now: () => now });
  return { timeline, text: () => text, advance: (ms: number) => (now += ms) };
}

test('formatElapsed', () => {
  assert.equal(formatElapsed(0), '00:00:00');
  assert.equal(formatElapsed(5_999), '00:00:05');
  assert.equal(formatElapsed(135_000), '00:02:15');
  assert.equal(formatElapsed(3_723_000), '01:02:03');
});

test('events are written as [elapsed] lines and kept with their offsets', () => {
  const s = setup(false);
  s.timeline.event('Starting autonomous reconnaissance...');
  s.advance(5_200);
  s.timeline.event('Discovered exposed API documentation at /api/docs');
  assert.equal(s.text(), '[00:00:00] Starting autonomous reconnaissance...\n[00:00:05] Discovered exposed API documentation at /api/docs\n');
  assert.deepEqual(s.timeline.events, [
    { atMs: 0, message: 'Starting autonomous reconnaissance...' },
    { atMs: 5200, message: 'Discovered exposed API documentation at /api/docs' },
  ]);
});

test('progress is ignored when the stream is not a TTY', () => {
  const s = setup(false);
  s.timeline.progress('12 requests');
  s.timeline.finish();
  assert.equal(s.text(), '');
});

test('on a TTY, progress overwrites one line, is throttled, and is cleared around events', () => {
  const s = setup(true);
  s.timeline.progress('Testing... 1 request');
  s.timeline.progress('Testing... 2 requests'); // within 100 ms: not drawn
  s.advance(150);
  s.timeline.progress('Testing... 3 requests');
  s.timeline.event('Found something');
  s.timeline.finish();
  const CLR = '\r\u001b[2K';
  assert.equal(
    s.text(),
    `${CLR}[00:00:00] Testing... 1 request${CLR}[00:00:00] Testing... 3 requests${CLR}[00:00:00] Found something\n${CLR}[00:00:00] Testing... 3 requests${CLR}`,
  );
});

test('the progress line is cut to the terminal width', () => {
  const s = setup(true);
  s.timeline.progress('x'.repeat(200));
  const drawn = s.text().replace('\r\u001b[2K', '');
  assert.equal(drawn.length, 59);
});

test('a terminal reporting 0 columns (some ptys) gets 80', () => {
  let text = '';
  const t = new ScanTimeline({ write: (s: string) => (text += s), isTTY: true, columns: 0 }, { now: () => 0 });
  t.progress('y'.repeat(200));
  assert.equal(text.replace('\r\u001b[2K', '').length, 79);
});

test('messages are redacted and cannot carry control sequences', () => {
  const s = setup(false);
  s.timeline.event('leaked Authorization: Bearer abcdefgh12345\u001b[2J');
  assert.equal(s.timeline.events[0]!.message, 'leaked Authorization: [REDACTED]');
  assert.ok(!s.text().includes('\u001b'));
});

test('without a stream, events are still kept', () => {
  const t = new ScanTimeline(undefined);
  t.event('x');
  t.progress('y');
  assert.equal(t.events.length, 1);
});
