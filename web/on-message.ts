// The car page's answers to the server's messages (web/main.ts wires them to the connection): what
// each message changes in the page's facts (PageFacts) and which part of the page it goes to.

import type { AccessoryControls } from './accessories.js';
import type { Auth } from './auth.js';
import type { Buttons } from './buttons.js';
import type { Connection } from './connection.js';
import type { DriveLoop } from './drive.js';
import type { DriveChannel } from './drive-channel.js';
import type { FleetStrip } from './fleet-strip.js';
import type { NamePrompt } from './name-prompt.js';
import { SERVER_DEAD_ZONE } from './demand.js';
import { DISARM_CODES, SUBPROTOCOL, type ServerMessage } from './messages.js';
import type { RacePanel, RaceRights } from './race-panel.js';
import type { SeatResume } from './resume.js';
import type { ServerRuns } from './server-restart.js';
import { MAX_SPEED_STEP } from './settings.js';
import type { StatusBar } from './status.js';
import type { Track } from './track.js';
import type { VideoView } from './video-view.js';

/** What this connection's server told the page; main.ts resets them when the connection ends. */
export interface PageFacts {
  welcomed: boolean;
  isDriver: boolean;
  authRequired: boolean;
  authenticated: boolean;
  /** Without a token, this page marshals races (welcome.marshal: it runs on the server's machine). */
  marshal: boolean;
  /** The last state said the car moves: while this page drives, that motion is this page's doing. */
  carMoving: boolean;
  /** The token offered at this connection's upgrade (docs/protocol.md, subprotocols), if any. */
  offeredToken: string | null;
  /** The server's quantizer dead zone (welcome.limits.deadZone), for the speed mapping. */
  serverDeadZone: number;
  /** This page's car: the one its path names, or (at / and /index.html) the server's first. */
  ownCar: string;
}

/** The parts of the page the messages reach, and main.ts's functions they call. */
export interface MessageParts {
  facts: PageFacts;
  connection: Pick<Connection, 'send' | 'protocol'>;
  status: StatusBar;
  track: Track;
  race: RacePanel;
  names: NamePrompt;
  fleet: FleetStrip;
  video: VideoView;
  driveChannel: DriveChannel;
  serverRuns: ServerRuns;
  resume: SeatResume;
  auth: Auth;
  accessories: AccessoryControls;
  buttons: Buttons;
  drive: DriveLoop;
  seatChanged: (driver: boolean) => void;
  standDown: () => void;
  renderControls: () => void;
  raceRights: () => RaceRights;
  mayStop: () => boolean;
}

