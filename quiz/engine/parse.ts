import type { Blockquote, Heading, List, ListItem, Paragraph, PhrasingContent, Root, RootContent } from 'mdast';
import { toHtml } from 'hast-util-to-html';
import { toHast } from 'mdast-util-to-hast';
import { toString } from 'mdast-util-to-string';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { QuizError, type QuizErrorCode } from './errors.ts';
import { FrontMatterSchema, type Answer, type FrontMatter, type Question, type Quiz } from './schema.ts';

/**
 * Quiz files are quizdown-compatible markdown (see the authoring guide,
 * src/content/docs/guides/authoring.mdx). remark builds the tree; this module
 * only walks it, so CommonMark and GFM edge cases are remark's business.
 */
const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);

export interface ParseOptions {
  /** The quiz id (path under quiz/ without `.md`). Defaults to the file name without `.md`. */
  id?: string;
  /** Lesson slugs that exist in the course outline; when given, others are rejected. */
  knownLessons?: ReadonlySet<string>;
}

interface Place {
  line: number;
  column: number;
}

const EXPLANATION = 'Explanation:';
const LESSON_COMMENT = /^<!--\s*lesson:\s*(\S+)\s*-->$/;

function placeOf(node: { position?: { start: { line: number; column: number } } | undefined }): Place {
  return { line: node.position?.start.line ?? 1, column: node.position?.start.column ?? 1 };
}

/** Parses and validates one quiz file; throws the first QuizError in document order. */
export function parseQuiz(source: string, file: string, options: ParseOptions = {}): Quiz {
  const fail = (code: QuizErrorCode, at: Place, detail: string): never => {
    throw new QuizError(code, file, at.line, at.column, detail);
  };
  const tree: Root = processor.parse(source);
  const [head, ...rest] = tree.children;
  if (head?.type !== 'yaml') {
    return fail('bad-front-matter', head ? placeOf(head) : { line: 1, column: 1 }, 'a quiz starts with front matter between --- lines (title, lessons, shuffle)');
  }
  const meta = parseFrontMatter(head.value, placeOf(head).line, fail, options.knownLessons);

  const sections: { heading: Heading; nodes: RootContent[] }[] = [];
  for (const node of rest) {
    if (node.type === 'heading') sections.push({ heading: node, nodes: [] });
    else if (sections.length > 0) sections.at(-1)?.nodes.push(node);
    else if (!isComment(node)) fail('stray-content', placeOf(node), 'content before the first question: every question starts with a heading such as "## What does the server answer?"');
  }
  if (sections.length === 0) fail('no-questions', { line: placeOf(head).line, column: 1 }, 'the quiz has no questions: start each one with a heading');

  const questions = sections.map((section, index) => parseQuestion(section.heading, section.nodes, index, meta, fail));
  const id = options.id ?? file.replace(/^.*\//, '').replace(/\.md$/, '');
  return {
    id,
    file,
    title: meta.title,
    lessons: meta.lessons,
    shuffle: meta.shuffle,
    version: digest(JSON.stringify(questions.map(({ line: _line, ...question }) => question))),
    questions,
  };
}

type Fail = (code: QuizErrorCode, at: Place, detail: string) => never;

function parseFrontMatter(text: string, fenceLine: number, fail: Fail, knownLessons?: ReadonlySet<string>): FrontMatter {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  // The YAML text starts on the line after the opening ---.
  const at = (offset: number | undefined): Place => {
    if (offset === undefined) return { line: fenceLine, column: 1 };
    const pos = lineCounter.linePos(offset);
    return { line: fenceLine + pos.line, column: pos.col };
  };
  const yamlError = doc.errors[0];
  if (yamlError) fail('bad-front-matter', at(yamlError.pos[0]), `front matter is not valid YAML: ${yamlError.message.split('\n')[0] ?? ''}`);
  const result = FrontMatterSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      fail('unknown-front-matter-key', at(keyNode(doc, key)?.range?.[0]), `unknown front-matter key "${key}": allowed keys are title, lessons, shuffle`);
    }
    const path = issue?.path ?? [];
    const node = path.length > 0 ? (doc.getIn(path, true) as YamlNode | undefined) ?? keyNode(doc, String(path[0])) : undefined;
    const where = path.length > 0 ? `"${path.join('.')}"` : 'front matter';
    fail('bad-front-matter', at(node?.range?.[0]), `${where}: ${issue?.message ?? 'invalid'}`);
  }
  const meta = (result as { data: FrontMatter }).data;
  if (knownLessons) {
    meta.lessons.forEach((lesson, index) => {
      if (!knownLessons.has(lesson)) {
        const node = doc.getIn(['lessons', index], true) as YamlNode | undefined;
        fail('unknown-lesson', at(node?.range?.[0]), `"${lesson}" is not a lesson in src/course.ts`);
      }
    });
  }
  return meta;
}

