// Where the camera page connects: `/ws?role=camera` (a camera never takes a free driver's seat), for the
// car its own path names: `/camera` is the first car's, `/car/NAME/camera` the car NAME's.

export function cameraSocketUrl(location: { protocol: string; host: string; pathname: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const car = /^\/car\/([^/]+)\/camera\/?$/.exec(location.pathname)?.[1];
  let name: string | undefined;
  try {
    name = car === undefined ? undefined : decodeURIComponent(car);
  } catch {
    name = car; // not valid percent-encoding: the server will say the car does not exist
  }
  return `${scheme}//${location.host}/ws?role=camera${name === undefined ? '' : `&car=${encodeURIComponent(name)}`}`;
}
