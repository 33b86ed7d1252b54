import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/frame.ts';
import type { InspectEvent } from '../../../protocol/inspect.ts';
import { WireRecorder } from '../../../server/core/wire.ts';
import { arrow, compact, fit, fitText, FULL, lanes, laneX, width } from '../../../src/runtime/diagram/layout.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';
import { endedStatus, RunTracker } from '../../../src/runtime/diagram/status.ts';

const RESPONSE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

/** A 1009 run through the real tap, limit 8 bytes, as ws sees it: returns the wire events in order. */
function refusedRun(clientReply: boolean): InspectEvent[] {
  const events: InspectEvent[] = [];
  let t = 1000;
  const rec = new WireRecorder({
    conn: 'c1',
    endpoint: 'echo',
    tag: 'run.client',
    now: () => (t += 1),
    previewBytes: 64,
    maxPayload: 8,
    request: { method: 'GET', target: '/echo', httpVersion: '1.1', headers: [] },
    emit: (_kind, make) => events.push(make()),
  });
  rec.wrote(Buffer.from(RESPONSE, 'latin1'));
  rec.read(fromHex('81 8a 00000000 616263')); // text, 10 bytes announced, 3 arrived
  rec.wrote(fromHex('88 02 03f1')); // ws answers the header with close 1009
  if (clientReply) rec.read(fromHex('64656667686a6b 88 82 00000000 03f1'));
  // ws read no close frame, so it reports 1006: the end event says "abnormal".
  events.push({ kind: 'end', conn: 'c1', t: (t += 1), code: 1006, reason: '', how: 'abnormal' });
  return events;
}

describe('a 1009 run in the diagram', () => {
  it('draws the refused frame before the close it caused, the unread reply, and how the connection really ended', () => {
    const model = new SessionModel('run');
    const rows = refusedRun(true).flatMap((e) => model.addWire(e));
    expect(rows.map((r) => r.text)).toEqual([
      'client → server: opening handshake, GET /echo',
      'server → client: 101 Switching Protocols',
      'client → server: text "abc…" (10 bytes): refused, over the 8-byte limit; the server refused it from its header and read nothing after it',
      'server → client: close 1009',
      'client → server: close 1009 (not read): it reached the server, which had stopped reading',
      "server ✕ client: the server closed the connection after its close 1009, without reading the client's close reply",
    ]);
    expect(rows.at(-1)).toMatchObject({ kind: 'ended', label: 'closed by the server after close 1009' });
    // The browser's close event completes the end row in place (same index, nothing appended).
    const updated = model.addClient({ kind: 'close', t: 50, client: 'client', sock: 0, code: 1009, reason: '', wasClean: true });
    expect(updated.map((r) => r.index)).toEqual([5]);
    expect(model.rows).toHaveLength(6);
    expect(model.rows[5]?.label).toBe('closed by the server after close 1009 (browser: 1009, clean)');
    expect(model.rows[5]?.text).toBe(
      "server ✕ client: the server closed the connection after its close 1009, without reading the client's close reply; the browser reported close code 1009, wasClean true",
    );
  });

  it('says the reply had not arrived when the tap never saw it, and uses a close event that came first', () => {
    const model = new SessionModel('run');
    expect(model.addClient({ kind: 'close', t: 50, client: 'client', sock: 0, code: 1009, reason: '', wasClean: true })).toEqual([]);
    const rows = refusedRun(false).flatMap((e) => model.addWire(e));
    expect(rows.at(-1)?.text).toBe(
      "server ✕ client: the server closed the connection after its close 1009, before the client's close reply arrived; the browser reported close code 1009, wasClean true",
    );
  });

  it('still calls a connection with no close frame either way dropped (1006)', () => {
    const model = new SessionModel('run');
    const rows = [
      ...model.addWire({ kind: 'handshake', conn: 'c1', t: 0, endpoint: 'echo', tag: 'run.a', request: { method: 'GET', target: '/echo', httpVersion: '1.1', headers: [] }, response: { status: 101, statusText: 'Switching Protocols', headers: [] } }),
      ...model.addWire({ kind: 'end', conn: 'c1', t: 5, code: 1006, reason: '', how: 'abnormal' }),
    ];
    expect(rows.at(-1)).toMatchObject({ kind: 'abnormal', label: 'connection dropped, no close frame (1006)' });
  });
});

