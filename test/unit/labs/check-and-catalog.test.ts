import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stepSchema } from '../../../labs/schema.ts';
import { loadLabs } from '../../../server/labs/catalog.ts';
import { describeStep, jsonContains } from '../../../server/labs/check.ts';
import { keepStderr, parseErrorLogLine } from '../../../server/labs/openresty/engine.ts';

describe('jsonContains', () => {
  it('matches every expected field, arrays element by element, and nothing missing', () => {
    expect(jsonContains({ type: 'message', from: 'ada', id: 7, ts: 1 }, { type: 'message', from: 'ada' })).toBe(true);
    expect(jsonContains({ type: 'message' }, { type: 'message', from: 'ada' })).toBe(false);
    expect(jsonContains({ users: ['a', 'b'] }, { users: ['a'] })).toBe(false);
    expect(jsonContains({ users: ['a', 'b'] }, { users: ['a', 'b'] })).toBe(true);
    expect(jsonContains({ value: 5 }, { value: '5' })).toBe(false);
    expect(jsonContains([1], { 0: 1 })).toBe(false);
  });
});

describe('steps', () => {
  it('say what they do in the words a failure shows', () => {
    const step = (input: unknown) => describeStep(stepSchema.parse(input));
    expect(step({ do: 'send', client: 'a', text: 'x', repeat: 2000 })).toBe('send text "x" × 2000');
    expect(step({ do: 'connect', client: 'a', path: '?name=ada', headers: { Origin: 'http://evil.example' }, status: 403 })).toBe(
      'connect to …?name=ada with Origin: http://evil.example',
    );
    expect(step({ do: 'expect', client: 'a', type: 'pong', text: 'hi' })).toBe('expect pong "hi" within 2000 ms');
    expect(step({ do: 'expectClose', client: 'a', code: 1009 })).toBe('expect a close 1009');
  });

  it('refuse a send with both or neither of text and hex', () => {
    expect(stepSchema.safeParse({ do: 'send', client: 'a' }).success).toBe(false);
    expect(stepSchema.safeParse({ do: 'send', client: 'a', text: 'x', hex: '00' }).success).toBe(false);
  });
});

describe('loadLabs', () => {
  it('names the folder and the field of a bad lab.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'labs-test-'));
    try {
      mkdirSync(join(root, 'broken'));
      writeFileSync(join(root, 'broken', 'lab.json'), JSON.stringify({ id: 'broken', title: 'x', lesson: 'l', summary: 's', languages: ['lua'], hints: [], check: { cases: [] } }));
      expect(() => loadLabs(pathToFileURL(`${root}/`))).toThrow(/^labs\/broken\/lab\.json: hints: .*; check\.cases: /);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('loads every lab of the course with its starter and solution', () => {
    const labs = loadLabs();
    expect([...labs.keys()].sort()).toEqual(['broadcast', 'chat', 'echo', 'events', 'feed', 'heartbeat', 'origin-check', 'payload-limit']);
    for (const lab of labs.values()) {
      expect(lab.starter.lua).toBeTruthy();
      expect(lab.solution.lua).not.toBe(lab.starter.lua);
      expect(lab.check.cases.some((c) => c.hidden)).toBe(true);
    }
  });
});

describe('parseErrorLogLine (OpenResty)', () => {
  it('keeps the learner\'s log lines and errors with their line, and drops nginx\'s own', () => {
    expect(
      parseErrorLogLine('2026/12/01 05:40:00 [warn] 123#123: *5 [lua] handler.lua:15: refused a handshake from origin http://evil.test, client: 127.0.0.1, server: , request: "GET /labs/x HTTP/1.1", host: "127.0.0.1:1"'),
    ).toEqual({ time: new Date('2026-12-01T05:40:00').getTime(), level: 'warn', text: 'refused a handshake from origin http://evil.test', line: 15 });
    expect(
      parseErrorLogLine('2026/12/01 05:40:01 [error] 123#123: *7 lua entry thread aborted: runtime error: /tmp/full-duplex-lab-x/handler.lua:3: boom'),
    ).toMatchObject({ level: 'error', text: 'lua entry thread aborted: runtime error: boom', line: 3 });
    // the traceback lines that follow carry no date: not log lines of their own
    expect(parseErrorLogLine('stack traceback:')).toBeNull();
    expect(parseErrorLogLine('2026/12/01 05:40:00 [notice] 123#123: start worker processes')).toBeNull();
  });
});

describe('keepStderr (OpenResty)', () => {
  it('keeps the first 64 KiB of what nginx writes to stderr and goes on reading the rest', async () => {
    const stderr = new PassThrough();
    const kept = keepStderr({ stderr });
    stderr.write('nginx: [emerg] ');
    for (let i = 0; i < 100; i++) stderr.write('x'.repeat(1024));
    stderr.end();
    await new Promise((resolve) => stderr.on('end', resolve));
    expect(kept.text()).toHaveLength(64 * 1024);
    expect(kept.text().startsWith('nginx: [emerg] xxx')).toBe(true);
    expect(stderr.readableLength).toBe(0);
  });
});
