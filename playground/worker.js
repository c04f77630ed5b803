// The simulated day, off the page's thread: Poisson arrivals at the hour's rate, every
// offer answered after the given delay (accept), each dialog closed by its operator
// after an exponential handling time; ticks at every deadline. All routing decisions
// are the engine's (WebAssembly); progress is posted as the day runs.
import { Engine, OpenLinesError } from '../bindings/wasm/js/index.js';

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

self.onmessage = ({ data }) => {
  try {
    self.postMessage({ result: run(data) });
  } catch (e) {
    self.postMessage({ error: e instanceof OpenLinesError ? `${e.kind}: ${e.message}` : String(e) });
  }
};

function run({ config, arrivals, handleMins, answerSecs, seed }) {
  const random = rng(seed);
  const expo = (mean) => -Math.log(1 - random()) * mean;
  const day = Date.UTC(2026, 10, 23);
  const engine = new Engine(config);
  const line = engine.lineIds()[0];
  // Events: [time ms, kind, payload]; a sorted array is enough for a day.
  const events = [];
  for (let h = 0; h < 24; h++) {
    const rate = arrivals[h] / 3600; // per second
    if (rate <= 0) continue;
    for (let t = expo(1 / rate); t < 3600; t += expo(1 / rate)) events.push([day + Math.round((h * 3600 + t) * 1000), 'client']);
  }
  const total = events.length;
  events.sort((a, b) => a[0] - b[0]);
  const queue = events;
  const push = (ev) => {
    let i = queue.length;
    while (i > 0 && queue[i - 1][0] > ev[0]) i--;
    queue.splice(i, 0, ev);
  };
  const hours = Array.from({ length: 24 }, () => ({ dialogs: 0, waitSum: 0, assigned: 0, maxWait: 0, maxQueue: 0 }));
  const opened = new Map();
  const traceLimit = 200;
  const traces = {};
  let calls = 0;
  let clients = 0;
  let done = 0;
  const started = performance.now();
  const note = (at, actions) => {
    for (const a of actions) {
      if (a.dialog <= traceLimit) (traces[a.dialog] ??= []).push(`${new Date(at).toISOString().slice(11, 19)} ${JSON.stringify(a)}`);
      if (a.type === 'dialog_opened') {
        opened.set(a.dialog, at);
        hours[new Date(at).getUTCHours()].dialogs += 1;
      } else if (a.type === 'offer') {
        push([at + answerSecs * 1000, 'accept', a.dialog, a.operators[0]]);
      } else if (a.type === 'assigned') {
        const since = opened.get(a.dialog);
        if (since !== undefined) {
          const h = hours[new Date(since).getUTCHours()];
          const wait = (at - since) / 1000;
          h.waitSum += wait;
          h.assigned += 1;
          h.maxWait = Math.max(h.maxWait, wait);
          opened.delete(a.dialog);
        }
        push([at + Math.round(expo(handleMins * 60) * 1000), 'close', a.dialog, a.operator]);
      } else if (a.type === 'dialog_closed') {
        done += 1;
      }
    }
  };
  const call = (at, input) => {
    calls += 1;
    try {
      note(at, input ? engine.handle(at, input) : engine.advance(at));
    } catch (e) {
      if (!(e instanceof OpenLinesError)) throw e;
      note(at, e.actions); // e.g. an offer that timed out before the accept
    }
  };
  let last = 0;
  while (queue.length) {
    const [at, kind, dialog, operator] = queue.shift();
    const deadline = engine.nextDeadline();
    if (deadline && deadline.getTime() < at) {
      push([at, kind, dialog, operator]);
      call(deadline.getTime(), null);
      continue;
    }
    if (kind === 'client') {
      clients += 1;
      call(at, { type: 'client_message', line, client: `c${clients}`, text: 'hi' });
    } else if (kind === 'accept') {
      call(at, { type: 'accept', dialog, operator });
    } else {
      call(at, { type: 'close', dialog, operator });
    }
    const stats = engine.stats(line);
    const h = hours[new Date(at).getUTCHours()];
    if (stats) h.maxQueue = Math.max(h.maxQueue, stats.queued);
    const progress = total ? clients / total : 1;
    if (progress - last > 0.02) {
      last = progress;
      self.postMessage({ progress });
    }
  }
  engine.free();
  const assigned = hours.reduce((s, h) => s + h.assigned, 0);
  const waitSum = hours.reduce((s, h) => s + h.waitSum, 0);
  return {
    dialogs: clients,
    closed: done,
    calls,
    ms: performance.now() - started,
    meanWait: assigned ? waitSum / assigned : 0,
    hours: hours.map((h) => ({ dialogs: h.dialogs, avgWait: h.assigned ? h.waitSum / h.assigned : 0, maxWait: h.maxWait, maxQueue: h.maxQueue })),
    traces,
    traceLimit,
  };
}
