/**
 * `{"type":"accessory"}`: the lights and horn of a car whose codec has them. The driver's, like driving,
 * but never motion: Driver.accessory writes the accessory's characters followed by what the car already
 * holds, and leaves the watchdog alone (docs/safety.md).
 */
import type { Driver } from '../../vehicle/index.js';
import type { ClientSession } from '../connection/client-session.js';
import { may } from '../connection/policy.js';
import type { AccessoryMessage, AccessoryName } from '../protocol/messages.js';
import type { Seat } from './seat.js';

export interface AccessoryCar {
  seat: Pick<Seat, 'driver' | 'noteActivity'>;
  driver: Driver;
  /** What the car has (its codec's), as `welcome.vehicle.accessories` told the page. */
  accessories: readonly AccessoryName[];
}

export function switchAccessory(session: ClientSession, msg: AccessoryMessage, car: AccessoryCar): void {
  const refusal = may(session, 'accessory', { driver: car.seat.driver });
  if (refusal) return session.error(refusal.code, refusal.message, 'accessory');
  car.seat.noteActivity(session.id);
  const result = car.driver.accessory(msg.name, msg.on);
  if (result.ok) return;
  if (result.reason === 'unsupported') {
    const has = car.accessories.length > 0 ? car.accessories.join(', ') : 'none';
    return session.error('invalid_message', `this car has no ${msg.name === 'all' ? 'accessories' : msg.name} (it has: ${has})`, 'accessory', 'name');
  }
  session.error('link_down', 'the car is not connected; the command was dropped', 'accessory');
}
