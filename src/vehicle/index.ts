// The car: from "the driver wants forward-left, fast" to bytes reaching a real or simulated car.
// Imports only node:* and serialport (ARCHITECTURE.md).

export type { Demand, Direction, CommandName, Intent } from './demand.js';
export { validateDemand, MAX_SPEED } from './demand.js';
export type { Pose, CarModel } from './kinematics.js';
export { step as stepPose, DEFAULT_CAR } from './kinematics.js';
export type { Codec, CodecName, Decoder } from './codec.js';
export { describeBytes, CODEC_NAMES } from './codec.js';
export { createCodec } from './create-codec.js';
export { ACCESSORY_NAMES, type AccessoryName } from './accessories.js';
export { CharmapError, parseCharmap, readCharmapFile, type RcAppCharmap } from './codecs/rc-app-charmap.js';
export { quantize, DEFAULT_DEAD_ZONE } from './quantize.js';
export type { Link, LinkState, LinkOptions } from './link.js';
export { DEFAULT_WRITE_TIMEOUT_MS } from './link.js';
export { createLink } from './create-link.js';
export { LINK_ACKS, type LinkAck } from './links/echo.js';
export type { LinkSpec } from './link-spec.js';
export { parseLinkSpec, formatLinkSpec, DEFAULT_BAUD } from './link-spec.js';
export { SimLink, type SimOptions } from './links/sim.js';
export { SimCar, DEFAULT_TICK_MS } from './sim-car.js';
export { SYSTEM_CLOCK, VirtualClock, ClockRunaway, MAX_FIRES_PER_MS, type Clock, type ClockTimer } from './clock.js';
export type { VehicleState, DriverOptions, DriveResult, AccessoryResult } from './driver.js';
export { Driver, DEFAULT_WATCHDOG_MS } from './driver.js';
export type { DeviceInfo } from './devices.js';
export { listDevices } from './devices.js';
export type { EmulatorOptions, ReceivedByte } from './emulator.js';
export { startEmulator, Emulator } from './emulator.js';
export { SafeEmitter, LISTENER_ERROR } from './safe-emitter.js';
