import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';

/**
 * Every <Playground> in the course, read from the lesson MDX the way MDX
 * itself parses it (remark-mdx), with its code resolved through the `?raw`
 * imports. The tests then run what a learner would run, no list to keep.
 */
export interface FoundPlayground {
  id: string;
  /** The lesson file, relative to the repo root. */
  page: string;
  line: number;
  lang: 'js' | 'ts';
  clients: string[];
  /** Client name (or "shared") → code. */
  code: Record<string, string>;
  solution: Record<string, string> | null;
  check: string | null;
}

const root = new URL('../../../', import.meta.url).pathname;
const SAMPLES_ALIAS = '@samples/';

interface EstreeNode {
  type: string;
  value?: unknown;
  name?: string;
  elements?: EstreeNode[];
  properties?: { key: EstreeNode; value: EstreeNode }[];
  expression?: EstreeNode;
  body?: EstreeNode[];
  source?: { value: string };
  specifiers?: { type: string; local: { name: string } }[];
}
interface MdxAttribute {
  type: string;
  name: string;
  value: string | { value: string; data?: { estree?: EstreeNode } } | null;
}

/** The static value of an attribute: a string, an imported file's text, or a literal array/object of those. */
function evaluate(node: EstreeNode, imports: Map<string, string>, where: string): unknown {
  switch (node.type) {
    case 'Literal':
      return node.value;
    case 'Identifier': {
      const file = imports.get(node.name ?? '');
      if (file === undefined) throw new Error(`${where}: ${node.name} is not a ?raw import`);
      return readFileSync(file, 'utf8');
    }
    case 'ArrayExpression':
      return (node.elements ?? []).map((e) => evaluate(e, imports, where));
    case 'ObjectExpression':
      return Object.fromEntries(
        (node.properties ?? []).map((p) => [p.key.name ?? String(p.key.value), evaluate(p.value, imports, where)]),
      );
    default:
      throw new Error(`${where}: cannot evaluate a ${node.type} statically`);
  }
}

/** A lesson's import as a file: `@samples/…` is the alias of samples/ (tsconfig.json paths), anything else is relative. */
function resolveImport(source: string, from: string): string {
  return source.startsWith(SAMPLES_ALIAS) ? resolve(root, 'samples', source.slice(SAMPLES_ALIAS.length)) : resolve(dirname(from), source);
}

export async function findPlaygrounds(): Promise<FoundPlayground[]> {
  const files = await glob(['src/content/docs/**/*.mdx'], { cwd: root });
  const found: FoundPlayground[] = [];
  for (const file of files.sort()) {
    const path = resolve(root, file);
    const tree = unified().use(remarkParse).use(remarkMdx).parse(readFileSync(path, 'utf8'));
    const imports = new Map<string, string>();
    visit(tree, 'mdxjsEsm', (node) => {
      const estree = (node.data as { estree?: EstreeNode } | undefined)?.estree;
      for (const statement of estree?.body ?? []) {
        const source = statement.source?.value;
        if (statement.type !== 'ImportDeclaration' || !source?.endsWith('?raw')) continue;
        for (const spec of statement.specifiers ?? []) {
          if (spec.type === 'ImportDefaultSpecifier') imports.set(spec.local.name, resolveImport(source.slice(0, -4), path));
        }
      }
    });
    visit(tree, (node) => node.type === 'mdxJsxFlowElement' && (node as { name?: string }).name === 'Playground', (node) => {
      const line = node.position?.start.line ?? 0;
      const where = `${file}:${line}`;
      const props: Record<string, unknown> = {};
      for (const attr of (node as unknown as { attributes: MdxAttribute[] }).attributes) {
        if (attr.type !== 'mdxJsxAttribute') continue;
        const { value } = attr;
        if (typeof value === 'string') props[attr.name] = value;
        else if (value?.data?.estree) {
          const statement = value.data.estree.body?.[0];
          if (statement?.expression) props[attr.name] = evaluate(statement.expression, imports, where);
        }
      }
      const clients = (props['clients'] as string[] | undefined) ?? ['client'];
      const shape = (code: unknown): Record<string, string> | null =>
        code === undefined ? null : typeof code === 'string' ? { shared: code } : (code as Record<string, string>);
      found.push({
        id: String(props['id']),
        page: relative(root, path),
        line,
        lang: props['lang'] === 'ts' ? 'ts' : 'js',
        clients,
        code: shape(props['code']) ?? {},
        solution: shape(props['solution']),
        check: typeof props['check'] === 'string' ? props['check'] : null,
      });
    });
  }
  return found;
}
