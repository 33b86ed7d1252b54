import { dirname, relative, resolve, sep } from 'node:path';

/**
 * An ESLint rule that holds every import to the README's folder map. The map
 * itself (which folder may import which) is passed as the rule's option from
 * eslint.config.js; this file only applies it.
 *
 * A relative import is resolved to a path in the repository, so
 * `../../../server/labs/check.ts` from src/runtime/lab/ is server/labs/, and
 * `./labs/api.ts` from server/ is server/labs/ too: path patterns on the
 * import text alone cannot tell those apart. Package imports are checked only
 * where a row lists the packages it allows (protocol/ and labs/: zod).
 *
 * Option: { root, rows: [{ folder, mayImport, packages?, rule }] }
 *   folder     repository path of a folder ("src/runtime/") or a file ("src/course.ts")
 *   mayImport  paths the folder may import besides itself ("protocol/", "src/course.ts")
 *   packages   if given, the only packages it may import (node: built-ins always pass)
 *   rule       the table's words, quoted in the message
 * A file is governed by the longest `folder` that contains it; files no row
 * covers (root configs, test/) are not checked.
 */

const within = (path, folder) => (folder.endsWith('/') ? path.startsWith(folder) : path === folder);

/** The row of the longest folder that contains this repository path. */
function rowOf(rows, path) {
  let best = null;
  for (const row of rows) if (within(path, row.folder) && (!best || row.folder.length > best.folder.length)) best = row;
  return best;
}

/** "zod/mini" → "zod", "@astrojs/starlight/x" → "@astrojs/starlight". */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export const folderMapRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the folder map in README.md (which folder may import which).' },
    schema: [{ type: 'object', additionalProperties: true }],
    messages: {
      folder: 'Folder map (README.md): {{rule}} This file in {{from}} imports {{target}} ("{{specifier}}").',
      package: 'Folder map (README.md): {{rule}} This file in {{from}} imports the package "{{specifier}}".',
    },
  },
  create(context) {
    const { root, rows } = context.options[0];
    // Scripts inside .astro files are linted as virtual files (Component.astro/1_1.ts): resolve from the real one.
    const file = relative(root, context.physicalFilename).split(sep).join('/');
    const row = rowOf(rows, file);
    if (!row) return {};

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = relative(root, resolve(dirname(context.physicalFilename), specifier.split('?')[0])).split(sep).join('/');
        // Its own folder, sub-folders included (server/ → server/labs/).
        if (within(target, row.folder)) return;
        if (row.mayImport.some((allowed) => within(target, allowed))) return;
        context.report({ node, messageId: 'folder', data: { rule: row.rule, from: row.folder, target, specifier } });
        return;
      }
      if (!row.packages || specifier.startsWith('node:')) return;
      if (row.packages.includes(packageOf(specifier))) return;
      context.report({ node, messageId: 'package', data: { rule: row.rule, from: row.folder, specifier } });
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};
