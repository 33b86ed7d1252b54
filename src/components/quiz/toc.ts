/**
 * A <Quiz> is a section of its page with its own level-2 heading, but the
 * heading is rendered by a component, so Starlight's table of contents (built
 * from the page's Markdown headings) did not list it. While a learner worked
 * through a knowledge check, "On this page" kept naming the section before it.
 * These pure functions find the quizzes in a page's source and put their
 * headings into the table of contents where they stand; route-data.ts applies
 * them to every page.
 */
export interface TocEntry {
  depth: number;
  slug: string;
  text: string;
  children: TocEntry[];
}

/** The id of a quiz's root element; its heading's id adds `-title`. */
export function quizDomId(quizId: string): string {
  return `quiz-${quizId.replace(/[^a-z0-9]+/gi, '-')}`;
}

export function quizHeadingId(quizId: string): string {
  return `${quizDomId(quizId)}-title`;
}

export interface QuizPlacement {
  quizId: string;
  /** Level-2 Markdown headings above the quiz in the page. */
  headingsBefore: number;
}

const QUIZ_TAG = /^\s*<Quiz\b([^>]*)\/?>/;
const QUIZ_ID = /\bid="([^"]+)"/;
const FENCE = /^\s*(```|~~~)/;

/** Quizzes with the default level-2 heading in an MDX body, in page order (code blocks are skipped). */
export function quizPlacements(body: string): QuizPlacement[] {
  const found: QuizPlacement[] = [];
  let headings = 0;
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const opening = FENCE.exec(line)?.[1];
    if (opening) {
      if (fence === null) fence = opening;
      else if (fence === opening) fence = null;
      continue;
    }
    if (fence !== null) continue;
    if (/^## /.test(line)) headings++;
    const tag = QUIZ_TAG.exec(line);
    const quizId = tag?.[1] !== undefined ? QUIZ_ID.exec(tag[1])?.[1] : undefined;
    // A quiz with level={3} sits inside the section above it, which already names it rightly.
    if (quizId && !/\blevel=/.test(tag?.[1] ?? '')) found.push({ quizId, headingsBefore: headings });
  }
  return found;
}

/** The table of contents with one level-2 entry per placed quiz, after the headings above it. */
export function withQuizzes(items: readonly TocEntry[], placements: readonly QuizPlacement[], titles: ReadonlyMap<string, string>): TocEntry[] {
  // Starlight puts the page title ("Overview", slug _top) first; it is not a heading of the body.
  const top = items[0]?.slug === '_top' ? 1 : 0;
  const out = [...items];
  let inserted = 0;
  for (const placement of placements) {
    const title = titles.get(placement.quizId);
    if (title === undefined) continue;
    const at = Math.min(out.length, top + placement.headingsBefore + inserted);
    out.splice(at, 0, { depth: 2, slug: quizHeadingId(placement.quizId), text: title, children: [] });
    inserted++;
  }
  return out;
}
