/**
 * The names people go by on the leaderboard, in the lap book, the lobby and the queue (`{"type":"name"}`),
 * by client id, for as long as the client is connected. Someone who set none goes by a default, "Driver 3",
 * numbered in the order they were first named on this server: never a client id, which means nothing to a
 * person. What is shown after a client left (results, the lap book, "called off by") keeps the name it had
 * then: callers take the name at the time of the event, not a lookup later.
 *
 * A default stays its person's for the server's run:
 * - by their browser's name key (connection/name-keys.ts): a page that offers the key of an earlier welcome
 *   goes by that key's default, whether it reloads as a spectator, resumes a seat or came back after its
 *   hold ran out. Two tabs of one browser share a key, and so a default, as they share a typed name. The
 *   defaults of the last MAX_KEYS keys used are kept, and no longer.
 * - by a resume: a client that offered no key (a script, an older page) and takes a held seat back (as a
 *   new client id) goes on as the seat's "Driver 3" (inherit()), and so does the key it was given. The
 *   defaults of the last MAX_DEPARTED clients to leave are kept for that.
 * Either way their laps, results and best lap stay theirs.
 */
export const MAX_DEPARTED = 64;
export const MAX_KEYS = 1024;

export class DriverNames {
  private readonly chosen = new Map<string, string>();
  private readonly defaults = new Map<string, string>();
  /** Defaults of clients that left, by their client id, the oldest first. */
  private readonly departed = new Map<string, string>();
  /** Defaults by name key, the least recently used first. */
  private readonly byKey = new Map<string, string>();
  private nextDefault = 1;

  /** `keyOf`: a connected client's name key (none: a client that left, or a server that gives none). */
  constructor(private readonly keyOf: (client: string) => string | undefined = () => undefined) {}

  /** `name` has passed the name message's schema (printable, 1 to MAX_NAME_CHARS, not blank). */
  set(client: string, name: string): void {
    this.chosen.set(client, name.trim());
  }

  forget(client: string): void {
    const name = this.defaults.get(client);
    this.chosen.delete(client);
    this.defaults.delete(client);
    if (name === undefined) return;
    this.departed.set(client, name);
    if (this.departed.size > MAX_DEPARTED) this.departed.delete(this.departed.keys().next().value!);
  }

  /** `client` is `before` come back (it resumed its seat): it goes by the default `before` had. */
  inherit(client: string, before: string): void {
    const name = this.departed.get(before) ?? this.defaults.get(before);
    this.departed.delete(before);
    if (name === undefined) return;
    this.defaults.set(client, name);
    const key = this.keyOf(client);
    if (key !== undefined && !this.byKey.has(key)) this.keep(key, name); // a page that had no key yet: its new one
  }

  /** Whether the client goes by a name it set (not the server's default). */
  chose(client: string): boolean {
    return this.chosen.has(client);
  }

  /** The name the client set, or its default. */
  nameOf(client: string): string {
    return this.chosen.get(client) ?? this.defaultOf(client);
  }

  private defaultOf(client: string): string {
    let name = this.defaults.get(client);
    if (name !== undefined) return name;
    const key = this.keyOf(client);
    name = (key === undefined ? undefined : this.byKey.get(key)) ?? `Driver ${this.nextDefault++}`;
    this.defaults.set(client, name);
    if (key !== undefined) this.keep(key, name);
    return name;
  }

  private keep(key: string, name: string): void {
    this.byKey.delete(key); // re-inserted: the Map's order is the least recently used first
    this.byKey.set(key, name);
    if (this.byKey.size > MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value!);
  }
}
