import { INSPECT_TAG_PARAM, ENDPOINTS } from '../../../protocol/endpoints.ts';
import type { InspectEvent } from '../../../protocol/inspect.ts';
import { INSPECTOR_UNREACHABLE } from '../../runtime/classroom/words.ts';
import { frameFields, handshakeFields, hopFields, type Field } from '../../runtime/diagram/detail.ts';
import { arrow, compact, fit, fitText, followLeft, FULL, GEOMETRY, lanes, laneX, relativeTime, width, type Fit } from '../../runtime/diagram/layout.ts';
import { toMermaid } from '../../runtime/diagram/mermaid.ts';
import { SessionModel, toJson, type Row } from '../../runtime/diagram/model.ts';
import { DIAGRAM_STATUS, labEndedStatus, LEFT_STATUS, RunTracker, settledStatus, type DiagramSource } from '../../runtime/diagram/status.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { companionSocketUrl, currentCompanionOrigin } from '../../runtime/server-address.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-sequence-diagram for="<playground id>">: the live diagram. On every run
 * of the playground it opens the server's /inspect stream for the run's tag,
 * and draws each row as it comes: one list item per row, holding its words
 * (the "Frames" list) and its slice of the drawing, so the text alternative
 * and the picture can never disagree, appending never redraws, and a long
 * session keeps only the newest rows in the page.
 *
 * Lanes and rows sit in one scroll container (lane names sticky on top), so
 * whatever does not fit its width scrolls as one picture; lanes are fitted to
 * that width first, and labels cut to their lifelines.
 */
const SVG = 'http://www.w3.org/2000/svg';
/** Rows kept in the page; older ones are counted, not drawn. */
export const WINDOW_ROWS = 500;

