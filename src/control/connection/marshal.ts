/**
 * Who marshals races (docs/races.md, "Who runs a race"): a marshal may start and end any race and mark a
 * real car's laps, besides the drivers, who may run the races their own car is in.
 *
 * - With a token: a client that presented it. Every token holder is trusted with the cars already.
 * - Without one: a client on the server's own machine, that is, one whose connection's two ends have the
 *   same address (the page opened as localhost, or at this machine's own LAN address, on this machine).
 *   No secret to hand out or type, and whoever sits at the server is its operator anyway; a phone on the
 *   Wi-Fi is a spectator like any other. Behind a reverse proxy or a tunnel on the same machine, every
 *   client arrives from it and would marshal: set a token there, as anything exposed must (docs/control.md).
 */
export interface MarshalCandidate {
  auth: { authenticated: boolean };
  /** The connection's two ends have the same address (client-session.ts). */
  onServerMachine: boolean;
}

export function isMarshal(client: MarshalCandidate, authRequired: boolean): boolean {
  return authRequired ? client.auth.authenticated : client.onServerMachine;
}
