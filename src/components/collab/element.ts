import { ENDPOINTS } from '../../../protocol/endpoints.ts';
import type { Surface } from '../../runtime/collab/binding.ts';
import { realClock } from '../../runtime/collab/network.ts';
import { CollabRoom, type Mode, type RoomState } from '../../runtime/collab/room.ts';
import { companionSocketUrl, currentCompanionOrigin } from '../../runtime/server-address.ts';

/**
 * <fd-collab-editors>: the page side of the collaborative editors. The
 * markup comes from CollabEditors.astro; everything that syncs lives in
 * src/runtime/collab/room.ts. This element only connects textareas, controls
 * and status lines to a room, and starts a new room on Start over or a mode change.
 */

/** A textarea as the room sees it; the selection is only restored for the person typing in it. */
function textareaSurface(area: HTMLTextAreaElement): Surface {
  return {
    get value() {
      return area.value;
    },
    get selectionStart() {
      return area.selectionStart;
    },
    get selectionEnd() {
      return area.selectionEnd;
    },
    replace(value, start, end) {
      if (area.value === value) return;
      const focused = document.activeElement === area;
      area.value = value;
      if (focused) area.setSelectionRange(start, end);
    },
  };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

class CollabEditorsElement extends HTMLElement {
  #room: CollabRoom | null = null;
  #areas = new Map<string, HTMLTextAreaElement>();
  #stateLines = new Map<string, HTMLElement>();
  #mode: Mode = 'crdt';
  #url = '';

  connectedCallback(): void {
    for (const root of this.querySelectorAll<HTMLElement>('[data-editor]')) {
      const id = root.dataset['editor'] ?? '';
      const area = root.querySelector('textarea');
      const state = root.querySelector<HTMLElement>('[data-state]');
      if (!area || !state) continue;
      this.#areas.set(id, area);
      this.#stateLines.set(id, state);
      area.addEventListener('input', () => this.#room?.typed(id));
      area.addEventListener('compositionstart', () => this.#room?.composing(id, true));
      area.addEventListener('compositionend', () => this.#room?.composing(id, false));
    }
    this.querySelector('[data-reset]')?.addEventListener('click', () => this.#start());
    for (const radio of this.querySelectorAll<HTMLInputElement>('[data-mode]')) {
      radio.addEventListener('change', () => {
        this.#mode = radio.value === 'whole' ? 'whole' : 'crdt';
        this.#start();
      });
    }
    // Start when the editors come near the viewport: the page pays nothing before.
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          observer.disconnect();
          this.#start();
        }
      },
      { rootMargin: '200px' },
    );
    observer.observe(this);
  }

  disconnectedCallback(): void {
    this.#room?.stop();
    this.#room = null;
  }

  get #delay(): number {
    return Number(this.querySelector<HTMLSelectElement>('[data-delay]')?.value ?? 0);
  }

  #start(): void {
    this.#room?.stop();
    this.#url = companionSocketUrl(currentCompanionOrigin(), ENDPOINTS.broadcast);
    const ids = [...this.#areas.keys()];
    const surfaces = new Map(ids.map((id) => [id, textareaSurface(this.#areas.get(id) as HTMLTextAreaElement)]));
    this.#room = new CollabRoom({
      ids,
      surfaces,
      initial: this.dataset['initial'] ?? '',
      mode: this.#mode,
      clock: realClock,
      delay: () => this.#delay,
      connect: () => new WebSocket(this.#url),
      onChange: (state) => this.#render(state),
    });
    this.#render(this.#room.state());
  }

  #render(state: RoomState): void {
    const room = this.#room;
    if (!room) return;
    this.#status(state);
    for (const editor of state.editors) {
      const area = this.#areas.get(editor.id);
      const line = this.#stateLines.get(editor.id);
      if (area) area.disabled = !room.editable(editor.id);
      if (!line) continue;
      line.textContent = !editor.connected
        ? 'Not connected'
        : this.#mode === 'whole'
          ? editor.outgoing > 0
            ? 'sending the whole document…'
            : 'shows the last copy it sent or received'
          : editor.outgoing > 0
            ? `${plural(editor.outgoing, 'message', 'messages')} of yours on the way`
            : 'everything you typed has arrived';
    }
    const verdict = this.querySelector('[data-verdict]');
    const transit = this.querySelector<HTMLElement>('[data-transit]');
    if (!verdict || !transit) return;
    // Only the outcome is announced, once things settle, not every keystroke in between.
    const settled = state.quiet && state.phase === 'connected';
    transit.hidden = settled || state.phase !== 'connected';
    verdict.textContent = !settled ? '' : state.same ? '✓ Both copies are the same.' : '✗ The copies differ: an edit was lost.';
    this.toggleAttribute('data-quiet', settled);
  }

  #status(state: RoomState): void {
    const line = this.querySelector('[data-status]');
    if (!line) return;
    const { closed } = state;
    line.textContent =
      state.phase === 'connecting'
        ? 'Connecting to the companion server…'
        : state.phase === 'connected'
          ? `Connected: both editors share one document through ${this.#url.replace(/\/$/, '')}. Type in either one.`
          : closed && closed.code === 1006 && !closed.everyoneOpened
            ? 'The companion server is not running. Start it with npm start, then press Start over.'
            : `${closed?.id ?? 'An editor'}'s connection closed (${closed?.code ?? 1006}${closed?.reason ? `: ${closed.reason}` : ''}). Press Start over.`;
  }
}

if (!customElements.get('fd-collab-editors')) customElements.define('fd-collab-editors', CollabEditorsElement);
