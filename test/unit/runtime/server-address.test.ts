import { describe, expect, it } from 'vitest';
import { companionOrigin, companionSocketUrl, healthUrl, mapLearnerHttpUrl, mapLearnerUrl, rewriteNote, toWebSocketOrigin } from '../../../src/runtime/server-address.ts';

describe('companionOrigin', () => {
  it('is the page itself when the companion server serves the site', () => {
    expect(companionOrigin('http://127.0.0.1:41234', false)).toBe('http://127.0.0.1:41234');
  });
  it('is localhost:8080 under the Astro dev server', () => {
    expect(companionOrigin('http://localhost:4321', true)).toBe('http://localhost:8080');
  });
});

describe('server URLs', () => {
  it('builds the health URL and WebSocket URLs on the companion origin', () => {
    expect(healthUrl('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000/health');
    expect(toWebSocketOrigin('http://127.0.0.1:9000')).toBe('ws://127.0.0.1:9000');
    expect(toWebSocketOrigin('https://course.example')).toBe('wss://course.example');
    expect(companionSocketUrl('http://localhost:8080', '/inspect?fd-tag=a1')).toBe('ws://localhost:8080/inspect?fd-tag=a1');
  });
});

describe('mapLearnerUrl', () => {
  const companion = 'http://127.0.0.1:41234';

  it('sends ws://localhost:8080 to the companion server, tagged, and keeps the shown URL', () => {
    expect(mapLearnerUrl('ws://localhost:8080', companion, 't1')).toEqual({
      target: 'ws://127.0.0.1:41234/?fd-tag=t1',
      shown: 'ws://localhost:8080/',
    });
  });

  it('maps 127.0.0.1:8080 and [::1]:8080 too, keeping path and query', () => {
    expect(mapLearnerUrl('ws://127.0.0.1:8080/chat?name=alice', companion, 't2').target).toBe(
      'ws://127.0.0.1:41234/chat?name=alice&fd-tag=t2',
    );
    expect(mapLearnerUrl('ws://[::1]:8080/echo', companion, 't3').target).toBe('ws://127.0.0.1:41234/echo?fd-tag=t3');
  });

  it('leaves other hosts and ports alone but still tags them', () => {
    expect(mapLearnerUrl('wss://echo.example.org/x', companion, 't4')).toEqual({
      target: 'wss://echo.example.org/x?fd-tag=t4',
      shown: 'wss://echo.example.org/x',
    });
    expect(mapLearnerUrl('ws://localhost:9999/', companion, 't5').target).toBe('ws://localhost:9999/?fd-tag=t5');
  });

  it('resolves relative URLs against the companion server and turns http into ws', () => {
    expect(mapLearnerUrl('/echo', companion, 't6').target).toBe('ws://127.0.0.1:41234/echo?fd-tag=t6');
    expect(mapLearnerUrl('http://localhost:8080/echo', 'http://localhost:8080', 't7')).toEqual({
      target: 'ws://localhost:8080/echo?fd-tag=t7',
      shown: 'ws://localhost:8080/echo',
    });
  });

  it('replaces a tag the learner already wrote instead of adding a second one', () => {
    expect(mapLearnerUrl('ws://localhost:8080/?fd-tag=mine', companion, 't8').target).toBe('ws://127.0.0.1:41234/?fd-tag=t8');
  });

  it('throws a SyntaxError, as WebSocket does, for an invalid URL', () => {
    expect(() => mapLearnerUrl('ws://exa mple:80:80', companion, 't9')).toThrow(SyntaxError);
  });
});

describe('mapLearnerHttpUrl', () => {
  const companion = 'http://127.0.0.1:41234';
  it.each([
    ['http://localhost:8080/health', 'http://127.0.0.1:41234/health'],
    ['http://127.0.0.1:8080/api/token', 'http://127.0.0.1:41234/api/token'],
    ['/health', 'http://127.0.0.1:41234/health'],
    ['http://localhost:9000/x', 'http://localhost:9000/x'],
    ['https://localhost:8080/x', 'https://localhost:8080/x'],
    ['http://example.com:8080/x', 'http://example.com:8080/x'],
  ])('%s → %s', (url, mapped) => {
    expect(mapLearnerHttpUrl(url, companion)).toBe(mapped);
  });
});

describe('rewriteNote', () => {
  it('says where the course address goes when the course runs on another port', () => {
    expect(rewriteNote('ws://localhost:8080/echo', 'http://127.0.0.1:41234')).toBe(
      'Note: your code says ws://localhost:8080; this course runs on ws://127.0.0.1:41234, so the connection goes there. Code you run outside the course connects to the address it says.',
    );
  });
  it('says nothing when the address is where the socket goes, or is not the course address', () => {
    expect(rewriteNote('ws://localhost:8080/echo', 'http://localhost:8080')).toBeNull();
    expect(rewriteNote('wss://example.com/feed', 'http://127.0.0.1:41234')).toBeNull();
    expect(rewriteNote('not a url at all ::', 'http://127.0.0.1:41234')).toBeNull();
  });
});