/** This car's colour (the arena's) on the knob, its arrow on the map and its trail: style.css's --knob. */
function wearColour(colour: string | undefined): void {
  if (colour && /^#[0-9a-f]{6}$/i.test(colour)) document.documentElement.style.setProperty('--knob', colour);
}

/** The lap book, a best lap of ours to race, the race: the race panel's. */
function raceMessage(page: MessageParts, message: Extract<ServerMessage, { type: 'laps' | 'best-lap' | 'race' }>): void {
  const { status, track, race } = page;
  if (message.type === 'laps') return race.laps(message);
  if (message.type === 'best-lap') return race.bestLap(message);
  race.update(message);
  status.race(message.phase);
  track.lineUp(message.phase === 'countdown'); // the cars are put on the grid: no drive to draw
}

/** What the connection calls with each server message (main.ts gives it the page's parts). */
export function onMessage(page: MessageParts, message: ServerMessage): void {
  const { status, track, video, serverRuns } = page;
  switch (message.type) {
    case 'welcome':
      welcome(page, message);
      break;
    case 'role':
      roleChanged(page, message);
      break;
    case 'state':
      vehicleState(page, message);
      break;
    case 'telemetry':
      track.pose(message.pose);
      // A restarted server's car starts again at its origin: a new track, not a line back to it.
      if (serverRuns.telemetry(message.t, performance.now())) track.clear();
      break;
    case 'arena':
      arena(page, message);
      break;
    case 'poses':
      track.poses(message.poses);
      if (serverRuns.telemetry(message.t, performance.now())) track.clear(); // as for telemetry
      break;
    case 'ghosts':
      track.ghosts(message.ghosts);
      break;
    case 'laps':
    case 'best-lap':
    case 'race':
      raceMessage(page, message);
      break;
    case 'error':
      refused(page, message);
      break;
    case 'notice':
      noticed(page, message);
      break;
    case 'video':
    case 'viewing':
    case 'signal':
    case 'ice-servers':
      video.message(message);
      break;
    case 'queue':
      status.queue(message);
      break;
    case 'channel':
      page.driveChannel.signal(message);
      break;
    case 'pong':
    case 'viewer':
      break;
  }
}

/** Every car of the server and the circuit: the map, this car's colour, the race panel, the strip of cars. */
function arena(page: MessageParts, message: Extract<ServerMessage, { type: 'arena' }>): void {
  const { facts, track, race, fleet } = page;
  facts.ownCar ||= message.cars[0]?.name ?? '';
  track.arena(message.cars, message.circuit, facts.ownCar);
  wearColour(message.cars.find((c) => c.name === facts.ownCar)?.colour);
  race.arena(message.cars);
  fleet.cars(message.cars.length);
}

/** A message of ours refused: a wrong token is never sent again; the rest is said. */
/** The car's state: the status bar, whether it moves, and who drives (only the driver's page may talk to the car phone). */
function vehicleState(page: MessageParts, message: Extract<ServerMessage, { type: 'state' }>): void {
  page.status.vehicle(message);
  page.video.driverIs(message.driver);
  page.facts.carMoving = message.direction !== 'stop';
}

function refused(page: MessageParts, message: Extract<ServerMessage, { type: 'error' }>): void {
  const { status, resume } = page;
  if (message.code === 'unauthorized' && message.ref === 'auth') return tokenRefused(page);
  if (message.code === 'resume_failed') resume.failed();
  status.error(message);
}

/**
 * The server says something happened. When it stopped the car under this driver (or refused a push from a
 * new seat): a stop like any other (arming.ts). Nothing is sent: the next push, once re-armed here, goes
 * after a stop of this page's own, which re-arms the server too (drive.ts).
 */
function noticed(page: MessageParts, message: Extract<ServerMessage, { type: 'notice' }>): void {
  const { status, standDown } = page;
  status.serverNotice(message);
  if ((DISARM_CODES as readonly string[]).includes(message.code)) standDown();
}

/** The server's first word on each connection: its limits, this client's role and the car's state. */
function welcome(page: MessageParts, message: Extract<ServerMessage, { type: 'welcome' }>): void {
  const { facts, connection, status, track, race, video, serverRuns, resume, auth, accessories, buttons, drive, seatChanged, raceRights } = page;
  facts.welcomed = true;
  drive.fitWatchdog(message.limits.watchdogMs);
  page.driveChannel.fitRate(message.limits.driveRatePerSecond);
  facts.serverDeadZone = message.limits.deadZone ?? SERVER_DEAD_ZONE;
  serverRuns.welcome();
  accessories.welcome(message.vehicle.accessories);
  buttons.setMaxHold(message.limits.maxHoldMs);
  buttons.setSpeedCeiling(message.vehicle.maxSpeed ?? MAX_SPEED_STEP);
  track.show(message.vehicle.link === 'sim');
  facts.authRequired = message.authRequired;
  facts.authenticated = message.authenticated;
  facts.marshal = message.marshal ?? true; // an older server let everyone allowed to drive run races
  status.limits(message.limits.idleTakeoverMs);
  status.vehicle(message.state);
  facts.carMoving = message.state.direction !== 'stop';
  status.roleChanged(message.role, !facts.authRequired || facts.authenticated);
  // The seat back first, then the token: the server's answer to either is a `role` message.
  const resumeToken = resume.welcome(message);
  if (resumeToken) connection.send({ type: 'resume', token: resumeToken });
  // A server that speaks our subprotocol checked the token offered at the upgrade: not authenticated
  // means refused, and sending it again would only spend another of the address's wrong tokens.
  const refusedAtUpgrade = facts.authRequired && !facts.authenticated && facts.offeredToken !== null && connection.protocol === SUBPROTOCOL;
  if (refusedAtUpgrade) tokenRefused(page);
  else auth.welcome(message.authRequired, message.authenticated);
  seatChanged(message.role === 'driver');
  race.connected(raceRights());
  page.names.connected(message.nameKey);
  video.welcome(message);
  if (page.mayStop()) page.driveChannel.start();
}

/** This client's role or authentication changed (a seat taken or lost, a token accepted). */
function roleChanged(page: MessageParts, message: Extract<ServerMessage, { type: 'role' }>): void {
  const { facts, status, race, resume, auth, seatChanged, renderControls, raceRights } = page;
  facts.authenticated = message.authenticated;
  status.roleChanged(message.role, !facts.authRequired || facts.authenticated);
  auth.authenticated(message.authenticated);
  resume.role(message.role);
  if ((message.role === 'driver') !== facts.isDriver) seatChanged(message.role === 'driver');
  else renderControls(); // authenticated may have changed who may stop
  race.allowed(raceRights());
  if (page.mayStop()) page.driveChannel.start();
}

/** Never sent again: each wrong token spends the address's budget, and would lock everyone there out. */
function tokenRefused(page: MessageParts): void {
  const { status, auth } = page;
  auth.rejected();
  status.show('That access token was not accepted. Enter the current one to drive.');
}
