import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQuiz, QUIZ_ERROR_CODES, QuizError, QuizSchema } from '../../../quiz/engine/index.ts';

const fixtures = new URL('../../fixtures/quiz/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const file = (name: string) => `test/fixtures/quiz/${name}`;

describe('parseQuiz: a valid file', () => {
  const quiz = parseQuiz(read('valid.md'), file('valid.md'));

  it('gives the exact structure', () => {
    expect(quiz).toEqual({
      id: 'valid',
      file: 'test/fixtures/quiz/valid.md',
      title: 'Sample check',
      lessons: ['lessons/echo-server', 'lessons/handshake-and-frames'],
      shuffle: true,
      version: quiz.version,
      questions: [
        {
          id: 'q1',
          line: 9,
          kind: 'single',
          text: 'What does the echo server send back for a text frame?',
          html: 'What does the echo server send back for a <em>text</em> frame?',
          body: '<p>The server runs the receive loop from the lesson.</p>',
          hint: '<p>Hint: think of the name.</p>',
          answers: [
            { id: 'a1', text: 'The same text', html: 'The same text', correct: true, feedback: '<p>Right: that is the echo.</p>' },
            { id: 'a2', text: 'A binary frame', html: 'A binary frame', correct: false, feedback: null },
            { id: 'a3', text: 'Nothing', html: 'Nothing', correct: false, feedback: null },
          ],
          explanation: '<p>An echo server answers each text frame with the same text.</p>',
          lesson: 'lessons/echo-server',
        },
        {
          id: 'q2',
          line: 22,
          kind: 'multiple',
          text: 'Which opcodes are control frames?',
          html: 'Which opcodes are control frames?',
          body: '',
          hint: null,
          answers: [
            { id: 'a1', text: '0x1 text', html: '<code>0x1</code> text', correct: false, feedback: null },
            { id: 'a2', text: '0x8 close', html: '<code>0x8</code> close', correct: true, feedback: null },
            { id: 'a3', text: '0x9 ping', html: '<code>0x9</code> ping', correct: true, feedback: null },
            { id: 'a4', text: '0x2 binary', html: '<code>0x2</code> binary', correct: false, feedback: '<p>Binary is a data frame.</p>' },
          ],
          explanation: '<p>Opcodes 0x8 to 0xF are control frames.</p>\n<p>See RFC 6455, section 5.5.</p>',
          lesson: 'lessons/handshake-and-frames',
        },
        {
          id: 'q3',
          line: 36,
          kind: 'true-false',
          text: 'A WebSocket connection is stateless.',
          html: 'A WebSocket connection is stateless.',
          body: '',
          hint: null,
          answers: [
            { id: 'a1', text: 'True', html: 'True', correct: false, feedback: null },
            { id: 'a2', text: 'False', html: 'False', correct: true, feedback: null },
          ],
          explanation: '<p>It is a long-lived, stateful connection.</p>',
          lesson: 'lessons/echo-server',
        },
      ],
    });
  });

  it('satisfies the collection schema and has a stable version digest', () => {
    expect(QuizSchema.parse(quiz)).toEqual(quiz);
    expect(quiz.version).toMatch(/^[0-9a-f]{8}$/);
    expect(parseQuiz(read('valid.md'), 'elsewhere/valid.md').version).toBe(quiz.version);
    const edited = read('valid.md').replace('A binary frame', 'A binary frame, masked');
    expect(parseQuiz(edited, file('valid.md')).version).not.toBe(quiz.version);
  });

  it('takes the id from options, and shuffle defaults to false', () => {
    const source = read('valid.md').replace('shuffle: true\n', '');
    const parsed = parseQuiz(source, file('valid.md'), { id: 'lessons/echo-server' });
    expect(parsed.id).toBe('lessons/echo-server');
    expect(parsed.shuffle).toBe(false);
  });

  it('parses a fenced code block in the question body and keeps blank explanation prefix out', () => {
    const source = [
      '---',
      'title: Code',
      'lessons: [lessons/first-client]',
      '---',
      '',
      '# What does this log?',
      '',
      '```js',
      "ws.onopen = () => ws.send('hi');",
      '```',
      '',
      '- [x] Nothing; it sends',
      '- [ ] hi',
      '',
      '> **Explanation:** `send` does not log.',
    ].join('\n');
    const [question] = parseQuiz(source, 'code.md').questions;
    expect(question?.body).toBe('<pre><code class="language-js">ws.onopen = () => ws.send(\'hi\');\n</code></pre>');
    expect(question?.explanation).toBe('<p><code>send</code> does not log.</p>');
    expect(question?.kind).toBe('multiple');
  });

  it('escapes HTML-looking text instead of passing raw HTML through', () => {
    const source = '---\ntitle: T\nlessons: [lessons/chat]\n---\n# Is `<b>` bold?\n\n1. [x] Yes <script>alert(1)</script>\n1. [ ] No\n\n> Explanation: x\n';
    const [question] = parseQuiz(source, 'x.md').questions;
    expect(question?.html).toBe('Is <code>&#x3C;b></code> bold?');
    expect(question?.answers[0]?.html).toBe('Yes alert(1)');
  });
});

/** Every malformed fixture: its code and the exact place, as file:line:column. */
const malformed: [fixture: string, code: string, line: number, column: number][] = [
  ['bad-front-matter.md', 'bad-front-matter', 3, 30],
  ['bad-front-matter-type.md', 'bad-front-matter', 4, 10],
  ['no-front-matter.md', 'bad-front-matter', 1, 1],
  ['unknown-front-matter-key.md', 'unknown-front-matter-key', 4, 1],
  ['unknown-lesson.md', 'unknown-lesson', 8, 1],
  ['stray-content.md', 'stray-content', 6, 1],
  ['no-questions.md', 'no-questions', 1, 1],
  ['empty-question.md', 'empty-question', 6, 1],
  ['no-answers.md', 'no-answers', 6, 1],
  ['not-a-task-item.md', 'not-a-task-item', 9, 1],
  ['too-few-answers.md', 'too-few-answers', 8, 1],
  ['empty-answer.md', 'empty-answer', 8, 1],
  ['duplicate-answer.md', 'duplicate-answer', 10, 1],
  ['no-correct-answer.md', 'no-correct-answer', 8, 1],
  ['several-correct.md', 'several-correct', 10, 1],
  ['duplicate-hint.md', 'duplicate-hint', 10, 1],
  ['several-answer-lists.md', 'several-answer-lists', 11, 1],
  ['misplaced-explanation.md', 'misplaced-explanation', 8, 1],
  ['missing-explanation.md', 'missing-explanation', 13, 1],
  ['duplicate-explanation.md', 'duplicate-explanation', 13, 1],
  ['duplicate-lesson.md', 'duplicate-lesson', 9, 1],
  ['unexpected-content.md', 'unexpected-content', 13, 1],
];

describe('parseQuiz: malformed files', () => {
  it.each(malformed)('%s → %s at line %i, column %i', (fixture, code, line, column) => {
    const name = `errors/${fixture}`;
    let thrown: unknown;
    try {
      parseQuiz(read(name), file(name));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(QuizError);
    const error = thrown as QuizError;
    expect({ code: error.code, file: error.file, line: error.line, column: error.column }).toEqual({
      code,
      file: file(name),
      line,
      column,
    });
    expect(error.message.startsWith(`${file(name)}:${line}:${column}: `)).toBe(true);
    expect(error.message.endsWith(`[${code}]`)).toBe(true);
  });

  it('has a fixture for every error code, and a fixture file for every row', () => {
    expect(new Set(malformed.map(([, code]) => code))).toEqual(new Set(QUIZ_ERROR_CODES));
    expect(readdirSync(new URL('errors/', fixtures)).sort()).toEqual(malformed.map(([name]) => name).sort());
  });

  it('names the offending question in the message', () => {
    expect(() => parseQuiz(read('errors/no-correct-answer.md'), 'q.md')).toThrow(
      'q.md:8:1: question "What does an echo server do?" has no correct answer: mark one with [x] [no-correct-answer]',
    );
    expect(() => parseQuiz(read('errors/unknown-front-matter-key.md'), 'q.md')).toThrow(
      'q.md:4:1: unknown front-matter key "shuffel": allowed keys are title, lessons, shuffle [unknown-front-matter-key]',
    );
  });

  it('rejects front-matter lessons missing from the outline when the outline is given', () => {
    const known = new Set(['lessons/handshake-and-frames']);
    expect(() => parseQuiz(read('valid.md'), 'v.md', { knownLessons: known })).toThrow(
      'v.md:4:5: "lessons/echo-server" is not a lesson in src/course.ts [unknown-lesson]',
    );
  });

  it('rejects a malformed lesson slug in the front matter at its line', () => {
    const source = '---\ntitle: T\nlessons:\n  - Echo Server\n---\n# Q\n\n1. [x] a\n1. [ ] b\n\n> Explanation: e\n';
    expect(() => parseQuiz(source, 's.md')).toThrow('s.md:4:5: "lessons.0": expected a lesson slug such as lessons/echo-server [bad-front-matter]');
  });
});
