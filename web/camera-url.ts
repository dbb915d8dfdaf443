// Where the camera page connects: `/ws?role=camera` (a camera never takes a free driver's seat), for the
// car its own path names: `/camera` is the only (or first) car's, `/car/NAME/camera` the car NAME's.

import { carInPath } from './camera-car.js';

export function cameraSocketUrl(location: { protocol: string; host: string; pathname: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const name = carInPath(location.pathname);
  return `${scheme}//${location.host}/ws?role=camera${name === undefined ? '' : `&car=${encodeURIComponent(name)}`}`;
}
