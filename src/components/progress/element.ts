import { PAGE_EVENTS } from '../../runtime/events.ts';
import { trackProgress } from '../../runtime/progress/page.ts';
import { ProgressStore } from '../../runtime/progress/store.ts';
import { browserStorage } from '../../runtime/storage.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-progress>: fills in ProgressBar.astro's bar and count from the progress
 * kept in this browser, and wires its "Reset progress" button.
 */
class ProgressElement extends HTMLElement {
  connectedCallback(): void {
    const lessons = JSON.parse(this.dataset['lessons'] ?? '[]') as string[];
    const base = this.dataset['base'] ?? '/';
    const storage = browserStorage();
    if (!storage) {
      // Storage blocked outright: nothing was or can be recorded, so the bar keeps its "0 of N" and there is nothing to reset.
      this.querySelector<HTMLElement>('[data-progress-reset]')?.setAttribute('hidden', '');
      return;
    }
    const store = new ProgressStore(storage);
    trackProgress({ store, lessons, base });
    this.querySelector('[data-progress-reset]')?.addEventListener('click', () => {
      if (!confirm('Reset your progress? Visited lessons, passed exercises and quiz results on this device are forgotten.')) return;
      store.reset();
      // Everything that shows progress (bars, marks, playgrounds' passed checks) re-reads the store.
      document.dispatchEvent(new CustomEvent(PAGE_EVENTS.progressChanged));
    });
  }
}

defineElement('fd-progress', ProgressElement);
