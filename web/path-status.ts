// The status bar's "Drive path": which way this page's drive input goes (drive-path.ts).
import type { PathKind } from './drive-path.js';

const TEXT: Record<PathKind, string> = { direct: 'direct', relayed: 'relayed', websocket: 'WebSocket' };

export function showDrivePath(root: ParentNode, path: PathKind): void {
  const el = root.querySelector<HTMLElement>('#st-path');
  if (!el) return;
  el.textContent = TEXT[path];
  el.dataset.path = path;
}
