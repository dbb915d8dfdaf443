// Picks a link by its spec's kind: the one place that knows every implementation in links/, so they and the
// interface they implement (link.ts) import nothing from here.

import type { Link, LinkOptions } from './link.js';
import type { LinkSpec } from './link-spec.js';
import { createSerialLink } from './links/serial.js';
import { SimLink } from './links/sim.js';
import { createTcpLink } from './links/tcp.js';

export function createLink(spec: LinkSpec, options: LinkOptions = {}): Link {
  switch (spec.kind) {
    case 'sim': return new SimLink();
    case 'serial': return createSerialLink(spec, options);
    case 'tcp': return createTcpLink(spec, options);
  }
}
