import type uPlot from 'uplot';
import { chartOptions, plotData, type DrawnTicks, type Palette } from '../../runtime/chart/options.ts';
import { chartView, clockTime, describeView, formatChange, formatPrice, latest, SeriesStore, type ChartView } from '../../runtime/chart/series.ts';
import { whenNeeded } from '../../runtime/editor/lazy.ts';
import type { ClientEvent, RecordSource } from '../../runtime/recorder/events.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-live-chart>: a live chart of the feed ticks a playground's code receives.
 * It reads the playground's recorded messages (RecordSource), so the learner's
 * code stays plain WebSocket code and the chart shows exactly what it got.
 * Ticks are kept from the start; uPlot and its CSS are fetched only when the
 * chart comes near the viewport, so a page read from the top pays nothing.
 */

const PLOT_HEIGHT = 260;

function tickOf(event: ClientEvent): { topic: string; value: number; ts: number } | null {
  if (event.kind !== 'message' || event.dataType !== 'text' || !event.preview.startsWith('{')) return null;
  try {
    const data = JSON.parse(event.preview) as Record<string, unknown>;
    const { type, topic, value, ts } = data;
    if (type !== 'tick' || typeof topic !== 'string' || typeof value !== 'number') return null;
    return { topic, value, ts: typeof ts === 'number' ? ts : Date.now() };
  } catch {
    return null;
  }
}

export class LiveChartElement extends HTMLElement {
  readonly #store = new SeriesStore();
  #view: ChartView = { topics: [], xs: [], prices: [], changes: [] };
  #uPlot: typeof uPlot | null = null;
  #plot: uPlot | null = null;
  /** Topics and theme the plot was built for; a change rebuilds it. */
  #built = '';
  #frame = 0;
  /** The last pointer over the plot was a finger or pen, not a mouse. */
  #touch = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #cleanup: (() => void)[] = [];
  /** The labels the axes last drew, for tests and tools: the canvas itself holds no text. */
  readonly ticks: DrawnTicks = { x: [], y: [] };

  async connectedCallback(): Promise<void> {
    if (this.#cleanup.length > 0) return;
    this.#cleanup.push(whenNeeded(this, () => void this.#loadLibrary()));
    const resize = new ResizeObserver(() => this.#resize());
    resize.observe(this);
    this.#cleanup.push(() => resize.disconnect());
    // Canvas colours are resolved once per build: a theme switch rebuilds the plot.
    const theme = new MutationObserver(() => {
      this.#built = '';
      this.#schedule();
    });
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    this.#cleanup.push(() => theme.disconnect());

    await customElements.whenDefined('fd-playground');
    const source = document.getElementById(this.dataset['for'] ?? '') as (HTMLElement & RecordSource) | null;
    if (!source || typeof source.subscribe !== 'function') return;
    for (const event of source.events) this.#take(event);
    const unsubscribe = source.subscribe((event) => {
      if (event === null) {
        this.#store.clear();
        this.#schedule();
      } else this.#take(event);
    });
    this.#cleanup.push(unsubscribe);
    // Old ticks leave the window even when no new ones come.
    this.#timer = setInterval(() => {
      if (this.#store.topics().length > 0) this.#schedule();
    }, 1000);
  }

  disconnectedCallback(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    clearInterval(this.#timer);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#plot?.destroy();
    this.#plot = null;
    this.#built = '';
  }

  async #loadLibrary(): Promise<void> {
    // The stylesheet comes as text inside the lazy chunk: left to Astro, a dynamic chunk's CSS becomes a
    // <link> on the page (or a failed preload), which would cost every reader of the page, chart or not.
    const [library, css] = await Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css?inline')]);
    if (!document.querySelector('style[data-uplot]')) {
      const style = document.createElement('style');
      style.dataset['uplot'] = '';
      style.textContent = css.default;
      document.head.append(style);
    }
    this.#uPlot = library.default;
    this.dataset['ready'] = '';
    this.#schedule();
  }

  #take(event: ClientEvent): void {
    const tick = tickOf(event);
    if (!tick) return;
    this.#store.add(tick.topic, { ts: tick.ts, value: tick.value });
    this.#schedule();
  }

