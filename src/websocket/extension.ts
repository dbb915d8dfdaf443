/**
 * The seam between framing and a per-message extension that owns RSV1 (RFC 6455 section 9,
 * RFC 7692 permessage-deflate). Synchronous on purpose: the protocol core stays sans-I/O, and
 * only one (de)compression job per process can run at a time, which bounds zlib memory.
 */
export interface PerMessageExtension {
  /**
   * Decodes a whole message whose first frame had RSV1 set, given its frames' payloads in order.
   * Throws ProtocolError(1009) as soon as the decoded size would exceed maxBytes, and
   * ProtocolError(1007) for corrupt compressed data.
   */
  decompress(chunks: readonly Uint8Array[], maxBytes: number): Uint8Array;
  /** Encodes a whole outgoing message, or returns null to send it uncompressed (RSV1 clear). */
  compress(data: Uint8Array): Uint8Array | null;
  /** Frees the extension's memory; called once when the connection ends. */
  dispose(): void;
}
