/**
 * The one way a component registers its custom element. A page can evaluate
 * an element's module twice (two bundles that both import it, hot reload in
 * `npm run dev`), and a second `customElements.define` of a name throws,
 * which would stop the rest of that module; the first definition stays.
 */
export function defineElement(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}
