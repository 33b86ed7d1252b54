import { z } from 'zod';

/**
 * A lesson as the course outline names it: `lessons/<slug>` or `projects/<slug>`.
 * The quiz engine cannot import the outline (src/ imports quiz/, not the other
 * way round), so the loader passes the known slugs in and the parser checks them.
 */
export const LessonSlugSchema = z
  .string()
  .regex(/^(lessons|projects)\/[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lesson slug such as lessons/echo-server')
  .describe('A lesson slug as in src/course.ts, e.g. `lessons/echo-server`.');

/** The YAML front matter of a quiz file. Unknown keys are an error, so typos never pass silently. */
export const FrontMatterSchema = z
  .strictObject({
    title: z.string().trim().min(1).describe('Heading shown above the quiz, e.g. "Check: the handshake".'),
    lessons: z
      .array(LessonSlugSchema)
      .min(1)
      .describe('Lessons this quiz checks. The first is the default "Review" target of every question.'),
    shuffle: z
      .boolean()
      .default(false)
      .describe('Shuffle question and answer order per learner (seeded, stable across reloads).'),
  })
  .describe('Front matter of a quiz file in quiz/.');

export type FrontMatter = z.infer<typeof FrontMatterSchema>;

export const QuestionKindSchema = z
  .enum(['single', 'multiple', 'true-false'])
  .describe('single: `1. [x]` list, exactly one correct; multiple: `- [x]` list; true-false: a single choice of True/False.');

export const AnswerSchema = z
  .strictObject({
    id: z.string().describe('Stable within the question: a1, a2, … in file order.'),
    text: z.string().describe('Plain text of the answer (accessible name of its input).'),
    html: z.string().describe('The answer rendered as inline HTML.'),
    correct: z.boolean().describe('Whether the author ticked it: `[x]`.'),
    feedback: z.string().nullable().describe('HTML shown when the learner picked this answer, from a nested `>` blockquote.'),
  })
  .describe('One answer option.');

export const QuestionSchema = z
  .strictObject({
    id: z.string().describe('Stable within the quiz: q1, q2, … in file order.'),
    line: z.number().int().positive().describe('Line of the question heading in the quiz file.'),
    kind: QuestionKindSchema,
    text: z.string().describe('Plain text of the question heading.'),
    html: z.string().describe('The question heading rendered as inline HTML.'),
    body: z.string().describe('HTML of paragraphs or code between the heading and the answers (may be empty).'),
    hint: z.string().nullable().describe('HTML of the `>` blockquote before the answers, if any.'),
    answers: z.array(AnswerSchema).min(2).describe('Answer options in file order.'),
    explanation: z.string().describe('HTML of the `> Explanation:` blockquote after the answers, prefix removed.'),
    lesson: LessonSlugSchema.describe('The lesson that teaches this question (its "Review" link).'),
  })
  .describe('One question.');

export const QuizSchema = z
  .strictObject({
    id: z.string().describe('Path of the file under quiz/ without `.md`, e.g. `final` or `lessons/echo-server`.'),
    file: z.string().describe('The file as given to the parser, for messages.'),
    title: FrontMatterSchema.shape.title,
    lessons: FrontMatterSchema.shape.lessons,
    shuffle: z.boolean().describe('Shuffle question and answer order per learner.'),
    version: z.string().describe('Digest of the questions; saved answers from another version are dropped.'),
    questions: z.array(QuestionSchema).min(1).describe('Questions in file order.'),
  })
  .describe('A parsed, validated quiz.');

export type Answer = z.infer<typeof AnswerSchema>;
export type Question = z.infer<typeof QuestionSchema>;
export type QuestionKind = z.infer<typeof QuestionKindSchema>;
export type Quiz = z.infer<typeof QuizSchema>;
