import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listDevices } from '../../src/vehicle/index.js';
import { isBluetooth } from '../../src/vehicle/devices.js';

describe('listDevices', () => {
  it('marks Linux rfcomm devices as Bluetooth, USB adapters not', async () => {
    const list = await listDevices('linux', async () => [
      { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: '0403', productId: '6001' },
      { path: '/dev/rfcomm0' },
      { path: '/dev/ttyS0' },
    ]);
    const byPath = Object.fromEntries(list.map((d) => [d.path, d]));
    assert.equal(byPath['/dev/rfcomm0'].bluetooth, true);
    assert.equal(byPath['/dev/ttyUSB0'].bluetooth, false);
    assert.equal(byPath['/dev/ttyS0'].bluetooth, false);
    assert.match(byPath['/dev/ttyUSB0'].description, /USB serial, FTDI, 0403:6001/);
    assert.equal(list[0].path, '/dev/rfcomm0', 'Bluetooth candidates come first');
  });

  it('marks Windows BTHENUM ports as Bluetooth', async () => {
    const list = await listDevices('win32', async () => [
      { path: 'COM5', pnpId: 'BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0002\\7&1A2B&0&001122334455_C00000000' },
      { path: 'COM3', pnpId: 'USB\\VID_1A86&PID_7523\\5&2B1C&0&2', vendorId: '1A86', productId: '7523' },
    ]);
    assert.deepEqual(list.map((d) => [d.path, d.bluetooth]), [['COM5', true], ['COM3', false]]);
    assert.match(list[0].description, /Bluetooth serial/);
  });

  it('marks macOS tty.<name> SPP devices, not USB adapters', () => {
    assert.equal(isBluetooth({ path: '/dev/tty.i-Racer-SPPDev' }, 'darwin'), true);
    assert.equal(isBluetooth({ path: '/dev/cu.HC-05' }, 'darwin'), true);
    assert.equal(isBluetooth({ path: '/dev/tty.Bluetooth-Incoming-Port' }, 'darwin'), true);
    assert.equal(isBluetooth({ path: '/dev/tty.usbserial-A50285BI', vendorId: '0403' }, 'darwin'), false);
    assert.equal(isBluetooth({ path: '/dev/cu.usbmodem14101' }, 'darwin'), false);
  });

  it('lists the real ports of this machine without failing', async () => {
    const list = await listDevices();
    for (const d of list) {
      assert.equal(typeof d.path, 'string');
      assert.equal(typeof d.bluetooth, 'boolean');
      assert.equal(typeof d.description, 'string');
    }
  });
});
