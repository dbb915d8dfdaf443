/**
 * Where webracer keeps what must outlive a run (the self-signed certificate, the best laps): `--data-dir`, or by default
 * the user's configuration folder, as each system has it: %APPDATA%\webracer on Windows,
 * ~/Library/Application Support/webracer on macOS, $XDG_CONFIG_HOME/webracer (~/.config/webracer) elsewhere.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, win32 } from 'node:path';

export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'webracer');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'webracer');
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'webracer'); // a relative one is to be ignored (XDG)
}
