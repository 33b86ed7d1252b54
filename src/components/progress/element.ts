import { trackProgress } from '../../runtime/progress/page.ts';
import { PROGRESS_EVENTS, ProgressStore } from '../../runtime/progress/store.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-progress>: fills in ProgressBar.astro's bar and count from the progress
 * kept in this browser, and wires its "Reset progress" button.
 */
class ProgressElement extends HTMLElement {
  connectedCallback(): void {
    const lessons = JSON.parse(this.dataset['lessons'] ?? '[]') as string[];
    const base = this.dataset['base'] ?? '/';
    const store = new ProgressStore(localStorage);
    trackProgress({ store, lessons, base });
    this.querySelector('[data-progress-reset]')?.addEventListener('click', () => {
      if (!confirm('Reset your progress? Visited lessons, passed exercises and quiz results on this device are forgotten.')) return;
      store.reset();
      // Everything that shows progress (bars, marks, playgrounds' passed checks) re-reads the store.
      document.dispatchEvent(new CustomEvent(PROGRESS_EVENTS.changed));
    });
  }
}

defineElement('fd-progress', ProgressElement);
