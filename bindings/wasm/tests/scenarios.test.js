// The same engine everywhere: every scenario file of tests/scenarios replayed through
// the WebAssembly engine gives, step by step, the lines `openlines replay FILE` prints
// (the native CLI); the snapshot after the replay is byte-identical to the native
// library's, and each side restores the other's bytes.
//
// Needs the native CLI and the native example (bindings/wasm/run-tests.sh builds them):
// OPENLINES_CLI (default target/debug/openlines) and OPENLINES_NATIVE (default
// target/debug/examples/native), relative to the repository root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Engine, OpenLinesError } from 'openlines';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
const cli = process.env.OPENLINES_CLI ?? path.join(targetDir, 'debug', 'openlines');
const native = process.env.OPENLINES_NATIVE ?? path.join(targetDir, 'debug', 'examples', 'native');
const dir = path.join(root, 'tests', 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** The replay lines of the wasm engine, in `openlines replay`'s shape; and the engine. */
function wasmReplay(scenario) {
  const engine = new Engine(scenario.config);
  const lines = [];
  scenario.steps.forEach((step, index) => {
    let actions;
    let error = null;
    try {
      actions = step.input === undefined ? engine.advance(step.at) : engine.handle(step.at, step.input);
    } catch (e) {
      if (!(e instanceof OpenLinesError)) throw e;
      actions = e.actions;
      error = { kind: e.kind, message: e.message };
    }
    for (const action of actions) lines.push({ step: index, at: step.at, action });
    if (error) lines.push({ step: index, at: step.at, error });
  });
  return { engine, lines };
}

function nativeReplay(file) {
  const out = execFileSync(cli, ['replay', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

test(`there are scenario files (${files.length})`, () => {
  assert.ok(files.length > 0);
});

const wasmSnapshots = new Map();

for (const name of files) {
  test(`scenario ${name}: wasm replay equals openlines replay`, () => {
    const file = path.join(dir, name);
    const scenario = JSON.parse(readFileSync(file, 'utf8'));
    const expected = nativeReplay(file);
    const { engine, lines } = wasmReplay(scenario);
    assert.equal(lines.length, expected.length, `${name}: line count`);
    lines.forEach((line, i) => {
      const want = expected[i];
      // The CLI writes `at` in its canonical form; the time itself must agree.
      assert.equal(Date.parse(line.at), Date.parse(want.at), `${name} line ${i}: at`);
      assert.deepEqual({ ...line, at: want.at }, want, `${name} line ${i}`);
    });
    wasmSnapshots.set(file, engine.snapshot());
    engine.free();
  });
}

test('snapshots: wasm and native bytes are identical, and each restores the other', () => {
  const paths = files.map((f) => path.join(dir, f));
  const nativeOut = execFileSync(native, ['snapshot', ...paths], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const nativeRows = nativeOut.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(nativeRows.length, paths.length);
  for (const row of nativeRows) {
    const wasmBytes = wasmSnapshots.get(row.file);
    assert.ok(wasmBytes, `${row.file}: replayed through wasm`);
    assert.equal(hex(wasmBytes), row.snapshot, `${path.basename(row.file)}: wasm and native snapshot bytes differ`);
    // wasm restores the native bytes and writes them back unchanged.
    const restored = Engine.restore(unhex(row.snapshot));
    assert.equal(hex(restored.snapshot()), row.snapshot);
    restored.free();
  }
  // native restores the wasm bytes.
  const input = paths.map((file) => JSON.stringify({ file, snapshot: hex(wasmSnapshots.get(file)) })).join('\n') + '\n';
  const back = execFileSync(native, ['restore'], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const backRows = back.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(backRows.length, paths.length);
  for (const row of backRows) {
    assert.equal(row.error, undefined, `${row.file}: ${row.error}`);
    assert.equal(row.snapshot, hex(wasmSnapshots.get(row.file)), `${row.file}: native re-snapshot differs`);
    const engine = Engine.restore(wasmSnapshots.get(row.file));
    const deadline = engine.nextDeadline();
    assert.equal(row.next_deadline === null ? null : Math.ceil(Date.parse(row.next_deadline)), deadline === null ? null : deadline.getTime());
    engine.free();
  }
});
