import { isCorrect, scoreQuiz, type GradableQuestion } from '../../../quiz/engine/grade.ts';
import { quizOrder } from '../../../quiz/engine/shuffle.ts';
import {
  loadSaved,
  save,
  type QuizEventDetail,
  type SavedQuiz,
} from '../../runtime/progress/quiz.ts';
import { PAGE_EVENTS } from '../../runtime/events.ts';
import { browserStorage } from '../../runtime/storage.ts';
import { defineElement } from '../define.ts';

/**
 * <fd-quiz>: brings a build-time rendered quiz (Quiz.astro) to life. The
 * markup already holds every question; this element only reads the learner's
 * choices, grades them with the engine's pure functions, reveals what the
 * markup keeps hidden, and saves the attempt in localStorage.
 */
export interface QuizClientData {
  id: string;
  version: string;
  shuffle: boolean;
  lessons: string[];
  questions: GradableQuestion[];
}

/** The progress line under a quiz being taken. */
export function answeredText(answered: number, total: number): string {
  return `Answered ${answered} of ${total}`;
}

/**
 * A checked question's note: its answer stays as checked until Retry, which the summary shows once
 * every question is answered (`complete`).
 */
export function lockedText(complete: boolean): string {
  return complete
    ? 'Your answer is locked. To try again, press Retry at the end of the quiz.'
    : 'Your answer is locked. To try again, answer the rest of the questions, then press Retry at the end of the quiz.';
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}

class FdQuiz extends HTMLElement {
  #data: QuizClientData | null = null;
  #state: SavedQuiz | null = null;

  connectedCallback(): void {
    if (this.#data) return;
    const script = this.querySelector('script.fd-quiz-data');
    if (!script?.textContent) return;
    const data = JSON.parse(script.textContent) as QuizClientData;
    this.#data = data;
    const store = browserStorage();
    this.#state = (store && loadSaved(store, data.id, data.version)) ?? {
      version: data.version,
      seed: randomSeed(),
      answers: {},
      best: null,
      total: data.questions.length,
    };
    this.#arrange();
    for (const question of data.questions) {
      const block = this.#block(question.id);
      const button = block?.querySelector<HTMLButtonElement>('button.fd-check');
      button?.addEventListener('click', () => this.#check(question));
      block?.querySelector('.fd-actions')?.removeAttribute('hidden');
      const saved = this.#state.answers[question.id];
      if (saved) this.#show(question, saved, false);
      block?.addEventListener('change', () => this.#note(question.id, ''));
      // A locked option takes no click, and says why (Quiz.astro lets a click on a disabled box through to its label).
      block?.querySelector('.fd-answers')?.addEventListener('click', (event) => {
        if ((event.target as Element).closest('li')?.querySelector('input')?.disabled) this.#lockedNote(question.id, true);
      });
    }
    this.querySelector('button.fd-retry')?.addEventListener('click', () => this.#retry());
    this.#summary(false);
    this.#count();
  }

  /** "Answered 3 of 21": how far through the quiz the learner is, updated on every check. */
  #count(): void {
    const data = this.#data;
    const state = this.#state;
    const count = this.querySelector<HTMLElement>('.fd-quiz-count');
    if (!data || !state || !count) return;
    const answered = data.questions.filter((q) => state.answers[q.id]).length;
    count.textContent = answeredText(answered, data.questions.length);
    count.removeAttribute('hidden');
  }

  #block(questionId: string): HTMLElement | null {
    return this.querySelector<HTMLElement>(`.fd-question[data-question="${questionId}"]`);
  }

  /** Puts questions and answers in this learner's order and renumbers them. */
  #arrange(): void {
    const data = this.#data;
    const state = this.#state;
    if (!data || !state) return;
    const order = quizOrder(data.questions, data.shuffle, state.seed);
    const container = this.querySelector('.fd-quiz-questions');
    order.questions.forEach((questionId, index) => {
      const block = this.#block(questionId);
      if (!block || !container) return;
      container.append(block);
      const number = block.querySelector('.fd-question-number');
      if (number) number.textContent = `Question ${index + 1} of ${order.questions.length}:`;
      const list = block.querySelector('.fd-answers');
      for (const answerId of order.answers[questionId] ?? []) {
        const item = list?.querySelector(`li[data-answer="${answerId}"]`);
        if (item) list?.append(item);
      }
    });
  }

