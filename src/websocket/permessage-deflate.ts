/**
 * permessage-deflate negotiation (RFC 7692 sections 5 and 7.1): from a client's
 * Sec-WebSocket-Extensions header and the server's options to the response header value and
 * the codec for the connection.
 */
import type { PerMessageExtension } from './extension.js';
import { formatExtensions, parseExtensions, type ExtensionParam } from './extension-header.js';
import { DeflateExtension, type DeflateParams } from './deflate-extension.js';

export { DeflateExtension, type DeflateParams } from './deflate-extension.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** Server options; every field is optional, defaults below. */
export interface DeflateOptions {
  /** Messages shorter than this many bytes are sent uncompressed. Default 1024. */
  threshold?: number;
  /** Always reset our compressor between messages (saves a 2^serverMaxWindowBits window per
   *  connection, costs ratio). Default false: reset only when the client asks. */
  serverNoContextTakeover?: boolean;
  /** true: always ask the client to reset its compressor (we then keep no window for it).
   *  false: never ask. Default (undefined): ask when the client offers it anyway. */
  clientNoContextTakeover?: boolean;
  /** Upper bound 8..15 on our compressor's window. Default 15 (32 KiB). */
  serverMaxWindowBits?: number;
  /** Upper bound 8..15 on the client's window. Default: not limited (15). When set below 15,
   *  offers from clients that cannot limit their window are declined. */
  clientMaxWindowBits?: number;
  /** zlib memLevel 1..9 for our compressor. Default 8 (zlib's default). */
  memLevel?: number;
  /** zlib level -1..9. Default -1 (zlib's default, 6). */
  level?: number;
  /** Bytes per second one connection may make us inflate (a second's worth may come at once);
   *  past it, reading from that peer pauses until the budget refills. 0 = no limit. Default 64 MiB. */
  maxInflateRate?: number;
}

export type ResolvedDeflateOptions = Required<Omit<DeflateOptions, 'clientNoContextTakeover' | 'clientMaxWindowBits'>> &
  Pick<DeflateOptions, 'clientNoContextTakeover' | 'clientMaxWindowBits'>;

export type DeflateNegotiation =
  | {
      readonly kind: 'accept';
      /** The Sec-WebSocket-Extensions value for the 101 response. */
      readonly response: string;
      readonly extension: PerMessageExtension;
      readonly params: DeflateParams;
    }
  /** The header is not valid RFC 6455 9.1 syntax: answer 400 with this reason. */
  | { readonly kind: 'reject'; readonly status: 400; readonly reason: string };