function keyNode(doc: Document, key: string): YamlNode | undefined {
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((item) => isScalar(item.key) && item.key.value === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function isComment(node: RootContent): boolean {
  return node.type === 'html' && node.value.trim().startsWith('<!--');
}

function parseQuestion(heading: Heading, nodes: RootContent[], index: number, meta: FrontMatter, fail: Fail): Question {
  const text = toString(heading).trim();
  const headingAt = placeOf(heading);
  if (text === '') fail('empty-question', headingAt, 'the question heading is empty');

  const body: RootContent[] = [];
  let hint: Blockquote | undefined;
  let list: List | undefined;
  let explanation: Blockquote | undefined;
  let lesson: string | undefined;
  let misplaced: Blockquote | undefined;

  for (const node of nodes) {
    if (node.type === 'html') {
      const match = LESSON_COMMENT.exec(node.value.trim());
      if (match) {
        const slug = match[1] ?? '';
        if (lesson !== undefined) fail('duplicate-lesson', placeOf(node), 'a question names its lesson once');
        if (!meta.lessons.includes(slug)) fail('unknown-lesson', placeOf(node), `"${slug}" is not listed under lessons in the front matter`);
        lesson = slug;
      } else if (!isComment(node)) {
        fail('unexpected-content', placeOf(node), 'raw HTML is not allowed in a quiz');
      }
      continue;
    }
    if (!list) {
      if (node.type === 'blockquote') {
        if (startsWithExplanation(node)) {
          misplaced ??= node;
          continue;
        }
        if (hint) fail('duplicate-hint', placeOf(node), 'a question has at most one hint blockquote before its answers');
        hint = node;
      } else if (node.type === 'list') {
        list = node;
      } else {
        body.push(node);
      }
      continue;
    }
    if (node.type === 'blockquote' && startsWithExplanation(node)) {
      if (explanation) fail('duplicate-explanation', placeOf(node), 'a question has one "> Explanation:" blockquote');
      explanation = node;
    } else if (node.type === 'list') {
      fail('several-answer-lists', placeOf(node), 'a question has one list of answers; put all answers in it');
    } else {
      fail('unexpected-content', placeOf(node), 'after the answers only a "> Explanation: …" blockquote may follow');
    }
  }

  if (!list) return fail('no-answers', headingAt, `question "${text}" has no answers: add a task list (- [x] / - [ ] or 1. [x] / 1. [ ])`);
  if (misplaced) fail('misplaced-explanation', placeOf(misplaced), 'the "> Explanation:" blockquote goes after the answers');
  const answers = list.children.map((item, j) => parseAnswer(item, j, fail));
  if (answers.length < 2) fail('too-few-answers', placeOf(list), 'a question needs at least two answers');
  const seen = new Set<string>();
  list.children.forEach((item, j) => {
    const answerText = answers[j]?.text ?? '';
    if (seen.has(answerText)) fail('duplicate-answer', placeOf(item), `the answer "${answerText}" appears twice`);
    seen.add(answerText);
  });
  const correct = list.children.filter((item) => item.checked === true);
  if (correct.length === 0) fail('no-correct-answer', placeOf(list), `question "${text}" has no correct answer: mark one with [x]`);
  const single = list.ordered === true;
  if (single && correct.length > 1) {
    fail('several-correct', placeOf(correct[1] as ListItem), `single-choice question "${text}" has ${correct.length} correct answers; use a "- [x]" list for multiple choice`);
  }
  if (!explanation) return fail('missing-explanation', headingAt, `question "${text}" has no explanation: add "> Explanation: …" after the answers`);
  const explanationHtml = blockHtml(stripExplanation(explanation).children);
  if (explanationHtml.trim() === '') fail('missing-explanation', placeOf(explanation), 'the explanation is empty');

  const isTrueFalse =
    single && answers.length === 2 && answers.map((a) => a.text.toLowerCase()).sort().join() === 'false,true';
  return {
    id: `q${index + 1}`,
    line: headingAt.line,
    kind: isTrueFalse ? 'true-false' : single ? 'single' : 'multiple',
    text,
    html: inlineHtml(heading.children),
    body: blockHtml(body),
    hint: hint ? blockHtml(hint.children) : null,
    answers,
    explanation: explanationHtml,
    lesson: lesson ?? meta.lessons[0] ?? '',
  };
}

function parseAnswer(item: ListItem, index: number, fail: Fail): Answer {
  if (item.checked !== true && item.checked !== false) {
    fail('not-a-task-item', placeOf(item), 'every answer is a task item: "[x] right answer" or "[ ] wrong answer"');
  }
  const [label, ...more] = item.children;
  if (label?.type !== 'paragraph' || toString(label).trim() === '') {
    return fail('empty-answer', placeOf(item), 'the answer has no text');
  }
  let feedback: Blockquote | undefined;
  for (const node of more) {
    if (node.type === 'blockquote' && !feedback) feedback = node;
    else fail('unexpected-content', placeOf(node), 'under an answer only one "> feedback" blockquote may follow');
  }
  return {
    id: `a${index + 1}`,
    text: toString(label).trim(),
    html: inlineHtml(label.children),
    correct: item.checked === true,
    feedback: feedback ? blockHtml(feedback.children) : null,
  };
}

function firstText(quote: Blockquote): PhrasingContent | undefined {
  const first = quote.children[0];
  return first?.type === 'paragraph' ? first.children[0] : undefined;
}

function startsWithExplanation(quote: Blockquote): boolean {
  const first = firstText(quote);
  if (first?.type === 'text') return first.value.startsWith(EXPLANATION);
  // **Explanation:** written in bold is accepted too.
  return first?.type === 'strong' && toString(first).trim() === EXPLANATION;
}

/** A copy of the explanation blockquote without its "Explanation:" label. */
function stripExplanation(quote: Blockquote): Blockquote {
  const copy = structuredClone(quote);
  const paragraph = copy.children[0] as Paragraph;
  const first = paragraph.children[0];
  if (first?.type === 'text') {
    first.value = first.value.slice(EXPLANATION.length).trimStart();
    if (first.value === '') paragraph.children.shift();
  } else {
    paragraph.children.shift();
  }
  const next = paragraph.children[0];
  if (next?.type === 'text') next.value = next.value.trimStart();
  if (paragraph.children.length === 0) copy.children.shift();
  return copy;
}

function inlineHtml(children: PhrasingContent[]): string {
  const paragraph = toHast({ type: 'paragraph', children });
  return paragraph.type === 'element' ? toHtml(paragraph.children) : '';
}

function blockHtml(children: RootContent[]): string {
  return toHtml(toHast({ type: 'root', children }));
}

/** FNV-1a over the UTF-16 code units: a cheap, stable digest for cache invalidation (not security). */
export function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
