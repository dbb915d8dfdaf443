// Picks a codec by name: the one place that knows every implementation in codecs/, so they and the
// interface they implement (codec.ts) import nothing from here.

import { CODEC_NAMES, type Codec, type CodecName } from './codec.js';
import { iracerCodec } from './codecs/iracer.js';
import { createRcAppCodec, rcAppCodec } from './codecs/rc-app.js';
import type { RcAppCharmap } from './codecs/rc-app-charmap.js';

/** `charmap`: another app's characters for the rc-app codec (rc-app-charmap.ts); ignored by the others. */
export function createCodec(name: CodecName, charmap?: RcAppCharmap): Codec {
  switch (name) {
    case 'iracer': return iracerCodec;
    case 'rc-app': return charmap ? createRcAppCodec(charmap) : rcAppCodec;
    default: throw new Error(`unknown codec '${String(name)}': expected one of ${CODEC_NAMES.join(', ')}`);
  }
}
