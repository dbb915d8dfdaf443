/**
 * The names drivers go by on the leaderboard and in the lap book (`{"type":"name"}`), by client id, for
 * as long as the client is connected. A client without a name goes by its id.
 */
export class DriverNames {
  private readonly names = new Map<string, string>();

  set(client: string, name: string): void {
    this.names.set(client, name.trim() || client);
  }

  forget(client: string): void {
    this.names.delete(client);
  }

  /** The name the client set, or null (a client id is no name to show a person). */
  nameOf(client: string): string | null {
    const name = this.names.get(client);
    return name === undefined || name === client ? null : name;
  }

  label(client: string): string {
    return this.names.get(client) ?? client;
  }
}
