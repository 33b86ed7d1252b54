import { defineRouteMiddleware } from '@astrojs/starlight/route-data';
import { getCollection } from 'astro:content';
import { quizPlacements, withQuizzes } from './components/quiz/toc.ts';

/**
 * Starlight route middleware: each page's table of contents also lists the
 * knowledge check the page embeds (see components/quiz/toc.ts for why).
 */
let titles: Map<string, string> | null = null;

export const onRequest = defineRouteMiddleware(async (context) => {
  const route = context.locals.starlightRoute;
  if (!route.toc) return;
  const placements = quizPlacements(route.entry.body ?? '');
  if (placements.length === 0) return;
  titles ??= new Map((await getCollection('quizzes')).map((quiz) => [quiz.id, quiz.data.title]));
  route.toc.items = withQuizzes(route.toc.items, placements, titles);
});
