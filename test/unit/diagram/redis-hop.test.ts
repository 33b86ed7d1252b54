import { describe, expect, it } from 'vitest';
import { hopEventSchema, type HandshakeEvent, type HopEvent, type InspectEvent } from '../../../protocol/inspect.ts';
import { hopFields } from '../../../src/runtime/diagram/detail.ts';
import { arrow, fit, fitText, lanes, laneX, width, GEOMETRY } from '../../../src/runtime/diagram/layout.ts';
import { toMermaid } from '../../../src/runtime/diagram/mermaid.ts';
import { SessionModel } from '../../../src/runtime/diagram/model.ts';

const handshake = (conn: string, tag: string, t: number): HandshakeEvent => ({
  kind: 'handshake',
  conn,
  t,
  endpoint: 'broadcast',
  tag,
  request: { method: 'GET', target: '/broadcast', httpVersion: '1.1', headers: [['Upgrade', 'websocket']] },
  response: { status: 101, statusText: 'Switching Protocols', headers: [['Upgrade', 'websocket']] },
});

const hop = (conn: string, dir: HopEvent['dir'], t: number): HopEvent =>
  hopEventSchema.parse({ kind: 'hop', conn, t, via: 'redis', dir, channel: 'fd:broadcast', bytes: 6 });

const order4 = ['alice', 'bob', 'server', 'Redis'];

describe('the Redis lane', () => {
  // alice and bob are watched on this process; c9 got the same message on another process,
  // and this diagram has no handshake of it.
  const events: InspectEvent[] = [
    handshake('c1', 'run.alice', 1000),
    handshake('c2', 'run.bob', 1001),
    hop('c1', 'publish', 1010),
    hop('c1', 'deliver', 1012),
    hop('c2', 'deliver', 1012),
    hop('c9', 'deliver', 1013),
  ];

  it('draws a publish then three deliveries between server and Redis, the unseen connection named in words only', () => {
    const model = new SessionModel('run');
    const rows = events.flatMap((e) => model.addWire(e)).slice(4);
    expect(rows.map(({ t, from, to, kind, label, text }) => ({ t, from, to, kind, label, text }))).toEqual([
      {
        t: 10,
        from: 'server',
        to: 'Redis',
        kind: 'hop',
        label: 'publish 6 B',
        text: "server → Redis: publishes alice's message to Redis, channel fd:broadcast, 6 bytes",
      },
      { t: 12, from: 'Redis', to: 'server', kind: 'hop', label: 'deliver 6 B', text: 'Redis → server: Redis delivers a message on channel fd:broadcast that goes to alice, 6 bytes' },
      { t: 12, from: 'Redis', to: 'server', kind: 'hop', label: 'deliver 6 B', text: 'Redis → server: Redis delivers a message on channel fd:broadcast that goes to bob, 6 bytes' },
      { t: 13, from: 'Redis', to: 'server', kind: 'hop', label: 'deliver 6 B', text: 'Redis → server: Redis delivers a message on channel fd:broadcast that goes to connection c9, 6 bytes' },
    ]);
    expect(model.participants).toEqual(['server', 'alice', 'bob', 'Redis']);
    expect(lanes(model.participants)).toEqual(['alice', 'bob', 'server', 'Redis']);
  });

  it('appears only with hop rows: the same run without them has no Redis lane', () => {
    const model = new SessionModel('run');
    for (const e of events.filter((e) => e.kind !== 'hop')) model.addWire(e);
    expect(lanes(model.participants)).toEqual(['alice', 'bob', 'server']);
  });

  it('is right of the server: a publish is solid rightwards, a delivery dashed leftwards, one lane wide', () => {
    const order = ['alice', 'bob', 'server', 'Redis'];
    const publish = arrow(order, { from: 'server', to: 'Redis', kind: 'hop' });
    const deliver = arrow(order, { from: 'Redis', to: 'server', kind: 'hop' });
    expect(publish).toMatchObject({ x1: laneX(2), x2: laneX(3), dashed: false, head: 'arrow', self: false, labelMax: GEOMETRY.laneWidth - 16 });
    expect(deliver).toMatchObject({ x1: laneX(3), x2: laneX(2), dashed: true, head: 'arrow', self: false });
    // A server note still reads leftwards, into the clients' lanes, not over Redis.
    expect(arrow(order, { from: 'server', to: 'server', kind: 'note' })).toMatchObject({ labelAnchor: 'end', labelX: laneX(2) - 8 });
  });

  it('fits the width rules: four lanes fit 1280 px at full width, and scroll at the minimum on 375 px', () => {
    expect(fit(4, 1200)).toEqual({ left: 96, laneWidth: 190, right: 24 });
    expect(width(4)).toBe(880);
    expect(fit(4, 343)).toEqual({ left: 68, laneWidth: 112, right: 8 });
    // Between two lanes of the minimum width, the labels of a short line are drawn whole (11 px monospace: 7.5 px a character at most).
    const room = arrow(order4, { from: 'server', to: 'Redis', kind: 'hop' }, fit(4, 343)).labelMax;
    expect(room).toBe(96);
    for (const label of ['publish 17 B', 'deliver 17 B']) expect(fitText(label, room, (s) => s.length * 7.5)).toBe(label);
  });

  it('exports the participant as Redis in Mermaid', () => {
    const model = new SessionModel('run');
    for (const e of events.slice(0, 4)) model.addWire(e);
    expect(toMermaid(lanes(model.participants), model.rows.slice(4))).toBe(
      [
        'sequenceDiagram',
        '  participant p0 as alice',
        '  participant p1 as bob',
        '  participant p2 as server',
        '  participant p3 as Redis',
        '  p2->>p3: publish 6 B',
        '  p3-->>p2: deliver 6 B',
        '',
      ].join('\n'),
    );
  });

  it('shows the hop fields in the detail view', () => {
    expect(hopFields(hop('c1', 'deliver', 1012)).map((f) => [f.name, f.value])).toEqual([
      ['direction', 'deliver'],
      ['channel', 'fd:broadcast'],
      ['bytes', '6'],
      ['connection', 'c1'],
    ]);
  });
});
