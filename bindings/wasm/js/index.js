// The npm package `openlines`: the routing engine compiled to WebAssembly, with the
// contract's JSON shapes as plain objects. Works in Node >= 18 and in browsers (ESM,
// top-level await loads the module once).
import init, { initSync, RawEngine, checkConfig as rawCheckConfig, version as rawVersion } from '../pkg/openlines_wasm.js';

const wasmUrl = new URL('../pkg/openlines_wasm_bg.wasm', import.meta.url);
if (typeof process !== 'undefined' && process.versions && process.versions.node && wasmUrl.protocol === 'file:') {
  const { readFile } = await import('node:fs/promises');
  initSync({ module: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

/** The version of the engine inside, e.g. "0.1.0". */
export const version = rawVersion();

/**
 * Every error of the engine. `kind` is the contract's error kind (`invalid_config`,
 * `invalid_input`, `unknown_line`, `unknown_operator`, `unknown_dialog`, `not_allowed`,
 * `time_went_backwards`, `snapshot_version`, or `internal` for a bug); `actions` holds
 * the actions of the timers that fired before a rejected input (carry them out);
 * `errors()` lists every config problem with its path.
 */
export class OpenLinesError extends Error {
  constructor(kind, message, issues = [], actions = []) {
    super(message);
    this.name = 'OpenLinesError';
    this.kind = kind;
    this.actions = actions;
    this.issues = issues;
    this.index = undefined;
    this.results = undefined;
  }

  /** Every problem found, each `{path, loc, kind, message}`. */
  errors() {
    return this.issues.map((i) => ({ ...i, loc: [...i.loc] }));
  }
}

function fromThrown(thrown) {
  if (typeof thrown === 'string' && thrown.startsWith('{')) {
    const e = JSON.parse(thrown);
    return new OpenLinesError(e.kind, e.message, e.issues, e.actions);
  }
  if (thrown instanceof WebAssembly.RuntimeError) {
    // A panic inside the engine (a bug): reported, never a silent wrong answer.
    return new OpenLinesError('internal', `internal error in the openlines engine (a bug): ${thrown.message}`);
  }
  return thrown;
}

/** `at` as (milliseconds, text): a Date, an ISO string or epoch milliseconds. */
function timeArg(at, what) {
  if (typeof at === 'number') return [at, undefined];
  if (typeof at === 'string') return [0, at];
  if (at instanceof Date) return [at.getTime(), undefined];
  throw new TypeError(`${what}: expected a Date, an ISO string or epoch milliseconds, got ${describe(at)}`);
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

function jsonText(value, what) {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what}: expected an object, got ${describe(value)}`);
  return text;
}

const dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose');

/** One tenant's routing engine. Not shared between threads (workers): one per tenant. */
export class Engine {
  #raw;

  /** `config`: an object of the contract's config shape, or its JSON text. */
  constructor(config) {
    if (config === RESTORE) return;
    const text = jsonText(config, 'config');
    try {
      this.#raw = new RawEngine(text);
    } catch (e) {
      throw fromThrown(e);
    }
  }

  #engine() {
    if (this.#raw === undefined) throw new OpenLinesError('not_allowed', 'this engine was freed');
    return this.#raw;
  }

  /** Rebuild an engine from `snapshot()` bytes (a Uint8Array, ArrayBuffer or Buffer). */
  static restore(bytes) {
    let data = bytes;
    if (data instanceof ArrayBuffer) data = new Uint8Array(data);
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`bytes: expected a Uint8Array from Engine.snapshot(), got ${describe(bytes)}`);
    }
    const engine = new Engine(RESTORE);
    try {
      engine.#raw = RawEngine.restore(data);
    } catch (e) {
      throw fromThrown(e);
    }
    return engine;
  }

  /**
   * Apply one input at `at` and return the actions to carry out, in order. Timers due
   * at or before `at` fire first. A rejected input throws an OpenLinesError whose
   * `actions` are those timers' actions.
   */
  handle(at, input) {
    const [ms, text] = timeArg(at, 'at');
    const raw = this.#engine();
    let out;
    try {
      out = raw.handle(ms, text, jsonText(input ?? null, 'input'));
    } catch (e) {
      throw fromThrown(e);
    }
    return JSON.parse(out);
  }

  /** A clock tick: fire every timer due at or before `at`. */
  advance(at) {
    const [ms, text] = timeArg(at, 'at');
    const raw = this.#engine();
    let out;
    try {
      out = raw.advance(ms, text);
    } catch (e) {
      throw fromThrown(e);
    }
    return JSON.parse(out);
  }

  /**
   * Many timed inputs in one call: `steps` is an iterable of `[at, input]` pairs or
   * `{at, input}` objects (`input` absent, null or `{type: "tick"}` is a clock tick).
   * Returns one action list per step. `errors: "raise"` (default): the first rejected
   * step throws, with `index`, `results` (the lists before it, applied) and `actions`;
   * `"return"`: the error object takes the step's slot and the replay goes on.
   */
  handleMany(steps, { errors = 'raise' } = {}) {
    if (errors !== 'raise' && errors !== 'return') {
      throw new TypeError(`errors: expected "raise" or "return", got ${JSON.stringify(errors)}`);
    }
    const out = [];
    let index = 0;
    for (const step of steps) {
      let at;
      let input;
      if (Array.isArray(step)) [at, input] = step;
      else if (step !== null && typeof step === 'object') ({ at, input } = step);
      else throw new TypeError(`steps[${index}]: expected an [at, input] pair or {at, input}, got ${describe(step)}`);
      try {
        out.push(input == null ? this.advance(at) : this.handle(at, input));
      } catch (e) {
        if (!(e instanceof OpenLinesError)) throw e;
        e.index = index;
        if (errors === 'return') {
          out.push(e);
        } else {
          e.results = out;
          throw e;
        }
      }
      index += 1;
    }
    return out;
  }

  /** When `advance` must be called next (rounded up to the millisecond), or null. */
  nextDeadline() {
    const ms = this.#engine().nextDeadlineMs();
    return ms === undefined ? null : new Date(ms);
  }

  /** The engine's time (the last accepted input's), or null before the first one. */
  now() {
    const ms = this.#engine().nowMs();
    return ms === undefined ? null : new Date(ms);
  }

  /** The full state as bytes: the same bytes the native library writes. */
  snapshot() {
    return this.#engine().snapshot();
  }

  /** An open dialog's view, or null. */
  dialog(id) {
    return parseView(this.#engine().dialog(Number(id)));
  }

  /** An operator's view, or null. */
  operator(id) {
    return parseView(this.#engine().operator(String(id)));
  }

  /** A line's waiting queue, or null. */
  queue(line) {
    return parseView(this.#engine().queue(String(line)));
  }

  /** A line's live counts and totals, or null. */
  stats(line) {
    return parseView(this.#engine().stats(String(line)));
  }

  /** Why the last routing decision of a dialog went as it did, or null. */
  explain(id) {
    return parseView(this.#engine().explain(Number(id)));
  }

  /** Ids of the open dialogs, ascending. */
  openDialogs() {
    return JSON.parse(this.#engine().openDialogs());
  }

  /** Ids of the operators, in config order. */
  operatorIds() {
    return JSON.parse(this.#engine().operatorIds());
  }

  /** Ids of the lines, in config order. */
  lineIds() {
    return JSON.parse(this.#engine().lineIds());
  }

  /** Release the engine's memory now (also done by the garbage collector). */
  free() {
    if (this.#raw !== undefined) {
      this.#raw.free();
      this.#raw = undefined;
    }
  }

  [dispose]() {
    this.free();
  }
}

const RESTORE = Symbol('restore');

function parseView(text) {
  return text === undefined ? null : JSON.parse(text);
}

/**
 * Check a config without building an engine: null when valid, else the
 * OpenLinesError (kind `invalid_config`) listing every problem with its path.
 */
export function checkConfig(config) {
  const text = jsonText(config, 'config');
  const err = rawCheckConfig(text);
  return err === undefined ? null : fromThrown(err);
}
