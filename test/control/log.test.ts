// The structured log: levels, the text and JSON renderings, the fields every record carries, and the
// token that never reaches a line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, describeRecord, jsonLine, textLine, toLogger, type LogRecord } from '../../src/control/log.js';

function recorder(level: Parameters<typeof createLogger>[1]) {
  const records: LogRecord[] = [];
  return { records, log: createLogger((r) => records.push(r), level) };
}

test('records below the level are dropped, and enabled() says so', () => {
  const { records, log } = recorder('warn');
  log.debug('a');
  log.info('b');
  log.warn('c');
  log.error('d');
  log('a plain line is info');
  assert.deepEqual(records.map((r) => `${r.level}:${r.event}`), ['warn:c', 'error:d']);
  assert.equal(log.enabled('warn'), true);
  assert.equal(log.enabled('info'), false);
});

test('a JSON line is one object with time, level, event, message and the fields', () => {
  const { records, log } = recorder('debug');
  log.with({ car: 'red' }).info('connected', { client: 'c1', address: '10.0.0.7', role: 'driver', camera: undefined });
  log.error('shutdown', {}, 'SIGTERM: car stopped\nsecond line');
  const first = JSON.parse(jsonLine(records[0]));
  assert.deepEqual({ ...first, time: undefined }, {
    time: undefined, level: 'info', event: 'connected', client: 'c1', address: '10.0.0.7', role: 'driver', car: 'red',
  });
  assert.ok(!Number.isNaN(Date.parse(first.time)));
  const second = jsonLine(records[1]);
  assert.ok(!second.includes('\n'), 'one line, whatever the message holds');
  assert.equal(JSON.parse(second).message, 'SIGTERM: car stopped\nsecond line');
});

test('a text line: time, level, event or message, then key=value, quoted only when needed', () => {
  const { records, log } = recorder('debug');
  log.info('refused', { address: '::1', reason: 'origin not allowed', status: 403, origin: 'http://a"b' });
  assert.match(textLine(records[0]), /^\d{4}-\d\d-\d\dT[\d:.]+Z info  refused address=::1 reason="origin not allowed" status=403 origin="http:\/\/a\\"b"$/);
  log.warn('link_failure', {}, 'car link: no such file');
  assert.equal(describeRecord(records[1]), 'car link: no such file');
  log.info('empty', { text: '' });
  assert.equal(describeRecord(records[2]), 'empty text=""');
});

test('a field named like a secret is redacted, whoever logs it', () => {
  const { records, log } = recorder('debug');
  log.with({ apiToken: 'base-secret' }).info('auth', { token: 'hunter2', resumeToken: 'r', password: 'p', client: 'c1' });
  const line = jsonLine(records[0]) + textLine(records[0]);
  for (const secret of ['hunter2', 'base-secret', '"r"', '"p"']) assert.ok(!line.includes(secret), secret);
  assert.equal(JSON.parse(jsonLine(records[0])).token, '[redacted]');
});

test('toLogger: a plain line sink gets every level as text; nothing gives a silent logger', () => {
  const lines: string[] = [];
  const log = toLogger((line) => lines.push(line));
  log.debug('role', { client: 'c2', role: 'spectator' });
  log('free text');
  assert.deepEqual(lines, ['role client=c2 role=spectator', 'free text']);
  assert.equal(toLogger(log), log);
  toLogger(undefined).error('nobody hears this');
});

test('a sink that throws (its stream gone) is dropped once, quietly, for the logger and those made with with()', () => {
  let calls = 0;
  const log = createLogger(() => {
    calls += 1;
    throw new Error('write EPIPE');
  }, 'debug');
  const child = log.with({ car: 'red' });
  assert.doesNotThrow(() => {
    log.info('connected');
    child.warn('link');
    log.error('shutdown', {}, 'SIGTERM');
  });
  assert.equal(calls, 1, 'never called again after it threw');
});
