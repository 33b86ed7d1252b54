import { describe, expect, it } from 'vitest';
import type { RoomState } from '../../../src/runtime/collab/room.ts';
import { editorText, statusText, verdict } from '../../../src/runtime/collab/words.ts';

const URL = 'ws://localhost:8080/broadcast/';
const room = (over: Partial<RoomState>): RoomState => ({ phase: 'connected', editors: [], quiet: true, same: true, ...over });

describe('what the collaborative editors say', () => {
  it('status line: connecting, connected (address without its trailing slash), server down, a closed socket', () => {
    expect(statusText(room({ phase: 'connecting' }), URL)).toBe('Connecting to the companion server…');
    expect(statusText(room({}), URL)).toBe('Connected: both editors share one document through ws://localhost:8080/broadcast. Type in either one.');
    expect(statusText(room({}), 'ws://localhost:8080/broadcast?room=doc-1')).toBe(
      'Connected: both editors share one document through ws://localhost:8080/broadcast, in a room of their own. Type in either one.',
    );
    expect(statusText(room({ phase: 'closed', closed: { id: 'alice', code: 1006, reason: '', everyoneOpened: false } }), URL)).toBe(
      'The companion server is not running. Start it with npm start, then press Start over.',
    );
    expect(statusText(room({ phase: 'closed', closed: { id: 'bob', code: 1008, reason: 'rate limit', everyoneOpened: true } }), URL)).toBe(
      "bob's connection closed (1008: rate limit). Press Start over.",
    );
    expect(statusText(room({ phase: 'closed', closed: { id: 'bob', code: 1006, reason: '', everyoneOpened: true } }), URL)).toBe(
      "bob's connection closed (1006). Press Start over.",
    );
    expect(statusText(room({ phase: 'closed' }), URL)).toBe("An editor's connection closed (1006). Press Start over.");
  });

  it('editor line: by mode and by what is still on its way', () => {
    expect(editorText({ id: 'a', connected: false, outgoing: 0 }, 'crdt')).toBe('Not connected');
    expect(editorText({ id: 'a', connected: true, outgoing: 1 }, 'crdt')).toBe('1 message of yours on the way');
    expect(editorText({ id: 'a', connected: true, outgoing: 3 }, 'crdt')).toBe('3 messages of yours on the way');
    expect(editorText({ id: 'a', connected: true, outgoing: 0 }, 'crdt')).toBe('everything you typed has arrived');
    expect(editorText({ id: 'a', connected: true, outgoing: 2 }, 'whole')).toBe('sending the whole document…');
    expect(editorText({ id: 'a', connected: true, outgoing: 0 }, 'whole')).toBe('shows the last copy it sent or received');
  });

  it('verdict: only once connected and quiet; in transit otherwise while connected', () => {
    expect(verdict(room({ quiet: true, same: true }))).toEqual({ settled: true, inTransit: false, text: '✓ Both copies are the same.' });
    expect(verdict(room({ quiet: true, same: false }))).toEqual({ settled: true, inTransit: false, text: '✗ The copies differ: an edit was lost.' });
    expect(verdict(room({ quiet: false, same: false }))).toEqual({ settled: false, inTransit: true, text: '' });
    expect(verdict(room({ phase: 'closed', quiet: true }))).toEqual({ settled: false, inTransit: false, text: '' });
  });
});
