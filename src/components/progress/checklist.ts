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

/** The string attributes of an MDX JSX element (expressions are not evaluated). */
function strings(node: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const attr of (node as { attributes: JsxAttribute[] }).attributes) {
    if (attr.type === 'mdxJsxAttribute' && typeof attr.value === 'string') out.set(attr.name, attr.value);
  }
  return out;
}

const hasAttribute = (node: unknown, name: string): boolean =>
  (node as { attributes: JsxAttribute[] }).attributes.some((attr) => attr.type === 'mdxJsxAttribute' && attr.name === name);

export function checklistEntries(mdx: string): ChecklistEntry[] {
  const tree = unified().use(remarkParse).use(remarkMdx).parse(mdx);
  const found: ChecklistEntry[] = [];
  visit(
    tree,
    (node) => node.type === 'mdxJsxFlowElement',
    (node) => {
      const name = (node as { name?: string }).name;
      const attrs = strings(node);
      if (name === 'Playground' && hasAttribute(node, 'check')) {
        // Playground.astro's default title.
        found.push({ kind: 'exercise', id: attrs.get('id') ?? '', title: attrs.get('title') ?? 'Playground' });
      } else if (name === 'ServerLab' && attrs.has('lab')) {
        found.push({ kind: 'lab', lab: attrs.get('lab') as string });
      } else if (name === 'Quiz' && attrs.has('id')) {
        found.push({ kind: 'quiz', id: attrs.get('id') as string });
      }
    },
  );
  return found;
}
