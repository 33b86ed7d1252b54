import { BROADCAST_PARAMS, ENDPOINTS } from '../../../protocol/endpoints.ts';
import type { Surface } from '../../runtime/collab/binding.ts';
import { realClock } from '../../runtime/collab/network.ts';
import { CollabRoom, type Mode, type RoomState } from '../../runtime/collab/room.ts';
import { editorText, statusText, verdict } from '../../runtime/collab/words.ts';
import { companionSocketUrl, currentCompanionOrigin } from '../../runtime/server-address.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-collab-editors>: the page side of the collaborative editors. The
 * markup comes from CollabEditors.astro; everything that syncs lives in
 * src/runtime/collab/room.ts, and what it says in words.ts. This element only
 * connects textareas, controls and status lines to a room, and starts a new
 * room on Start over or a mode change.
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

class CollabEditorsElement extends HTMLElement {
  #room: CollabRoom | null = null;
  #areas = new Map<string, HTMLTextAreaElement>();
  #stateLines = new Map<string, HTMLElement>();
  #mode: Mode = 'crdt';
  #url = '';
  /** The text the editors showed when the page was left with a room open; null when none was. */
  #leftWith: string | null = null;

  /**
   * Leaving the page closes the room on purpose: a page kept in the back-forward cache has its sockets
   * closed by the browser, which the room would report as a lost connection (1006) on the way back.
   */
  #onPageHide = (): void => {
    if (!this.#room) return;
    this.#leftWith = this.#areas.values().next().value?.value ?? null;
    this.#room.stop();
    this.#room = null;
  };

  /**
   * Back from the back-forward cache: a new room, from the text the first editor showed. Both editors
   * showed it unless an edit was still on its way, and a message on its way is lost when a socket closes.
   */
  #onPageShow = (event: PageTransitionEvent): void => {
    const text = this.#leftWith;
    this.#leftWith = null;
    if (event.persisted && text !== null && !this.#room) this.#start(text);
  };

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
    window.addEventListener('pagehide', this.#onPageHide);
    window.addEventListener('pageshow', this.#onPageShow);
  }

  disconnectedCallback(): void {
    window.removeEventListener('pagehide', this.#onPageHide);
    window.removeEventListener('pageshow', this.#onPageShow);
    this.#room?.stop();
    this.#room = null;
  }

  get #delay(): number {
    return Number(this.querySelector<HTMLSelectElement>('[data-delay]')?.value ?? 0);
  }

  /** A new room, its editors showing `initial` (by default the page's starting text). */
  #start(initial = this.dataset['initial'] ?? ''): void {
    this.#room?.stop();
    // A room of the document's own: a playground on the page that broadcasts, another tab
    // or another learner never hears these editors' sync messages, nor they its messages.
    const docId = `doc-${crypto.randomUUID()}`;
    this.#url = companionSocketUrl(currentCompanionOrigin(), `${ENDPOINTS.broadcast}?${new URLSearchParams({ [BROADCAST_PARAMS.room]: docId }).toString()}`);
    const ids = [...this.#areas.keys()];
    const surfaces = new Map(ids.map((id) => [id, textareaSurface(this.#areas.get(id) as HTMLTextAreaElement)]));
    this.#room = new CollabRoom({
      ids,
      surfaces,
      initial,
      mode: this.#mode,
      clock: realClock,
      delay: () => this.#delay,
      docId,
      connect: () => new WebSocket(this.#url),
      onChange: (state) => this.#render(state),
    });
    this.#render(this.#room.state());
  }

  #render(state: RoomState): void {
    const room = this.#room;
    if (!room) return;
    const status = this.querySelector('[data-status]');
    if (status) status.textContent = statusText(state, this.#url);
    for (const editor of state.editors) {
      const area = this.#areas.get(editor.id);
      const line = this.#stateLines.get(editor.id);
      if (area) area.disabled = !room.editable(editor.id);
      if (line) line.textContent = editorText(editor, this.#mode);
    }
    const verdictLine = this.querySelector('[data-verdict]');
    const transit = this.querySelector<HTMLElement>('[data-transit]');
    if (!verdictLine || !transit) return;
    const now = verdict(state);
    transit.hidden = !now.inTransit;
    verdictLine.textContent = now.text;
    this.toggleAttribute('data-quiet', now.settled);
  }
}

defineElement('fd-collab-editors', CollabEditorsElement);
