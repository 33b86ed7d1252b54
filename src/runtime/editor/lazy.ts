/**
 * Calls `load` once, the first time the element is near the viewport or the
 * learner reaches it (focus, pointer, key). Until then nothing heavy is
 * fetched; a page whose playgrounds are never approached never loads Monaco.
 */
export function whenNeeded(element: HTMLElement, load: () => void, rootMargin = '200px'): () => void {
  let done = false;
  const triggers = ['focusin', 'pointerdown', 'keydown'] as const;
  const fire = (): void => {
    if (done) return;
    done = true;
    cleanup();
    load();
  };
  const observer =
    typeof IntersectionObserver === 'undefined'
      ? null
      : new IntersectionObserver((entries) => {
          if (entries.some((entry) => entry.isIntersecting)) fire();
        }, { rootMargin });
  observer?.observe(element);
  for (const type of triggers) element.addEventListener(type, fire, { once: true, passive: true });
  function cleanup(): void {
    observer?.disconnect();
    for (const type of triggers) element.removeEventListener(type, fire);
  }
  return cleanup;
}
