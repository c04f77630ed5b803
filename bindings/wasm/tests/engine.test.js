// The JavaScript surface of the package: construction, handle/advance with the three
// kinds of time, errors (kind, paths, actions of a rejected input), handleMany,
// snapshot/restore, views, free and Symbol.dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, OpenLinesError, checkConfig, version } from 'openlines';

const config = {
  operators: [{ id: 'ann', max_dialogs: 2 }, { id: 'bob' }],
  lines: [{ id: 'sales', queue: { operators: ['ann', 'bob'], forward_after_secs: 60 } }],
};
const hi = { type: 'client_message', line: 'sales', client: 'tg:42', text: 'hi' };
const T0 = '2026-11-23T09:00:00Z';
const ms = (iso) => Date.parse(iso);

test('version is the crate version', () => {
  assert.match(version, /^\d+\.\d+\.\d+/);
});

test('a client message opens a dialog and offers it', () => {
  const engine = new Engine(config);
  const actions = engine.handle(T0, hi);
  assert.deepEqual(actions, [
    { type: 'dialog_opened', dialog: 1, line: 'sales', client: 'tg:42' },
    { type: 'offer', dialog: 1, operators: ['ann'], expires_at: '2026-11-23T09:01:00Z' },
  ]);
  assert.deepEqual(engine.nextDeadline(), new Date('2026-11-23T09:01:00Z'));
  assert.deepEqual(engine.now(), new Date(T0));
  engine.free();
});

test('at as a Date, an ISO string or epoch ms gives the same actions', () => {
  const runs = [new Date(T0), T0, ms(T0)].map((at) => {
    const engine = new Engine(config);
    const first = engine.handle(at, hi);
    const later = at instanceof Date ? new Date(ms(T0) + 61_000) : typeof at === 'string' ? '2026-11-23T09:01:01Z' : ms(T0) + 61_000;
    return [first, engine.advance(later)];
  });
  assert.deepEqual(runs[0], runs[1]);
  assert.deepEqual(runs[0], runs[2]);
  assert.equal(runs[0][1][0].type, 'offer_withdrawn');
});

test('a bad time argument is a TypeError, a bad ISO string an invalid_input error', () => {
  const engine = new Engine(config);
  assert.throws(() => engine.handle({}, hi), TypeError);
  assert.throws(() => engine.handle('tomorrow', hi), (e) => e instanceof OpenLinesError && e.kind === 'invalid_input' && /at:/.test(e.message));
  assert.throws(() => engine.advance(Number.NaN), (e) => e.kind === 'invalid_input');
});

test('an invalid config lists every problem with its path', () => {
  const bad = {
    operators: [{ id: 'ann', max_dialogs: 'two' }],
    lines: [{ id: 'sales', queue: { operators: ['ann', 'zed'], distribution: 'evenlyy' } }],
  };
  let error;
  try {
    new Engine(bad);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof OpenLinesError);
  assert.ok(error instanceof Error);
  assert.equal(error.kind, 'invalid_config');
  const paths = error.errors().map((i) => i.path);
  assert.ok(paths.includes('operators[0].max_dialogs'), paths.join());
  assert.ok(paths.includes('lines[0].queue.distribution'), paths.join());
  assert.match(error.message, /lines\[0\]\.queue\.distribution/);
  const issue = error.errors().find((i) => i.path === 'lines[0].queue.distribution');
  assert.deepEqual(issue.loc, ['lines', 0, 'queue', 'distribution']);
  assert.equal(issue.kind, 'invalid_value');
  const checked = checkConfig(bad);
  assert.deepEqual(checked.errors(), error.errors());
  assert.equal(checkConfig(config), null);
  assert.equal(checkConfig('{"lines": [{"id": "a"}], }').errors()[0].kind, 'syntax');
});

