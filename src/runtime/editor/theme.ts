/**
 * Monaco follows Starlight's theme switch, which sets data-theme="light" or
 * "dark" on <html>. The two editor themes are Monaco's own light and dark
 * ones with the background taken from the site, so the editor sits in the
 * page rather than on top of it; their token colours keep AA contrast.
 */
export type SiteTheme = 'light' | 'dark';

export const EDITOR_THEMES = { light: 'fd-light', dark: 'fd-dark' } as const satisfies Record<SiteTheme, string>;

export function siteTheme(root: HTMLElement): SiteTheme {
  return root.dataset['theme'] === 'light' ? 'light' : 'dark';
}

/** Calls `apply` now and whenever data-theme changes; returns a disconnect. */
export function followSiteTheme(root: HTMLElement, apply: (theme: SiteTheme) => void): () => void {
  let current = siteTheme(root);
  apply(current);
  const observer = new MutationObserver(() => {
    const next = siteTheme(root);
    if (next !== current) {
      current = next;
      apply(next);
    }
  });
  observer.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
