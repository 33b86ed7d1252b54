// @ts-check
import { existsSync } from 'node:fs';
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import starlightLinksValidator from 'starlight-links-validator';
import { outline } from './src/course.ts';
import { precompress } from './scripts/precompress.ts';
import { monacoStylesAtRuntime } from './scripts/monaco-styles.ts';

const written = (/** @type {string} */ slug) =>
  ['md', 'mdx'].some((ext) => existsSync(new URL(`./src/content/docs/${slug}.${ext}`, import.meta.url)));

/** The sidebar follows the course outline; unwritten lessons stay out of it. */
const sidebar = [
  ...outline
    .map((part) => ({
      label: part.title,
      items: part.lessons.filter((lesson) => written(lesson.slug)).map((lesson) => lesson.slug),
    })),
  { label: 'Final quiz', items: ['quiz'].filter(written) },
  {
    label: 'Reference',
    items: ['references', 'reference/server', 'guides/authoring'].filter(written),
  },
].filter((group) => group.items.length > 0);

export default defineConfig({
  site: 'http://localhost:8080',
  // Monaco's CSS arrives with the lazily loaded editor, never as site-wide <link>s.
  vite: { plugins: [monacoStylesAtRuntime()] },
  trailingSlash: 'always',
  integrations: [
    starlight({
      title: 'Full Duplex',
      description: 'An interactive course on WebSockets and real-time communication, with a live frame-by-frame view.',
      sidebar,
      customCss: ['./src/styles/theme.css'],
      components: {
        Search: './src/components/Search.astro',
        Sidebar: './src/components/Sidebar.astro',
        // The home page's splash layout has no sidebar: this adds the phone menu (navigation, theme) it lacked.
        PageFrame: './src/components/PageFrame.astro',
        // Each lesson's "To finish this page" checklist sits under its title.
        PageTitle: './src/components/PageTitle.astro',
      },
      // Knowledge checks are sections with their own heading: list them in "On this page" too.
      routeMiddleware: './src/route-data.ts',
      // Wrapped lines keep every code sample readable at 375 px without sideways scrolling.
      expressiveCode: { defaultProps: { wrap: true } },
      plugins: [starlightLinksValidator({ errorOnFallbackPages: false, errorOnInvalidHashes: true })],
      lastUpdated: false,
      pagefind: true,
    }),
    precompress(),
  ],
});
