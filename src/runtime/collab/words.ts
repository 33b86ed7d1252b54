import { BROADCAST_PARAMS } from '../../../protocol/endpoints.ts';
import type { EditorState, Mode, RoomState } from './room.ts';

/**
 * What the collaborative editors say, from the room's state: the status line,
 * each editor's line under it, and the verdict once everything has arrived.
 * Pure, so every sentence a learner can meet is tested without a page.
 */

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The line above the editors; `url` is the /broadcast address the editors share. */
export function statusText(state: RoomState, url: string): string {
  const { closed } = state;
  if (state.phase === 'connecting') return 'Connecting to the companion server…';
  if (state.phase === 'connected') {
    const [address = '', query = ''] = url.split('?');
    const room = new URLSearchParams(query).has(BROADCAST_PARAMS.room) ? ', in a room of their own' : '';
    return `Connected: both editors share one document through ${address.replace(/\/$/, '')}${room}. Type in either one.`;
  }
  if (closed && closed.code === 1006 && !closed.everyoneOpened) {
    return 'The companion server is not running. Start it with npm start, then press Start over.';
  }
  return `${closed?.id ?? 'An editor'}'s connection closed (${closed?.code ?? 1006}${closed?.reason ? `: ${closed.reason}` : ''}). Press Start over.`;
}

/** The line under one editor. */
export function editorText(editor: EditorState, mode: Mode): string {
  if (!editor.connected) return 'Not connected';
  if (mode === 'whole') return editor.outgoing > 0 ? 'sending the whole document…' : 'shows the last copy it sent or received';
  return editor.outgoing > 0 ? `${plural(editor.outgoing, 'message', 'messages')} of yours on the way` : 'everything you typed has arrived';
}

/** Whether things have settled, and what to announce then (only the outcome, not every keystroke). */
export function verdict(state: RoomState): { settled: boolean; inTransit: boolean; text: string } {
  const settled = state.quiet && state.phase === 'connected';
  return {
    settled,
    inTransit: !settled && state.phase === 'connected',
    text: !settled ? '' : state.same ? '✓ Both copies are the same.' : '✗ The copies differ: an edit was lost.',
  };
}
