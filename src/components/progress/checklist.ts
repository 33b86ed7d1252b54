import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';

/**
 * What a lesson page asks before it counts as done, read from its MDX at build
 * time, in page order: each exercise (a <Playground> with a check, a
 * <ServerLab>) and each knowledge check (<Quiz>). The same items the page's
 * progress script lists from the page's `data-progress-*` elements, so the
 * "To finish this page" list is in the HTML from the start: filled in the
 * browser, it pushed the whole lesson down as the page was being read (85 to
 * 173 px at 1280 px).
 */
export type ChecklistEntry = { kind: 'exercise'; id: string; title: string } | { kind: 'quiz'; id: string } | { kind: 'lab'; lab: string };

interface JsxAttribute {
  type: string;
  name: string;
  value: unknown;
}

/** An MDX JSX element's attributes: a string value, or null for an expression (not evaluated here). */
function attributes(node: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const attr of (node as { attributes: JsxAttribute[] }).attributes) {
    if (attr.type === 'mdxJsxAttribute') out.set(attr.name, typeof attr.value === 'string' ? attr.value : null);
  }
  return out;
}

export function checklistEntries(mdx: string): ChecklistEntry[] {
  const tree = unified().use(remarkParse).use(remarkMdx).parse(mdx);
  const found: ChecklistEntry[] = [];
  visit(
    tree,
    (node) => node.type === 'mdxJsxFlowElement',
    (node) => {
      const name = (node as { name?: string }).name;
      const attrs = attributes(node);
      const lab = attrs.get('lab');
      const id = attrs.get('id');
      if (name === 'Playground' && attrs.has('check')) {
        // Playground.astro's default title.
        found.push({ kind: 'exercise', id: id ?? '', title: attrs.get('title') ?? 'Playground' });
      } else if (name === 'ServerLab' && typeof lab === 'string') {
        found.push({ kind: 'lab', lab });
      } else if (name === 'Quiz' && typeof id === 'string') {
        found.push({ kind: 'quiz', id });
      }
    },
  );
  return found;
}
