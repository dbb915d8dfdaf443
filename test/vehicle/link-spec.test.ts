import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLinkSpec, parseLinkSpec, validateDemand } from '../../src/vehicle/index.js';

describe('parseLinkSpec', () => {
  it('parses the three kinds, with 9600 baud by default', () => {
    assert.deepEqual(parseLinkSpec('sim'), { kind: 'sim' });
    assert.deepEqual(parseLinkSpec('serial:/dev/rfcomm0'), { kind: 'serial', path: '/dev/rfcomm0', baudRate: 9600 });
    assert.deepEqual(parseLinkSpec('serial:COM5@115200'), { kind: 'serial', path: 'COM5', baudRate: 115200 });
    assert.deepEqual(parseLinkSpec('serial:/dev/tty.i-Racer-SPP'), { kind: 'serial', path: '/dev/tty.i-Racer-SPP', baudRate: 9600 });
    assert.deepEqual(parseLinkSpec('tcp:192.168.4.1:23'), { kind: 'tcp', host: '192.168.4.1', port: 23 });
    assert.deepEqual(parseLinkSpec('tcp:[::1]:2000'), { kind: 'tcp', host: '::1', port: 2000 });
  });

  it('formats back to the same text', () => {
    for (const s of ['sim', 'serial:/dev/rfcomm0', 'serial:COM5@115200', 'tcp:car.local:2000', 'tcp:[::1]:2000']) {
      assert.equal(formatLinkSpec(parseLinkSpec(s)), s);
    }
  });

  it('rejects bad specs with a message that says what is wrong and what is expected', () => {
    const cases: Array<[string, RegExp]> = [
      ['bluetooth:00:11', /unknown kind/],
      ['', /unknown kind/],
      ['serial:', /path is empty/],
      ['serial:/dev/rfcomm0@fast', /baud rate 'fast'/],
      ['serial:/dev/rfcomm0@0', /out of range/],
      ['tcp:host', /port '.*' is not in 1-65535|port is missing/],
      ['tcp:host:0', /port '0'/],
      ['tcp:host:70000', /port '70000'/],
      ['tcp::23', /host is empty/],
    ];
    for (const [spec, why] of cases) {
      assert.throws(() => parseLinkSpec(spec), (e: Error) => why.test(e.message) && /expected 'sim'/.test(e.message), spec);
    }
  });
});

describe('validateDemand', () => {
  it('accepts well-formed demands', () => {
    for (const d of [
      { kind: 'analog', x: -1, y: 1 },
      { kind: 'command', name: 'left', speed: 15, durationMs: 100 },
      { kind: 'command', name: 'stop' },
      { kind: 'raw', byte: 255, durationMs: 1000 },
    ]) assert.equal(validateDemand(d), d);
  });

  it('names the offending field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /must be an object/],
      [{ kind: 'fly' }, /demand.kind/],
      [{ kind: 'analog', x: 2, y: 0 }, /demand.x/],
      [{ kind: 'analog', x: 0, y: Number.NaN }, /demand.y/],
      [{ kind: 'analog', x: 0 }, /demand.y/],
      [{ kind: 'command', name: 'jump' }, /demand.name/],
      [{ kind: 'command', name: 'forward', speed: 0 }, /demand.speed/],
      [{ kind: 'command', name: 'forward', speed: 1.5 }, /demand.speed/],
      [{ kind: 'command', name: 'forward', durationMs: -1 }, /demand.durationMs/],
      [{ kind: 'raw', byte: 256 }, /demand.byte/],
      [{ kind: 'raw', byte: '1' }, /demand.byte/],
    ];
    for (const [d, why] of cases) assert.throws(() => validateDemand(d), (e: Error) => e instanceof TypeError && why.test(e.message));
  });
});
