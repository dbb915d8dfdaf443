// Candidate serial devices for --list-devices, with the Bluetooth ones marked where the platform says so:
// - Linux: an SPP car bound with `rfcomm bind` appears as /dev/rfcommN;
// - Windows: Bluetooth's virtual COM ports carry a PnP id under BTHENUM (the Bluetooth enumerator);
// - macOS: a paired SPP device appears as /dev/tty.<name> and /dev/cu.<name> with no USB vendor id; the
//   built-in "Bluetooth-Incoming-Port" is one of them but no car (listed, and marked, as such).

import { readdir } from 'node:fs/promises';
import { SerialPort } from 'serialport';

export interface DeviceInfo {
  path: string;
  bluetooth: boolean;
  description: string;
}

/** The subset of serialport's PortInfo we read. */
export interface PortInfo {
  path: string;
  manufacturer?: string;
  pnpId?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

const USB_NAME = /usb|wch|slab|modem/i;

export function isBluetooth(port: PortInfo, platform: NodeJS.Platform): boolean {
  if (/bluetooth/i.test(`${port.path} ${port.manufacturer ?? ''}`)) return true;
  switch (platform) {
    case 'linux': return /^\/dev\/rfcomm\d+$/.test(port.path);
    case 'win32': return /BTHENUM/i.test(port.pnpId ?? '');
    case 'darwin': return /^\/dev\/(tty|cu)\./.test(port.path) && !port.vendorId && !USB_NAME.test(port.path);
    default: return /rfcomm/.test(port.path);
  }
}

export function describePort(port: PortInfo, bluetooth: boolean): string {
  const parts = [
    bluetooth ? 'Bluetooth serial (SPP)' : port.vendorId ? 'USB serial' : 'serial port',
    port.manufacturer,
    port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : undefined,
    port.serialNumber ? `s/n ${port.serialNumber}` : undefined,
  ];
  if (/Bluetooth-Incoming-Port/.test(port.path)) parts.push('(the Mac itself, not a car)');
  return parts.filter(Boolean).join(', ');
}

/** rfcomm devices bound after udev last looked may be missing from the list; /dev is the truth. */
async function rfcommDevices(): Promise<PortInfo[]> {
  try {
    return (await readdir('/dev')).filter((n) => /^rfcomm\d+$/.test(n)).map((n) => ({ path: `/dev/${n}` }));
  } catch {
    return [];
  }
}

export async function listDevices(
  platform: NodeJS.Platform = process.platform,
  list: () => Promise<PortInfo[]> = () => SerialPort.list(),
): Promise<DeviceInfo[]> {
  const ports = await list();
  if (platform === 'linux') {
    for (const p of await rfcommDevices()) if (!ports.some((q) => q.path === p.path)) ports.push(p);
  }
  return ports
    .map((port) => {
      const bluetooth = isBluetooth(port, platform);
      return { path: port.path, bluetooth, description: describePort(port, bluetooth) };
    })
    .sort((a, b) => Number(b.bluetooth) - Number(a.bluetooth) || a.path.localeCompare(b.path));
}