describe('fitting lanes to the width', () => {
  it('keeps full lanes when they fit, narrows them to fill the width, and scrolls below 112 px lanes', () => {
    expect(fit(2, 606)).toEqual(FULL); // 96 + 2 × 190 + 24 = 500
    expect(width(4, FULL)).toBe(880); // three clients and the server: the width that was cut off
    const four = fit(4, 606);
    expect(four).toEqual({ left: 68, laneWidth: 132, right: 8 });
    expect(width(4, four)).toBe(604);
    expect(laneX(3, four)).toBe(68 + 66 + 3 * 132);
    const phone = fit(2, 311);
    expect(phone).toEqual({ left: 68, laneWidth: 117, right: 8 });
    expect(width(2, phone)).toBeLessThanOrEqual(311);
    const tooMany = fit(4, 311);
    expect(tooMany.laneWidth).toBe(112);
    expect(width(4, tooMany)).toBe(68 + 4 * 112 + 8);
  });

  it('is compact below 480 px: a phone (317 px at 375, 356 at 414), not a laptop (606 px at 1280) or a tablet', () => {
    expect([317, 356, 479].map(compact)).toEqual([true, true, true]);
    expect([480, 606, 700].map(compact)).toEqual([false, false, false]);
  });

  it('gives each label the room between its lifelines, and a note on the server lane the room to its left', () => {
    const order = lanes(['server', 'alice', 'bob', 'carol']);
    const f = fit(4, 606);
    expect(arrow(order, { from: 'carol', to: 'server', kind: 'text' }, f).labelMax).toBe(132 - 16);
    expect(arrow(order, { from: 'server', to: 'alice', kind: 'text' }, f).labelMax).toBe(3 * 132 - 16);
    const note = arrow(order, { from: 'server', to: 'server', kind: 'note' }, f);
    expect(note).toMatchObject({ self: true, labelAnchor: 'end', labelX: laneX(3, f) - 8, labelMax: laneX(3, f) - 8 - 68 });
    const error = arrow(order, { from: 'alice', to: 'alice', kind: 'error' }, f);
    expect(error).toMatchObject({ labelAnchor: 'start', labelX: laneX(0, f) + 8, labelMax: width(4, f) - 8 - laneX(0, f) - 8 });
  });

  it('cuts text with an ellipsis to the width, at whole characters, and leaves what fits alone', () => {
    const mono = (s: string): number => Array.from(s).length * 7;
    expect(fitText('close 1000', 70, mono)).toBe('close 1000');
    expect(fitText('text "hello there" (11 bytes)', 70, mono)).toBe('text "hel…');
    expect(mono(fitText('text "hello there" (11 bytes)', 70, mono))).toBeLessThanOrEqual(70);
    expect(fitText('ab cdef', 28, mono)).toBe('ab…'); // no space left before the ellipsis
    expect(fitText('😀😀😀😀😀', 21, mono)).toBe('😀😀…');
    expect(fitText('abcdef', 3, mono)).toBe('…');
  });
});

describe('the status line after a run', () => {
  it('says how the run ended and how its connections closed, counted by code', () => {
    expect(endedStatus('finished', [{ code: 1009, wasClean: true }])).toBe('Run finished: 1 connection closed with 1009 (clean).');
    expect(endedStatus('stopped', [{ code: 1000, wasClean: true }, { code: 1000, wasClean: true }, { code: 1006, wasClean: false }])).toBe(
      'Run stopped: 2 connections closed with 1000 (clean), 1 connection closed with 1006 (not clean).',
    );
    expect(endedStatus('crashed', [])).toBe('Run crashed: no connection closed during the run.');
    expect(endedStatus('left', [{ code: 1001, wasClean: true }])).toBe('Run stopped when you left the page: 1 connection closed with 1001 (clean).');
  });

  it('a run the learner left ends as left, unless a client crashed or timed out', () => {
    const left = new RunTracker();
    left.add({ kind: 'run-end', t: 1, client: 'alice', reason: 'finished' });
    expect(left.add({ kind: 'run-end', t: 2, client: 'bob', reason: 'left' })).toBe('Run stopped when you left the page: no connection closed during the run.');
    const crashed = new RunTracker();
    crashed.add({ kind: 'run-end', t: 1, client: 'alice', reason: 'crashed' });
    expect(crashed.add({ kind: 'run-end', t: 2, client: 'bob', reason: 'left' })).toBe('Run crashed: no connection closed during the run.');
  });

  it('waits for every client of the run to end', () => {
    const run = new RunTracker();
    expect(run.add({ kind: 'console', t: 1, client: 'alice', level: 'log', text: 'hi' })).toBeNull();
    expect(run.add({ kind: 'close', t: 2, client: 'bob', sock: 0, code: 1000, reason: '', wasClean: true })).toBeNull();
    expect(run.add({ kind: 'run-end', t: 3, client: 'alice', reason: 'finished' })).toBeNull();
    expect(run.add({ kind: 'run-end', t: 4, client: 'bob', reason: 'timeout' })).toBe(
      'Run stopped: it took too long: 1 connection closed with 1000 (clean).',
    );
  });
});