test('a rejected input keeps the actions of the timers that fired before it', () => {
  const engine = new Engine(config);
  engine.handle(T0, hi);
  // At 09:01:30 the offer to ann (due 09:01) expires first, bob gets it; then the input is refused.
  assert.throws(
    () => engine.handle('2026-11-23T09:01:30Z', { type: 'accept', dialog: 99, operator: 'ann' }),
    (e) => {
      assert.ok(e instanceof OpenLinesError);
      assert.equal(e.kind, 'unknown_dialog');
      assert.deepEqual(e.actions.map((a) => a.type), ['offer_withdrawn', 'offer']);
      return true;
    },
  );
  // An input that cannot be read: the same (time is committed), message names the field.
  assert.throws(
    () => engine.handle('2026-11-23T09:04:00Z', { type: 'accept', dialog: 1 }),
    (e) => e.kind === 'invalid_input' && /operator/.test(e.message) && e.actions.length > 0,
  );
  assert.throws(() => engine.advance(T0), (e) => e.kind === 'time_went_backwards');
});

test('handleMany: raise with index and results, or return errors in place', () => {
  const steps = [
    [T0, hi],
    { at: '2026-11-23T09:00:05Z', input: { type: 'accept', dialog: 1, operator: 'ann' } },
    ['2026-11-23T09:00:06Z', { type: 'close', dialog: 7, operator: 'ann' }],
    ['2026-11-23T09:00:07Z'],
  ];
  const engine = new Engine(config);
  const out = engine.handleMany(steps, { errors: 'return' });
  assert.equal(out.length, 4);
  assert.equal(out[1][0].type, 'assigned');
  assert.ok(out[2] instanceof OpenLinesError);
  assert.equal(out[2].index, 2);
  assert.deepEqual(out[3], []);
  const again = new Engine(config);
  assert.throws(() => again.handleMany(steps), (e) => e.index === 2 && e.results.length === 2 && e.kind === 'unknown_dialog');
});

test('snapshot and restore: same bytes, same behaviour', () => {
  const engine = new Engine(config);
  engine.handle(T0, hi);
  const bytes = engine.snapshot();
  assert.ok(bytes instanceof Uint8Array);
  const copy = Engine.restore(bytes);
  assert.deepEqual(copy.snapshot(), bytes);
  assert.deepEqual(copy.advance('2026-11-23T09:05:00Z'), engine.advance('2026-11-23T09:05:00Z'));
  assert.deepEqual(Engine.restore(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)).snapshot(), bytes);
  const corrupt = bytes.slice();
  corrupt[corrupt.length - 1] ^= 0xff;
  assert.throws(() => Engine.restore(corrupt), (e) => e.kind === 'snapshot_version');
  assert.throws(() => Engine.restore('nope'), TypeError);
});

test('views', () => {
  const engine = new Engine(config);
  engine.handle(T0, hi);
  engine.handle('2026-11-23T09:00:10Z', { type: 'accept', dialog: 1, operator: 'ann' });
  const dialog = engine.dialog(1);
  assert.equal(dialog.operator, 'ann');
  assert.equal(dialog.opened_at, '2026-11-23T09:00:00Z');
  assert.equal(engine.dialog(2), null);
  assert.equal(engine.dialog(-1), null);
  assert.deepEqual(engine.operator('ann').dialogs, [1]);
  assert.equal(engine.operator('zed'), null);
  assert.deepEqual(engine.queue('sales').waiting, []);
  assert.equal(engine.stats('sales').assigned, 1);
  assert.equal(engine.stats('nope'), null);
  assert.equal(engine.explain(1).operators[0].operator, 'ann');
  assert.deepEqual(engine.openDialogs(), [1]);
  assert.deepEqual(engine.operatorIds(), ['ann', 'bob']);
  assert.deepEqual(engine.lineIds(), ['sales']);
});

test('free and Symbol.dispose release the engine; a freed engine refuses calls', () => {
  const engine = new Engine(config);
  engine.free();
  engine.free();
  assert.throws(() => engine.advance(T0), (e) => e instanceof OpenLinesError);
  let kept;
  {
    const scoped = new Engine(config);
    kept = scoped;
    const dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose');
    scoped[dispose]();
  }
  assert.throws(() => kept.nextDeadline(), /freed/);
});

test('config as JSON text; a non-object input is refused after the tick', () => {
  const engine = new Engine(JSON.stringify(config));
  assert.throws(() => engine.handle(T0, 42), (e) => e.kind === 'invalid_input');
  assert.throws(() => engine.handle(T0, undefined), (e) => e.kind === 'invalid_input');
});