function checkInt(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`perMessageDeflate.${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Validates options and fills in defaults. Throws RangeError on a bad option: call it when the
 * server is created so a configuration mistake surfaces at startup, not on a client's request.
 */
export function resolveDeflateOptions(options: DeflateOptions = {}): ResolvedDeflateOptions {
  checkInt('threshold', options.threshold, 0, Number.MAX_SAFE_INTEGER);
  checkInt('serverMaxWindowBits', options.serverMaxWindowBits, 8, 15);
  checkInt('clientMaxWindowBits', options.clientMaxWindowBits, 8, 15);
  checkInt('memLevel', options.memLevel, 1, 9);
  checkInt('level', options.level, -1, 9);
  checkInt('maxInflateRate', options.maxInflateRate, 0, Number.MAX_SAFE_INTEGER);
  return {
    threshold: options.threshold ?? 1024,
    serverNoContextTakeover: options.serverNoContextTakeover ?? false,
    clientNoContextTakeover: options.clientNoContextTakeover,
    serverMaxWindowBits: options.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: options.clientMaxWindowBits,
    memLevel: options.memLevel ?? 8,
    level: options.level ?? -1,
    maxInflateRate: options.maxInflateRate ?? 64 * 1024 * 1024,
  };
}

/** One permessage-deflate offer's parameters, after validation. */
interface Offer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits?: number;
  /** null: the parameter without a value ("I can limit my window if you ask"). */
  clientMaxWindowBits?: number | null;
}

/** RFC 7692 7.1.2: a decimal integer 8..15 without leading zeroes. */
function windowBits(value: string | null): number | undefined {
  if (value === null || !/^(?:[89]|1[0-5])$/.test(value)) return undefined;
  return Number(value);
}

/** Reads one offer's parameters; undefined when RFC 7692 section 7 says to decline it. */
function readOffer(params: readonly ExtensionParam[]): Offer | undefined {
  const offer: Offer = { serverNoContextTakeover: false, clientNoContextTakeover: false };
  const seen = new Set<string>();
  for (const { name, value } of params) {
    // Section 7: "multiple extension parameters with the same name" -> decline.
    if (seen.has(name)) return undefined;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== null) return undefined; // 7.1.1: these have no value
        offer[name === 'server_no_context_takeover' ? 'serverNoContextTakeover' : 'clientNoContextTakeover'] = true;
        break;
      case 'server_max_window_bits': {
        const bits = windowBits(value); // 7.1.2.1: the value is required
        if (bits === undefined) return undefined;
        offer.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        if (value === null) {
          offer.clientMaxWindowBits = null; // 7.1.2.2: the value is optional
          break;
        }
        const bits = windowBits(value);
        if (bits === undefined) return undefined;
        offer.clientMaxWindowBits = bits;
        break;
      }
      default:
        return undefined; // "an extension parameter not defined for use in an offer"
    }
  }
  return offer;
}

/** Agrees on parameters for one valid offer, or undefined to decline it. */
function agree(offer: Offer, opts: ResolvedDeflateOptions): { params: DeflateParams; response: ExtensionParam[] } | undefined {
  const response: ExtensionParam[] = [];
  // 7.1.1.1: a requested server_no_context_takeover must be echoed; we may add it unasked.
  const serverNoContextTakeover = opts.serverNoContextTakeover || offer.serverNoContextTakeover;
  if (serverNoContextTakeover) response.push({ name: 'server_no_context_takeover', value: null });
  // 7.1.1.2: the server may include client_no_context_takeover whether or not it was offered.
  const clientNoContextTakeover =
    opts.clientNoContextTakeover ?? offer.clientNoContextTakeover;
  if (clientNoContextTakeover) response.push({ name: 'client_no_context_takeover', value: null });
  // 7.1.2.1: an offered server_max_window_bits must be answered with the same or a smaller
  // value; unasked, we may still announce a smaller window than 15.
  const serverMaxWindowBits = Math.min(opts.serverMaxWindowBits, offer.serverMaxWindowBits ?? 15);
  if (offer.serverMaxWindowBits !== undefined || serverMaxWindowBits < 15) {
    response.push({ name: 'server_max_window_bits', value: String(serverMaxWindowBits) });
  }
  // 7.1.2.2: without client_max_window_bits in the offer the response must not carry it, so a
  // server limit cannot be imposed: decline rather than silently exceed the configured memory.
  const limit = opts.clientMaxWindowBits ?? 15;
  if (offer.clientMaxWindowBits === undefined && limit < 15) return undefined;
  const clientMaxWindowBits = Math.min(limit, offer.clientMaxWindowBits ?? 15);
  if (offer.clientMaxWindowBits !== undefined && clientMaxWindowBits < 15) {
    response.push({ name: 'client_max_window_bits', value: String(clientMaxWindowBits) });
  }
  return {
    params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
    response,
  };
}

/**
 * Negotiates permessage-deflate for one handshake. Returns null to decline (no header, the
 * option is off, or no acceptable permessage-deflate offer: RFC 7692 section 7 says to decline
 * invalid offers, so the connection goes on uncompressed), `reject` when the header is not
 * valid syntax, or `accept` with the response value and the connection's codec. Offers are
 * tried in the client's order of preference (RFC 7692 section 5). Throws RangeError only for
 * invalid options (see resolveDeflateOptions).
 */
export function negotiateDeflate(
  offerHeader: string | readonly string[] | undefined,
  options: DeflateOptions | ResolvedDeflateOptions | false,
): DeflateNegotiation | null {
  if (options === false || offerHeader === undefined) return null;
  const opts = resolveDeflateOptions(options);
  const header = typeof offerHeader === 'string' ? offerHeader : offerHeader.join(', ');
  const parsed = parseExtensions(header);
  if (!parsed.ok) {
    return { kind: 'reject', status: 400, reason: `invalid Sec-WebSocket-Extensions: ${parsed.error}` };
  }
  for (const ext of parsed.offers) {
    if (ext.name !== PERMESSAGE_DEFLATE) continue;
    const offer = readOffer(ext.params);
    const agreed = offer && agree(offer, opts);
    if (agreed === undefined) continue;
    return {
      kind: 'accept',
      response: formatExtensions([{ name: PERMESSAGE_DEFLATE, params: agreed.response }]),
      params: agreed.params,
      extension: new DeflateExtension(agreed.params, opts),
    };
  }
  return null;
}
