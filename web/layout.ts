// The first screen (style.css): Stop and the joystick are placed first, and style.css sizes the pad, or
// the picture, from the room the screen leaves under the top of the page. CSS cannot know how tall that
// top came out (the title, the tools and the auth form wrap with the screen's width; the strip of cars or
// the offline note may be there), so this measures where the page's main part begins and hands it to
// style.css as --above, in CSS pixels.
//
// Nothing here moves the controls under a held joystick: a pad that moved or grew under the finger would
// change the demand. Such a change waits for the release (whenReleased), as the video's stage and the
// strip of cars do. A resize applies at once: the screen itself changed, and the media queries with it.

const waiting = new Set<() => void>();
let releaseWatch: MutationObserver | null = null;

/** Runs `change` now, or once the joystick is let go when a finger (or the mouse) holds it. */
export function whenReleased(change: () => void): void {
  const pad = document.querySelector('svg.joystick');
  if (!pad?.classList.contains('held')) return change();
  waiting.add(change); // the same change asked for twice runs once
  releaseWatch ??= new MutationObserver(() => {
    if (pad.classList.contains('held')) return;
    releaseWatch?.disconnect();
    releaseWatch = null;
    const changes = [...waiting];
    waiting.clear();
    for (const run of changes) run();
  });
  releaseWatch.observe(pad, { attributes: true, attributeFilter: ['class'] });
}

/** Keeps --above true: now, on every resize, and whenever the top of the page changes its size. */
export function measureFirstScreen(top: HTMLElement, main: HTMLElement): void {
  const measure = () => {
    const above = Math.ceil(main.getBoundingClientRect().top + window.scrollY);
    document.documentElement.style.setProperty('--above', `${above}px`);
  };
  new ResizeObserver(() => whenReleased(measure)).observe(top);
  window.addEventListener('resize', measure);
  measure();
}
