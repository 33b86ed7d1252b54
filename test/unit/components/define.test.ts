import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineElement } from '../../../src/components/define.ts';

/** A registry that throws on a second definition, as the browser's does. */
function fakeRegistry(): { names: Map<string, CustomElementConstructor> } & Pick<CustomElementRegistry, 'get' | 'define'> {
  const names = new Map<string, CustomElementConstructor>();
  return {
    names,
    get: (name: string) => names.get(name),
    define(name: string, element: CustomElementConstructor) {
      if (names.has(name)) throw new DOMException(`the name "${name}" has already been used with this registry`, 'NotSupportedError');
      names.set(name, element);
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('defineElement', () => {
  it('defines a name once; a module evaluated again keeps the first class and does not throw', () => {
    const registry = fakeRegistry();
    vi.stubGlobal('customElements', registry);
    const First = class { readonly which = 'first'; } as unknown as CustomElementConstructor;
    const Second = class { readonly which = 'second'; } as unknown as CustomElementConstructor;
    defineElement('fd-test', First);
    expect(() => defineElement('fd-test', Second)).not.toThrow();
    expect(registry.get('fd-test')).toBe(First);
    expect([...registry.names.keys()]).toEqual(['fd-test']);
  });
});
