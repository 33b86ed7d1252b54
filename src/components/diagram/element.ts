import { INSPECT_TAG_PARAM, ENDPOINTS } from '../../../protocol/endpoints.ts';
import type { InspectEvent } from '../../../protocol/inspect.ts';
import { frameFields, handshakeFields, type Field } from '../../runtime/diagram/detail.ts';
import { arrow, GEOMETRY, lanes, laneX, relativeTime, width } from '../../runtime/diagram/layout.ts';
import { SessionModel, toJson, toMermaid, type Row } from '../../runtime/diagram/model.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { companionSocketUrl, currentCompanionOrigin } from '../../runtime/server-address.ts';

/**
 * <fd-sequence-diagram for="<playground id>">: the live diagram. On every run
 * of the playground it opens the server's /inspect stream for the run's tag,
 * and draws each row as it comes: one list item per row, holding its words
 * (the "Frames" list) and its slice of the drawing, so the text alternative
 * and the picture can never disagree, appending never redraws, and a long
 * session keeps only the newest rows in the page.
 */
const SVG = 'http://www.w3.org/2000/svg';
/** Rows kept in the page; older ones are counted, not drawn. */
export const WINDOW_ROWS = 500;

function svg<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function dl(fields: readonly Field[]): HTMLDListElement {
  const list = document.createElement('dl');
  for (const f of fields) {
    const dt = document.createElement('dt');
    dt.textContent = f.name;
    const dd = document.createElement('dd');
    dd.textContent = f.value;
    if (f.note) {
      const small = document.createElement('small');
      small.textContent = f.note;
      dd.append(small);
    }
    list.append(dt, dd);
  }
  return list;
}

export class SequenceDiagramElement extends HTMLElement {
  #model = new SessionModel();
  #order: string[] = [];
  #socket: WebSocket | null = null;
  #paused = false;
  #buffer: InspectEvent[] = [];
  #earlier = 0;
  #unsubscribe: (() => void) | null = null;

  get rows(): readonly Row[] {
    return this.#model.rows;
  }

