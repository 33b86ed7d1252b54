/**
 * Seeded shuffling: the same seed always gives the same order, so a learner
 * who reloads sees the quiz as they left it, while another learner (another
 * seed) gets a different order. Pure: no Math.random here.
 */

/** mulberry32: a tiny 32-bit PRNG, plenty for ordering quiz options. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface QuizOrder {
  /** Question ids in display order. */
  questions: string[];
  /** Per question id, answer ids in display order. */
  answers: Record<string, string[]>;
}

interface Orderable {
  id: string;
  kind: string;
  answers: readonly { id: string }[];
}

/**
 * The display order for one seed. With `shuffle` off, or for true/false
 * questions (True before False reads best), file order is kept.
 */
export function quizOrder(questions: readonly Orderable[], shuffle: boolean, seed: number): QuizOrder {
  const random = mulberry32(seed);
  const ids = questions.map((question) => question.id);
  const answers: Record<string, string[]> = {};
  for (const question of questions) {
    const answerIds = question.answers.map((answer) => answer.id);
    answers[question.id] = shuffle && question.kind !== 'true-false' ? shuffled(answerIds, random) : answerIds;
  }
  return { questions: shuffle ? shuffled(ids, random) : ids, answers };
}
