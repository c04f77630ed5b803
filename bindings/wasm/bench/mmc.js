// Node bench of the npm package on the M/M/c day of python/bench.py: the engine
// (WebAssembly) against a hand-written JS router making the same decisions.
//
// One line, 10 operators of 2 dialogs each, clients arriving as a Poisson process at
// 0.9 of that capacity, every offer accepted at once, each dialog closed after an
// exponential service time (mean 10 minutes). Both routers get the same traffic (a
// seeded PRNG: the same day for both, not Python's random numbers), objects in and
// objects out; only the time inside their calls is counted (process.hrtime around each
// call). Their decisions must be identical.
//
// usage: node bench/mmc.js [--dialogs N] [--rounds R] [--json]
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { Engine } from 'openlines';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DIALOGS = opt('--dialogs', 100_000);
const ROUNDS = opt('--rounds', 3);
const OPERATORS = 10;
const CAPACITY = 2;

function mmcConfig(operators, capacity) {
  const ids = Array.from({ length: operators }, (_, i) => `op${i}`);
  return {
    operators: ids.map((id) => ({ id, max_dialogs: capacity })),
    lines: [{ id: 'sales', queue: { operators: ids, distribution: 'least_busy' } }],
  };
}

/** What a helpdesk writes itself: least_busy, a per-operator capacity, a FIFO queue. */
class HandWrittenRouter {
  constructor(config) {
    this.operators = config.operators.map((o) => o.id);
    this.capacity = new Map(config.operators.map((o) => [o.id, o.max_dialogs]));
    this.load = new Map(this.operators.map((o) => [o, 0]));
    this.owner = new Map();
    this.waiting = [];
    this.head = 0;
    this.nextDialog = 1;
    this.forwardAfterMs = 60_000;
  }

  offer(at, dialog) {
    let best = null;
    let bestLoad = 0;
    for (const op of this.operators) {
      const load = this.load.get(op);
      if (load < this.capacity.get(op) && (best === null || load < bestLoad)) {
        best = op;
        bestLoad = load;
      }
    }
    if (best === null) return null;
    this.load.set(best, bestLoad + 1);
    this.owner.set(dialog, best);
    // expires_at left a number: no formatting is charged to the baseline.
    return { type: 'offer', dialog, operators: [best], expires_at: at + this.forwardAfterMs };
  }

  handle(at, msg) {
    switch (msg.type) {
      case 'client_message': {
        const dialog = this.nextDialog++;
        const out = [{ type: 'dialog_opened', dialog, line: msg.line, client: msg.client }];
        const offer = this.offer(at, dialog);
        if (offer === null) {
          this.waiting.push(dialog);
          out.push({ type: 'queued', dialog, reason: 'nobody_available' });
        } else {
          out.push(offer);
        }
        return out;
      }
      case 'accept':
        return [{ type: 'assigned', dialog: msg.dialog, operator: msg.operator, reason: 'accepted' }];
      case 'close': {
        const dialog = msg.dialog;
        const op = this.owner.get(dialog);
        this.owner.delete(dialog);
        this.load.set(op, this.load.get(op) - 1);
        const out = [{ type: 'dialog_closed', dialog, reason: 'operator' }];
        if (this.head < this.waiting.length) {
          const offer = this.offer(at, this.waiting[this.head]);
          if (offer !== null) {
            this.head += 1;
            out.push(offer);
          }
        }
        return out;
      }
      default:
        throw new Error(`the baseline router has no ${msg.type}`);
    }
  }
}

/** mulberry32: a small seeded PRNG, so both routers see the same day. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A min-heap of [t, dialog, op]. */
class Heap {
  constructor() { this.a = []; }
  get size() { return this.a.length; }
  peek() { return this.a[0]; }
  less(x, y) { return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]); }
  push(v) {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Drive one router through the day; the ns inside its calls, the calls, the decisions. */
export function runMmc(call, dialogs, operators = OPERATORS, capacity = CAPACITY, seed = 7) {
  const random = rng(seed);
  const expo = (rate) => -Math.log(1 - random()) / rate;
  const meanService = 600;
  const rate = (0.9 * operators * capacity) / meanService;
  const start = Date.UTC(2026, 10, 23, 9, 0, 0);
  const closes = new Heap();
  const decisions = [];
  let spent = 0n;
  let calls = 0;
  let arrival = 0;
  let arrived = 0;
  const step = (t, inp) => {
    const at = start + Math.round(t * 1000);
    const pending = [inp];
    while (pending.length) {
      const input = pending.pop();
      const begin = process.hrtime.bigint();
      const out = call(at, input);
      spent += process.hrtime.bigint() - begin;
      calls += 1;
      for (const a of out) {
        switch (a.type) {
          case 'offer':
            decisions.push(`offer ${a.dialog} ${a.operators[0]}`);
            pending.push({ type: 'accept', dialog: a.dialog, operator: a.operators[0] });
            break;
          case 'assigned':
            decisions.push(`assigned ${a.dialog} ${a.operator}`);
            closes.push([t + expo(1 / meanService), a.dialog, a.operator]);
            break;
          case 'dialog_opened':
          case 'queued':
          case 'dialog_closed':
            decisions.push(`${a.type} ${a.dialog}`);
            break;
          default:
        }
      }
    }
  };
  while (arrived < dialogs || closes.size) {
    if (arrived < dialogs && (!closes.size || arrival <= closes.peek()[0])) {
      step(arrival, { type: 'client_message', line: 'sales', client: `tg:${arrived}` });
      arrived += 1;
      arrival += expo(rate);
    } else {
      const [t, dialog, op] = closes.pop();
      step(t, { type: 'close', dialog, operator: op });
    }
  }
  return { ns: Number(spent), calls, decisions };
}

export function benchMmc(dialogs = DIALOGS, rounds = ROUNDS) {
  const config = mmcConfig(OPERATORS, CAPACITY);
  const best = {};
  let reference = null;
  let calls = 0;
  for (let r = 0; r < rounds; r++) {
    const router = new HandWrittenRouter(config);
    const engine = new Engine(config);
    const ways = {
      handwritten: (at, inp) => router.handle(at, inp),
      engine: (at, inp) => engine.handle(at, inp),
    };
    for (const [name, call] of Object.entries(ways)) {
      const run = runMmc(call, dialogs);
      calls = run.calls;
      if (reference === null) reference = run.decisions;
      else if (run.decisions.length !== reference.length || run.decisions.some((d, i) => d !== reference[i])) {
        throw new Error(`${name} decided differently from the baseline`);
      }
      best[name] = Math.min(best[name] ?? Infinity, run.ns);
    }
    engine.free();
  }
  const wasm = readFileSync(new URL('../pkg/openlines_wasm_bg.wasm', import.meta.url));
  return {
    dialogs,
    operators: OPERATORS,
    capacity: CAPACITY,
    calls,
    handwritten_ns_per_call: Math.round(best.handwritten / calls),
    engine_ns_per_call: Math.round(best.engine / calls),
    engine_vs_handwritten: Math.round((best.handwritten / best.engine) * 100) / 100,
    wasm_bytes: wasm.length,
    wasm_gzip_bytes: gzipSync(wasm, { level: 9 }).length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = benchMmc();
  if (args.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(26)} ${v}`);
  }
}