  get #list(): HTMLOListElement {
    return this.querySelector('[data-rows]') as HTMLOListElement;
  }

  #option(name: string): boolean {
    return (this.querySelector(`[data-option="${name}"]`) as HTMLInputElement | null)?.checked ?? false;
  }

  connectedCallback(): void {
    this.addEventListener('click', (event) => this.#onClick(event));
    this.#list.addEventListener('keydown', (event) => {
      const item = (event.target as HTMLElement).closest('li');
      if (!item) return;
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.#open(Number(item.dataset['row']));
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const next = event.key === 'ArrowDown' ? item.nextElementSibling : item.previousElementSibling;
        (next as HTMLElement | null)?.focus();
      }
    });
    this.querySelector('[data-option="hide-ping"]')?.addEventListener('change', () => this.#applyFilter());
    void this.#attach();
  }

  disconnectedCallback(): void {
    this.#unsubscribe?.();
    this.#socket?.close();
  }

  async #attach(): Promise<void> {
    const id = this.dataset['for'] ?? '';
    await customElements.whenDefined('fd-playground');
    const source = document.getElementById(id) as (HTMLElement & RecordSource) | null;
    if (!source || typeof source.subscribe !== 'function') {
      this.#status(`No playground with id "${id}" on this page.`);
      return;
    }
    this.#unsubscribe = source.subscribe((event) => {
      if (event === null) this.#newRun(source.tag);
      else this.#client(event);
    });
    if (source.tag) this.#newRun(source.tag);
  }

  #status(text: string): void {
    const status = this.querySelector('[data-status]');
    if (status) status.textContent = text;
  }

  /** A new run: a fresh session, and the server's wire view of the run's sockets. */
  #newRun(tag: string | null): void {
    this.#socket?.close();
    this.#reset(tag);
    if (!tag) return;
    const url = new URL(companionSocketUrl(currentCompanionOrigin(), ENDPOINTS.inspect));
    url.searchParams.set(INSPECT_TAG_PARAM, tag);
    const socket = new WebSocket(url);
    this.#socket = socket;
    this.#status('Drawing this run as it happens.');
    socket.onmessage = (message) => {
      if (socket !== this.#socket) return;
      try {
        this.feed([JSON.parse(String(message.data)) as InspectEvent]);
      } catch {
        // A malformed event is skipped; the next one still draws.
      }
    };
    socket.onerror = () => this.#status('The companion server\'s inspector is not reachable: start it with npm start.');
  }

  #reset(tag: string | null): void {
    this.#model = new SessionModel(tag);
    this.#order = [];
    this.#buffer = [];
    this.#earlier = 0;
    this.#list.replaceChildren();
    this.#renderLanes();
    const earlier = this.querySelector<HTMLElement>('[data-earlier]');
    if (earlier) earlier.hidden = true;
    const detail = this.querySelector<HTMLElement>('[data-detail]');
    if (detail) detail.hidden = true;
  }

  /** Adds wire events (the /inspect stream; also used by tests and the benchmark). */
  feed(events: readonly InspectEvent[]): void {
    if (this.#paused) {
      this.#buffer.push(...events);
      this.#status(`Paused: ${this.#buffer.length} events waiting.`);
      return;
    }
    const rows: Row[] = [];
    for (const event of events) rows.push(...this.#model.addWire(event));
    this.#appendRows(rows);
  }

  #client(event: ClientEvent): void {
    this.#appendRows(this.#model.addClient(event));
  }

  /**
   * Draws new rows in one go: one DOM insertion, one trim, one scroll, however
   * many rows a burst brings, so a fast stream costs a layout per batch, not per row.
   */
  #appendRows(rows: readonly Row[]): void {
    if (rows.length === 0) return;
    const order = lanes(this.#model.participants);
    if (order.join('\n') !== this.#order.join('\n')) {
      // A new participant changes every row's width: the one full redraw.
      this.#order = order;
      this.#renderLanes();
      for (const li of this.#list.querySelectorAll('li')) {
        const existing = this.#model.rows[Number(li.dataset['row'])];
        if (existing) li.replaceWith(this.#item(existing, false));
      }
    }
    const hidePing = this.#option('hide-ping');
    const fresh = rows.length > WINDOW_ROWS ? rows.slice(-WINDOW_ROWS) : rows;
    this.#earlier += rows.length - fresh.length;
    const batch = document.createDocumentFragment();
    for (const row of fresh) batch.append(this.#item(row, hidePing));
    this.#list.append(batch);
    const excess = this.#list.children.length - WINDOW_ROWS;
    for (let i = 0; i < excess; i++) this.#list.firstElementChild?.remove();
    this.#earlier += Math.max(0, excess);
    const earlier = this.querySelector<HTMLElement>('[data-earlier]');
    if (earlier && this.#earlier > 0) {
      earlier.hidden = false;
      earlier.textContent = `${this.#earlier} earlier events are not shown (Export JSON has them all).`;
    }
    if (this.#option('follow')) this.#list.scrollTop = this.#list.scrollHeight;
  }

  #renderLanes(): void {
    const host = this.querySelector('[data-lanes]');
    if (!host) return;
    const w = width(this.#order.length);
    const head = svg('svg', { width: w, height: 24, viewBox: `0 0 ${w} 24` });
    this.#order.forEach((name, i) => {
      const text = svg('text', { x: laneX(i), y: 16, 'text-anchor': 'middle', class: 'sd-name' });
      text.textContent = name;
      head.append(text);
    });
    host.replaceChildren(head);
  }

  #item(row: Row, hidePing: boolean): HTMLLIElement {
    const li = document.createElement('li');
    li.tabIndex = 0;
    li.dataset['row'] = String(row.index);
    li.dataset['kind'] = row.kind;
    li.className = `sd-k-${row.kind}`;
    if (hidePing && (row.kind === 'ping' || row.kind === 'pong')) li.hidden = true;
    const words = document.createElement('span');
    words.className = 'fd-sr-only';
    words.textContent = `${relativeTime(row.t)}: ${row.text}`;
    const w = width(this.#order.length);
    const h = GEOMETRY.rowHeight;
    const picture = svg('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, 'aria-hidden': 'true' });
    this.#order.forEach((_, i) => picture.append(svg('line', { x1: laneX(i), x2: laneX(i), y1: 0, y2: h, class: 'sd-life' })));
    const g = arrow(this.#order, row);
    const time = svg('text', { x: 4, y: g.y + 4, class: 'sd-time' });
    time.textContent = relativeTime(row.t);
    picture.append(time);
    if (!g.self) {
      const dir = g.x2 > g.x1 ? 1 : -1;
      picture.append(svg('line', { x1: g.x1, x2: g.x2, y1: g.y, y2: g.y, class: `sd-arrow${g.dashed ? ' sd-dashed' : ''}` }));
      if (g.head === 'arrow') {
        picture.append(svg('path', { d: `M${g.x2} ${g.y} l${-9 * dir} -5 l0 10 z`, class: 'sd-head' }));
      } else if (g.head === 'cross') {
        picture.append(svg('path', { d: `M${g.x2 - 6} ${g.y - 6} l12 12 m0 -12 l-12 12`, class: 'sd-arrow' }));
      }
    }
    const label = svg('text', { x: g.labelX, y: g.self ? g.y + 4 : g.y - 6, 'text-anchor': g.labelAnchor, class: 'sd-label' });
    label.textContent = g.self ? `⚠ ${row.label}` : row.label;
    picture.append(label);
    li.append(words, picture);
    return li;
  }

  #applyFilter(): void {
    const hide = this.#option('hide-ping');
    for (const li of this.#list.querySelectorAll<HTMLLIElement>('li')) {
      li.hidden = hide && (li.dataset['kind'] === 'ping' || li.dataset['kind'] === 'pong');
    }
  }

  async #open(index: number): Promise<void> {
    const row = this.#model.rows[index];
    const panel = this.querySelector<HTMLElement>('[data-detail]');
    if (!row || !panel) return;
    for (const li of this.#list.querySelectorAll('li')) li.removeAttribute('aria-current');
    this.#list.querySelector(`li[data-row="${index}"]`)?.setAttribute('aria-current', 'true');
    const heading = document.createElement('h4');
    heading.textContent = row.text;
    const parts: Node[] = [heading];
    const wire = row.wire;
    if (wire?.kind === 'frame') parts.push(dl(frameFields(wire)));
    else if (wire?.kind === 'handshake') {
      const { request, response, accept } = await handshakeFields(wire);
      const h5 = (text: string): HTMLElement => Object.assign(document.createElement('h5'), { textContent: text });
      parts.push(h5('Request'), dl(request), h5('Response'), dl(response));
      if (accept) parts.push(dl([accept]));
    } else {
      parts.push(Object.assign(document.createElement('p'), { textContent: 'No frame: nothing crossed the wire for this row.' }));
    }
    panel.replaceChildren(...parts);
    panel.hidden = false;
  }

  #onClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const item = target.closest<HTMLLIElement>('[data-rows] li');
    if (item) {
      void this.#open(Number(item.dataset['row']));
      return;
    }
    const action = target.closest<HTMLButtonElement>('button[data-action]')?.dataset['action'];
    if (action === 'pause') this.#togglePause(target.closest('button') as HTMLButtonElement);
    else if (action === 'clear') this.#reset(null);
    else if (action === 'mermaid') this.#export('Mermaid', toMermaid(lanes(this.#model.participants), this.#model.rows), 'diagram.mmd');
    else if (action === 'json') this.#export('JSON', toJson(this.#model.participants, this.#model.rows), 'diagram.json');
  }

  #togglePause(button: HTMLButtonElement): void {
    this.#paused = !this.#paused;
    button.setAttribute('aria-pressed', String(this.#paused));
    button.textContent = this.#paused ? 'Resume' : 'Pause';
    if (!this.#paused) {
      const waiting = this.#buffer;
      this.#buffer = [];
      this.feed(waiting);
      this.#status('Drawing this run as it happens.');
    }
  }

  #export(kind: string, text: string, file: string): void {
    const box = this.querySelector<HTMLElement>('[data-export]');
    const area = this.querySelector<HTMLTextAreaElement>('[data-export-text]');
    const label = this.querySelector('[data-export-label]');
    const link = this.querySelector<HTMLAnchorElement>('[data-export-download]');
    if (!box || !area || !label || !link) return;
    label.textContent = `Export as ${kind}`;
    area.value = text;
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    link.download = file;
    link.textContent = `Download ${file}`;
    box.hidden = false;
    area.focus();
    area.select();
  }
}

if (!customElements.get('fd-sequence-diagram')) customElements.define('fd-sequence-diagram', SequenceDiagramElement);
