import type { Plugin } from 'vite';

/**
 * Build-time Vite plugin for the lazy editor (src/runtime/editor/), used by astro.config.mjs.
 *
 * Monaco's modules import their own stylesheets (`import './x.css'`). Left to
 * Vite and Astro, those become <link rel="stylesheet"> tags on every page of
 * the site (Astro adds the CSS of a script's dynamic chunks to the pages, see
 * withastro/astro#9495), so pages without a playground would fetch Monaco's
 * CSS. This turns each Monaco stylesheet into a module that adds a <style>
 * when it runs, which only happens inside the lazily imported editor chunk.
 * Vite still processes the CSS (?inline), so url(./codicon.ttf) is emitted.
 */
// A virtual module id that does not end in .css, so Vite's CSS pipeline leaves it alone.
const PREFIX = '\0fd-monaco-style:';
const SUFFIX = '.js';

export function monacoStylesAtRuntime(): Plugin {
  return {
    name: 'fd-monaco-styles-at-runtime',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (!importer || !source.endsWith('.css') || !importer.includes('/monaco-editor/')) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      return resolved ? `${PREFIX}${resolved.id}${SUFFIX}` : null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const file = id.slice(PREFIX.length, -SUFFIX.length);
      return [
        `import css from ${JSON.stringify(`${file}?inline`)};`,
        `const style = document.createElement('style');`,
        `style.dataset.monaco = '';`,
        `style.textContent = css;`,
        `document.head.append(style);`,
      ].join('\n');
    },
  };
}