/** Width of text in the font an element of `className` is drawn in, by a canvas: no layout. */
function measurer(host: Element, className: string): (text: string) => number {
  const probe = document.createElementNS(SVG, 'text');
  probe.setAttribute('class', className);
  host.append(probe);
  const style = getComputedStyle(probe);
  const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  probe.remove();
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return (text) => text.length * 8;
  context.font = font;
  const cache = new Map<string, number>();
  return (text) => {
    let w = cache.get(text);
    if (w === undefined) {
      w = context.measureText(text).width;
      if (cache.size > 2000) cache.clear();
      cache.set(text, w);
    }
    return w;
  };
}

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
  /** The tag #socket watches. */
  #watching: string | null = null;
  /** What this diagram draws from, once attached. */
  #recordSource: RecordSource | null = null;
  /** The tag whose inspector was closed as the page was left, in case the page comes back. */
  #leftWatching: string | null = null;
  #paused = false;
  #buffer: InspectEvent[] = [];
  #earlier = 0;
  #unsubscribe: (() => void) | null = null;
  #fit: Fit = FULL;
  #run = new RunTracker();
  /** The status line once the run has ended, kept through a pause. */
  #endedStatus: string | null = null;
  /** Why this run's inspector failed, once the page has found out; null while it works. */
  #inspectorProblem: string | null = null;
  #resize: ResizeObserver | null = null;
  #measure: { label: (s: string) => number; name: (s: string) => number } | null = null;

  get rows(): readonly Row[] {
    return this.#model.rows;
  }

  get #list(): HTMLOListElement {
    return this.querySelector('[data-rows]') as HTMLOListElement;
  }

  /** The one scroll container of lanes and rows. */
  get #viewport(): HTMLElement {
    return this.querySelector('[data-viewport]') as HTMLElement;
  }

  get #measures(): { label: (s: string) => number; name: (s: string) => number } {
    const host = this.querySelector('[data-lanes]') ?? this;
    this.#measure ??= { label: measurer(host, 'sd-label'), name: measurer(host, 'sd-name') };
    return this.#measure;
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
    this.querySelector('[data-detail]')?.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key !== 'Escape') return;
      // Back to the row the detail is about, where the reader left off.
      this.#list.querySelector<HTMLElement>('li[aria-current="true"]')?.focus();
    });
    let seenWidth = -1;
    let legendSet = false;
    this.#resize = new ResizeObserver(() => {
      const available = this.#viewport.clientWidth;
      if (available === seenWidth) return;
      seenWidth = available;
      // A hidden diagram (no width yet) says nothing about the screen: its layout waits for a real width.
      if (available > 0) {
        const narrow = compact(available);
        this.toggleAttribute('data-compact', narrow);
        // Compact export buttons read "Mermaid" and "JSON", still named "Export …".
        for (const word of this.querySelectorAll('.sd-export-word')) word.classList.toggle('fd-sr-only', narrow);
        // The legend starts folded on a phone, once: after that it stays as the learner left it.
        const legend = this.querySelector<HTMLDetailsElement>('[data-legend]');
        if (legend && !legendSet) legend.open = !narrow;
        legendSet = true;
      }
      // Next frame: redrawing inside the observer's callback would resize what it observes.
      requestAnimationFrame(() => this.#refit());
    });
    this.#resize.observe(this.#viewport);
    window.addEventListener('pagehide', this.#onPageHide);
    window.addEventListener('pageshow', this.#onPageShow);
    void this.#attach();
  }

  /**
   * Leaving the page closes the inspector on purpose. A page kept in the back-forward cache has its
   * sockets closed by the browser, and the error it reports on the way back would say the companion
   * is gone when it is not.
   */
  #onPageHide = (): void => {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    this.#leftWatching = this.#watching;
    socket.onmessage = null;
    socket.onerror = null;
    socket.close();
  };

  /**
   * Back from the back-forward cache. A playground and a lab end their runs as the page is left, so
   * their diagram says the run ended then; the learner a teacher watches runs on in their own
   * browser, so that diagram watches the same run again (the companion replays its last minute).
   */
  #onPageShow = (event: PageTransitionEvent): void => {
    const tag = this.#leftWatching;
    this.#leftWatching = null;
    if (!event.persisted || tag === null || this.#endedStatus !== null) return;
    const source = this.#source();
    if (source === 'learner') {
      if (this.#recordSource?.tag === tag) this.#newRun(tag);
      return;
    }
    this.#endedStatus = LEFT_STATUS[source];
    if (!this.#paused) this.#status(this.#settled());
  };

  disconnectedCallback(): void {
    window.removeEventListener('pagehide', this.#onPageHide);
    window.removeEventListener('pageshow', this.#onPageShow);
    this.#unsubscribe?.();
    this.#socket?.close();
    this.#resize?.disconnect();
  }

  /** Fits the lanes to the viewport's width; when that changes the geometry, redraws every row. */
  #refit(): void {
    const next = fit(this.#order.length, this.#viewport.clientWidth);
    if (next.left === this.#fit.left && next.laneWidth === this.#fit.laneWidth && next.right === this.#fit.right) return;
    this.#fit = next;
    this.#redraw();
  }

  #redraw(): void {
    this.#renderLanes();
    const hidePing = this.#option('hide-ping');
    for (const li of this.#list.querySelectorAll<HTMLLIElement>('li')) {
      const existing = this.#model.rows[Number(li.dataset['row'])];
      if (!existing) continue;
      const fresh = this.#item(existing, hidePing);
      if (li.getAttribute('aria-current')) fresh.setAttribute('aria-current', 'true');
      const focused = document.activeElement === li;
      li.replaceWith(fresh);
      if (focused) fresh.focus({ preventScroll: true });
    }
  }

  async #attach(): Promise<void> {
    const id = this.dataset['for'] ?? '';
    // The source is a playground or a server lab (any element that is a RecordSource): wait for its definition.
    const tagName = document.getElementById(id)?.localName ?? '';
    await customElements.whenDefined(tagName.includes('-') ? tagName : 'fd-playground');
    const source = document.getElementById(id) as (HTMLElement & RecordSource) | null;
    if (!source || typeof source.subscribe !== 'function') {
      this.#status(`No playground with id "${id}" on this page.`);
      return;
    }
    this.#recordSource = source;
    this.#unsubscribe = source.subscribe((event) => {
      if (event === null) this.#newRun(source.tag);
      else this.#client(event);
    });
    if (source.tag) {
      this.#newRun(source.tag);
      for (const event of source.events) this.#client(event);
    }
  }

  /** What this diagram draws (SequenceDiagram.astro's `source`), which its status lines name. */
  #source(): DiagramSource {
    const source = this.dataset['source'];
    return source === 'lab' || source === 'learner' ? source : 'playground';
  }

  #running(): string {
    return DIAGRAM_STATUS[this.#source()].running;
  }

  #status(text: string): void {
    const status = this.querySelector('[data-status]');
    if (status) status.textContent = text;
  }

  /** A new run: a fresh session, and the server's wire view of the run's sockets. */
  #newRun(tag: string | null): void {
    this.#socket?.close();
    this.#socket = null;
    this.#watching = tag;
    this.#reset(tag);
    if (!tag) return;
    const url = new URL(companionSocketUrl(currentCompanionOrigin(), ENDPOINTS.inspect));
    url.searchParams.set(INSPECT_TAG_PARAM, tag);
    const socket = new WebSocket(url);
    this.#socket = socket;
    this.#status(this.#running());
    socket.onmessage = (message) => {
      if (socket !== this.#socket) return;
      try {
        this.feed([JSON.parse(String(message.data)) as InspectEvent]);
      } catch {
        // A malformed event is skipped; the next one still draws.
      }
    };
    socket.onerror = () => void this.#inspectorFailed(socket);
  }

  /** The inspector refused or is gone: in a class that usually means "sign in", which the page can find out. */
  async #inspectorFailed(socket: WebSocket): Promise<void> {
    if (socket !== this.#socket) return;
    let text = INSPECTOR_UNREACHABLE;
    try {
      const { inspectorFailure } = await import('../../runtime/classroom/inspector.ts');
      text = await inspectorFailure(currentCompanionOrigin());
    } catch {
      // The module could not load: the companion that served this page is gone, as the default sentence says.
    }
    // A new run while the reason was fetched has an inspector of its own.
    if (socket !== this.#socket) return;
    this.#inspectorProblem = text;
    if (!this.#paused) this.#status(this.#settled());
  }

  #settled(): string {
    return settledStatus({ inspectorProblem: this.#inspectorProblem, ended: this.#endedStatus, running: this.#running() });
  }


  #reset(tag: string | null): void {
    this.#model = new SessionModel(tag);
    this.#run = new RunTracker();
    this.#endedStatus = null;
    this.#inspectorProblem = null;
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
    const before = this.#model.rows.length;
    const rows: Row[] = [];
    for (const event of events) rows.push(...this.#model.addWire(event));
    this.#applyRows(rows, before);
  }

  #client(event: ClientEvent): void {
    const before = this.#model.rows.length;
    this.#applyRows(this.#model.addClient(event), before);
    // A lab's check has no browser-side sockets to count: it reports one run-end when its check is over.
    const ended = this.#source() === 'lab' ? (event.kind === 'run-end' ? labEndedStatus(event.reason) : null) : this.#run.add(event);
    if (ended !== null) {
      this.#endedStatus = ended;
      if (!this.#paused) this.#status(this.#settled());
    }
  }

  /**
   * Draws what the model returned: rows past `before` are new; the others were drawn
   * already and changed (a close event completes an end row, a late handshake explains
   * an error row), so they are redrawn in place.
   */
  #applyRows(rows: readonly Row[], before: number): void {
    for (const row of rows.filter((r) => r.index < before)) {
      const li = this.#list.querySelector(`li[data-row="${row.index}"]`);
      if (!li) continue;
      const fresh = this.#item(row, this.#option('hide-ping'));
      if (li.getAttribute('aria-current')) fresh.setAttribute('aria-current', 'true');
      li.replaceWith(fresh);
    }
    this.#appendRows(rows.filter((r) => r.index >= before));
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
      this.#fit = fit(order.length, this.#viewport.clientWidth);
      this.#redraw();
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
    const newest = fresh.at(-1);
    if (this.#option('follow') && newest) {
      this.#viewport.scrollTop = this.#viewport.scrollHeight;
      this.#viewport.scrollLeft = followLeft(this.#viewport.scrollLeft, this.#viewport.clientWidth, arrow(this.#order, newest, this.#fit), this.#fit.laneWidth / 2);
    }
  }

  #renderLanes(): void {
    const host = this.querySelector<HTMLElement>('[data-lanes]');
    if (!host) return;
    const w = width(this.#order.length, this.#fit);
    // The list is as wide as the drawing, so a highlighted row spans all of it when scrolled.
    this.#list.style.width = this.#order.length ? `${w}px` : '';
    const head = svg('svg', { width: w, height: 24, viewBox: `0 0 ${w} 24` });
    const room = this.#fit.laneWidth - GEOMETRY.labelPad;
    this.#order.forEach((name, i) => {
      const text = svg('text', { x: laneX(i, this.#fit), y: 16, 'text-anchor': 'middle', class: 'sd-name' });
      text.textContent = fitText(name, room, this.#measures.name);
      if (text.textContent !== name) text.append(Object.assign(svg('title', {}), { textContent: name }));
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
    const f = this.#fit;
    const w = width(this.#order.length, f);
    const h = GEOMETRY.rowHeight;
    const picture = svg('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, 'aria-hidden': 'true' });
    this.#order.forEach((_, i) => picture.append(svg('line', { x1: laneX(i, f), x2: laneX(i, f), y1: 0, y2: h, class: 'sd-life' })));
    const g = arrow(this.#order, row, f);
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
    const full = g.self ? `⚠ ${row.label}` : row.label;
    // Cut to the lifelines; the whole label is the row's words, its tooltip and its detail.
    label.textContent = fitText(full, g.labelMax, this.#measures.label);
    if (label.textContent !== full) {
      label.dataset['full'] = full;
      label.append(Object.assign(svg('title', {}), { textContent: full }));
    }
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
    else if (wire?.kind === 'hop') parts.push(dl(hopFields(wire)));
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
    // The detail sits below the diagram: bring it into view, and focus it so a keyboard or
    // screen-reader user lands on what they asked for (Escape goes back to the row).
    panel.focus({ preventScroll: true });
    panel.scrollIntoView({ block: 'nearest', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
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
      this.#status(this.#settled());
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

defineElement('fd-sequence-diagram', SequenceDiagramElement);
