/**
 * The names people go by on the leaderboard, in the lap book, the lobby and the queue (`{"type":"name"}`),
 * by client id, for as long as the client is connected. Someone who set none goes by a default, "Driver 3",
 * numbered in the order they were first named on this server: never a client id, which means nothing to a
 * person. What is shown after a client left (results, the lap book, "called off by") keeps the name it had
 * then: callers take the name at the time of the event, not a lookup later.
 *
 * A default stays its person's over a resume: a driver who reloads and takes the held seat back (as a new
 * client id) goes on as the same "Driver 3" (inherit()), so their laps, results and best lap stay theirs.
 * The defaults of the last MAX_DEPARTED clients to leave are kept for that, and no longer.
 */
export const MAX_DEPARTED = 64;

export class DriverNames {
  private readonly chosen = new Map<string, string>();
  private readonly defaults = new Map<string, string>();
  /** Defaults of clients that left, by their client id, the oldest first. */
  private readonly departed = new Map<string, string>();
  private nextDefault = 1;

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
    if (name !== undefined) this.defaults.set(client, name);
  }

  /** The name the client set, or its default. */
  nameOf(client: string): string {
    return this.chosen.get(client) ?? this.defaultOf(client);
  }

  private defaultOf(client: string): string {
    let name = this.defaults.get(client);
    if (name === undefined) {
      name = `Driver ${this.nextDefault++}`;
      this.defaults.set(client, name);
    }
    return name;
  }
}
