// The full-screen button: the whole page, browser chrome gone, and on a phone the screen turned to
// landscape and held there (Screen Orientation lock, which browsers allow only in full screen, and not
// at all on iOS or desktops: the lock is a wish, never required). Hidden where full screen is not offered
// (an iPhone's Safari for anything but video). An app added to the home screen starts full screen anyway
// (manifest.webmanifest), and there the button leaves it and comes back.

interface OrientationLock { lock?(orientation: string): Promise<void>; unlock?(): void }

export function attachFullscreen(button: HTMLButtonElement): void {
  if (!document.fullscreenEnabled) return; // stays hidden
  button.hidden = false;
  const render = () => {
    const on = document.fullscreenElement !== null;
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'Leave full screen' : 'Full screen';
  };
  button.addEventListener('click', async () => {
    const orientation = screen.orientation as ScreenOrientation & OrientationLock;
    if (document.fullscreenElement) {
      orientation.unlock?.();
      await document.exitFullscreen().catch(() => {});
      return;
    }
    try {
      await document.documentElement.requestFullscreen({ navigationUI: 'hide' });
    } catch {
      return; // refused (no user gesture, a policy): the page stays as it was
    }
    await orientation.lock?.('landscape').catch(() => {}); // desktops and iOS refuse: fine
  });
  document.addEventListener('fullscreenchange', render);
  render();
}
