/**
 * Says what the car's link is doing, so a car that cannot be reached explains why (a wrong path, a
 * missing permission, a car switched off) instead of retrying in silence. A link retries every few
 * seconds: the same failure is logged once until something else happens.
 */
import type { Link, LinkState } from '../../vehicle/index.js';
import type { Logger } from '../log.js';

export function logLinkActivity(link: Link, log: Logger): void {
  let lastFailure = '';
  link.on('state', (state: LinkState) => {
    if (state === 'connected') lastFailure = '';
    log.info('link', { state });
  });
  link.on('failure', (err: Error) => {
    if (err.message === lastFailure) return;
    lastFailure = err.message;
    log.warn('link_failure', {}, `car link: ${err.message}${hint(err)}`);
  });
}

function hint(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || /permission denied/i.test(err.message)) {
    return ' (on Linux, add yourself to the dialout group: sudo usermod -aG dialout $USER, then log in again)';
  }
  if (code === 'ENOENT' || /no such file/i.test(err.message)) {
    return ' (is the car paired and bound? see --list-devices and docs/vehicle.md)';
  }
  return '';
}