  #schedule(): void {
    // However fast ticks arrive, draw at most once per frame.
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw(): void {
    const spanMs = Number(this.dataset['seconds'] ?? 60) * 1000;
    const newest = latest(this.#store);
    const now = Math.max(Date.now(), ...newest.map((p) => p.ts));
    this.#view = chartView(this.#store, { now, spanMs });
    this.#table();
    const summary = this.querySelector('.fd-chart-summary');
    if (summary) summary.textContent = describeView(this.#view);
    const empty = this.#view.xs.length === 0;
    this.toggleAttribute('data-empty', empty);
    this.#plotView(empty);
  }

  #plotView(empty: boolean): void {
    const host = this.querySelector<HTMLElement>('.fd-chart-plot');
    const Plot = this.#uPlot;
    if (!host || !Plot) return;
    if (empty) {
      this.#plot?.destroy();
      this.#plot = null;
      this.#built = '';
      return;
    }
    const key = `${document.documentElement.dataset['theme'] ?? ''}\n${this.#view.topics.join('\n')}`;
    if (this.#plot && key === this.#built) {
      this.#plot.setData(plotData(this.#view));
      return;
    }
    this.#plot?.destroy();
    this.#built = key;
    const options = chartOptions({
      topics: this.#view.topics,
      width: this.#width(host),
      height: PLOT_HEIGHT,
      palette: this.#palette(),
      view: () => this.#view,
      ticks: this.ticks,
    });
    // A tap's compatibility mouse events end with a mouseleave, which would wipe the readout the tap just asked for.
    options.cursor = {
      ...options.cursor,
      bind: { mouseleave: (_u, _target, handler) => (event) => (this.#touch ? null : handler(event)) },
    };
    const plot = new Plot(options, plotData(this.#view), host);
    this.#plot = plot;
    // uPlot follows the mouse only; a tap (or a pen) puts the cursor where it landed, so a phone gets the readout too.
    const follow = (event: PointerEvent): void => {
      this.#touch = event.pointerType !== 'mouse';
      if (!this.#touch) return;
      const box = plot.over.getBoundingClientRect();
      plot.setCursor({ left: event.clientX - box.left, top: event.clientY - box.top });
    };
    plot.over.addEventListener('pointerdown', follow);
    plot.over.addEventListener('pointermove', follow);
  }

  #width(host: HTMLElement): number {
    return Math.max(200, Math.floor(host.clientWidth));
  }

  #resize(): void {
    const host = this.querySelector<HTMLElement>('.fd-chart-plot');
    if (!host || !this.#plot) return;
    const width = this.#width(host);
    if (width !== this.#plot.width) this.#plot.setSize({ width, height: PLOT_HEIGHT });
  }

  #palette(): Palette {
    const style = getComputedStyle(this);
    const read = (name: string): string => style.getPropertyValue(name).trim();
    return {
      series: [read('--fd-chart-1'), read('--fd-chart-2'), read('--fd-chart-3'), read('--fd-chart-4')],
      axis: read('--fd-chart-axis'),
      grid: read('--fd-chart-grid'),
      fontFamily: style.fontFamily,
    };
  }

  #table(): void {
    // uPlot's legend is a table too: name this one, never "the first tbody".
    const body = this.querySelector('.fd-chart-latest tbody');
    if (!body) return;
    const rows = latest(this.#store);
    if (rows.length === 0) {
      const row = document.createElement('tr');
      row.className = 'empty';
      const cell = Object.assign(document.createElement('td'), { colSpan: 4, textContent: 'Nothing yet: run the code above and its ticks appear here.' });
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(
      ...rows.map((r) => {
        const row = document.createElement('tr');
        const head = Object.assign(document.createElement('th'), { scope: 'row', textContent: r.topic });
        const cells = [formatPrice(r.value), formatChange(r.change), clockTime(r.ts)];
        row.append(head, ...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
        return row;
      }),
    );
  }
}

defineElement('fd-live-chart', LiveChartElement);