  #selected(questionId: string): string[] {
    const inputs = this.#block(questionId)?.querySelectorAll<HTMLInputElement>('input') ?? [];
    return [...inputs].filter((input) => input.checked).map((input) => input.value);
  }

  /**
   * Sets the question's live region (role="alert"). `announce` empties it first and fills it on the
   * next frame, so the same words are spoken again; a page that loads with words there just shows them.
   */
  #note(questionId: string, text: string, announce = false): void {
    const note = this.#block(questionId)?.querySelector('.fd-check-note');
    if (!note) return;
    if (!announce) {
      note.textContent = text;
      return;
    }
    note.textContent = '';
    requestAnimationFrame(() => (note.textContent = text));
  }

  /** Says that a checked question is locked until Retry (in words that follow whether Retry is there yet). */
  #lockedNote(questionId: string, announce: boolean): void {
    const data = this.#data;
    const state = this.#state;
    if (!data || !state || !state.answers[questionId]) return;
    this.#note(questionId, lockedText(data.questions.every((q) => state.answers[q.id])), announce);
  }

  #check(question: GradableQuestion): void {
    const data = this.#data;
    const state = this.#state;
    if (!data || !state) return;
    const selected = this.#selected(question.id);
    if (selected.length === 0) {
      this.#note(question.id, question.kind === 'multiple' ? 'Choose at least one answer first.' : 'Choose an answer first.');
      return;
    }
    state.answers[question.id] = selected;
    const complete = data.questions.every((q) => state.answers[q.id]);
    const score = scoreQuiz(data.questions, state.answers);
    if (complete) state.best = Math.max(state.best ?? 0, score.correct);
    this.#persist();
    this.#show(question, selected, true);
    // Retry is there now: the other wrong answers' notes say to press it (quietly: they were heard before).
    if (complete) {
      for (const q of data.questions) {
        const note = this.#block(q.id)?.querySelector('.fd-check-note');
        if (q !== question && note?.textContent) this.#lockedNote(q.id, false);
      }
    }
    this.#count();
    this.#emit(PAGE_EVENTS.quizAnswered, question.id, isCorrect(question, selected));
    if (complete) {
      this.#summary(true);
      this.#emit(PAGE_EVENTS.quizCompleted, null, null);
    }
  }

  /** Marks a checked question: locked inputs, right/wrong in words, explanation, review link, and (wrong) the note that it is locked. */
  #show(question: GradableQuestion, selected: readonly string[], focus: boolean): void {
    const block = this.#block(question.id);
    if (!block) return;
    const right = isCorrect(question, selected);
    for (const answer of question.answers) {
      const item = block.querySelector<HTMLElement>(`li[data-answer="${answer.id}"]`);
      const input = item?.querySelector('input');
      if (!item || !input) continue;
      const chosen = selected.includes(answer.id);
      input.checked = chosen;
      input.disabled = true;
      const mark = item.querySelector('.fd-mark');
      let text = '';
      if (chosen && answer.correct) text = '✓ your answer, correct';
      else if (chosen) text = '✗ your answer, wrong';
      else if (answer.correct) text = question.kind === 'multiple' ? '(also correct)' : '(the correct answer)';
      if (mark) mark.textContent = text;
      item.dataset['mark'] = chosen ? (answer.correct ? 'right' : 'wrong') : answer.correct ? 'missed' : '';
      item.querySelector('.fd-feedback')?.toggleAttribute('hidden', !chosen);
    }
    block.querySelector('.fd-actions')?.setAttribute('hidden', '');
    const result = block.querySelector<HTMLElement>('.fd-result');
    if (!result) return;
    result.dataset['verdict'] = right ? 'right' : 'wrong';
    const verdict = result.querySelector('.fd-verdict');
    if (verdict) verdict.textContent = right ? '✓ Correct.' : '✗ Not quite.';
    result.querySelector('.fd-review')?.toggleAttribute('hidden', right);
    result.removeAttribute('hidden');
    // The check button just disappeared; the result is where the learner reads on.
    if (focus) result.focus();
    // A wrong answer cannot be changed here: the note says so, and what to do instead.
    if (right) this.#note(question.id, '');
    else this.#lockedNote(question.id, focus);
  }

  #summary(announce: boolean): void {
    const data = this.#data;
    const state = this.#state;
    const summary = this.querySelector<HTMLElement>('.fd-summary');
    if (!data || !state || !summary) return;
    const complete = data.questions.every((q) => state.answers[q.id]);
    summary.toggleAttribute('hidden', !complete);
    const scoreText = this.querySelector('.fd-score');
    const bestText = this.querySelector('.fd-best');
    if (!scoreText || !bestText) return;
    if (!complete) {
      scoreText.textContent = '';
      return;
    }
    const { correct, total } = scoreQuiz(data.questions, state.answers);
    const message = `Your score: ${correct} of ${total}.${correct === total ? ' Full marks!' : ''}`;
    // A live region announces changes only; on reload the text is just there.
    scoreText.textContent = announce ? '' : message;
    if (announce) requestAnimationFrame(() => (scoreText.textContent = message));
    bestText.textContent = `Best score: ${state.best ?? correct} of ${total}.`;
  }

  #retry(): void {
    const data = this.#data;
    const state = this.#state;
    if (!data || !state) return;
    state.answers = {};
    state.seed = randomSeed();
    this.#persist();
    for (const block of this.querySelectorAll<HTMLElement>('.fd-question')) {
      for (const input of block.querySelectorAll('input')) {
        input.checked = false;
        input.disabled = false;
      }
      for (const item of block.querySelectorAll<HTMLElement>('li[data-answer]')) delete item.dataset['mark'];
      for (const mark of block.querySelectorAll('.fd-mark')) mark.textContent = '';
      for (const feedback of block.querySelectorAll('.fd-feedback')) feedback.setAttribute('hidden', '');
      block.querySelector('.fd-result')?.setAttribute('hidden', '');
      block.querySelector('.fd-actions')?.removeAttribute('hidden');
      const note = block.querySelector('.fd-check-note');
      if (note) note.textContent = '';
    }
    this.#arrange();
    this.#summary(false);
    this.#count();
    this.querySelector<HTMLInputElement>('.fd-question input')?.focus();
  }

  #persist(): void {
    const store = browserStorage();
    if (store && this.#data && this.#state) save(store, this.#data.id, this.#state);
  }

  #emit(type: string, question: string | null, correct: boolean | null): void {
    const data = this.#data;
    const state = this.#state;
    if (!data || !state) return;
    const detail: QuizEventDetail = {
      quiz: data.id,
      lessons: data.lessons,
      question,
      correct,
      answered: Object.keys(state.answers).length,
      score: scoreQuiz(data.questions, state.answers).correct,
      total: data.questions.length,
      best: state.best,
    };
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

defineElement('fd-quiz', FdQuiz);
