import { describe, expect, it } from 'vitest';
import { checks } from '../../../src/runtime/checks.ts';
import type { ClientEvent } from '../../../src/runtime/recorder/events.ts';

/**
 * The shared-doc check over the two ways whole documents can go (crossed in
 * flight, or one copy taken and sent on) and over edits merged in order.
 */
const check = checks['shared-doc-converges'];
const URL = 'ws://localhost:8080/broadcast';
const text = (preview: string) => ({ dataType: 'text' as const, size: new TextEncoder().encode(preview).length, preview });
const create = (client: string): ClientEvent => ({ kind: 'create', t: 0, client, sock: 0, url: URL, protocols: [] });
const send = (client: string, t: number, preview: string): ClientEvent => ({ kind: 'send', t, client, sock: 0, ...text(preview) });
const got = (client: string, t: number, preview: string): ClientEvent => ({ kind: 'message', t, client, sock: 0, ...text(preview) });
const printed = (client: string, t: number, doc: string): ClientEvent => ({ kind: 'console', t, client, level: 'log', text: `document: ${doc}` });

const A = 'Plan: alice brings snacks.';
const AB = 'Plan: alice brings snacks. bob brings snacks.';
const whole = (from: string, doc: string) => JSON.stringify({ from, doc });

describe('shared-doc-converges', () => {
  it('fails whole documents that did not cross: both end right, but bob sent alice’s text on', () => {
    const run = [
      create('alice'),
      create('bob'),
      send('alice', 500, whole('alice', A)),
      got('alice', 501, whole('alice', A)),
      got('bob', 501, whole('alice', A)),
      send('bob', 540, whole('bob', AB)),
      got('alice', 541, whole('bob', AB)),
      got('bob', 541, whole('bob', AB)),
      printed('alice', 1500, AB),
      printed('bob', 1540, AB),
    ];
    expect(check(run)).toEqual({
      passed: false,
      missing: ["Send only bob's own edit: a message from bob held alice's text, so it was a copy of the whole document."],
    });
  });

  it('fails whole documents that crossed: each kept the other’s copy', () => {
    const B = 'Plan: bob brings snacks.';
    const run = [
      create('alice'),
      create('bob'),
      send('alice', 500, whole('alice', A)),
      send('bob', 500, whole('bob', B)),
      got('alice', 501, whole('bob', B)),
      got('bob', 501, whole('alice', A)),
      printed('alice', 1500, B),
      printed('bob', 1500, A),
    ];
    expect(check(run)).toEqual({
      passed: false,
      missing: ['Every client should end with the same document.', "The shared document should keep alice's edit.", "The shared document should keep bob's edit."],
    });
  });

  it('passes edits that name only their author, merged into one document', () => {
    const edit = (from: string, base: number, pos: number) => JSON.stringify({ from, base, edit: { pos, text: ` ${from} brings snacks.` } });
    const run = [
      create('alice'),
      create('bob'),
      send('alice', 500, edit('alice', 0, 5)),
      send('bob', 500, edit('bob', 0, 5)),
      printed('alice', 1500, AB),
      printed('bob', 1500, AB),
    ];
    expect(check(run)).toEqual({ passed: true, missing: [] });
  });

  it('names every client whose text a message carried', () => {
    const run = [create('alice'), create('bob'), create('carol'), send('carol', 1, 'alice and bob were here')];
    expect(check(run).missing).toContain("Send only carol's own edit: a message from carol held alice and bob's text, so it was a copy of the whole document.");
  });
});
