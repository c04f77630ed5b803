// The playground page: the config checked as you type (every problem with its path),
// the day run in a Web Worker (worker.js) with a progress bar, then a chart, a table
// and the trace of a chosen dialog.
import { checkConfig } from '../bindings/wasm/js/index.js';

const $ = (id) => document.getElementById(id);
const sample = {
  operators: ['ann', 'bob', 'cid', 'dan'].map((id) => ({ id, max_dialogs: 2 })),
  lines: [{
    id: 'sales',
    queue: { operators: ['ann', 'bob', 'cid', 'dan'], distribution: 'least_busy', forward_after_secs: 60 },
    greeting: { text: 'Hello! An operator will answer soon.' },
    unanswered: { after_secs: 300, text: 'Please wait, we are busy' },
  }],
};
$('config').value = JSON.stringify(sample, null, 2);
$('arrivals').value = [0, 0, 0, 0, 0, 0, 0, 2, 10, 30, 40, 40, 30, 35, 40, 35, 30, 20, 10, 5, 2, 0, 0, 0].join(', ');

function check() {
  const text = $('config').value;
  let problems;
  try {
    const error = checkConfig(text);
    problems = error ? error.errors().map((i) => `${i.path}: ${i.message}`) : [];
  } catch (e) {
    problems = [String(e.message ?? e)];
  }
  $('problems').textContent = problems.length ? problems.join('\n') : 'config OK';
  $('problems').className = problems.length ? '' : 'ok';
  $('run').disabled = problems.length > 0;
  return problems.length === 0;
}
$('config').addEventListener('input', check);
check();

function arrivals() {
  const text = $('arrivals').value.trim();
  const perHour = new Array(24).fill(0);
  if (text.includes('\n') && text.includes(',')) {
    for (const row of text.split('\n')) {
      const [h, n] = row.split(',').map(Number);
      if (Number.isInteger(h) && h >= 0 && h < 24 && Number.isFinite(n)) perHour[h] = n;
    }
  } else {
    text.split(/[\s,;]+/).slice(0, 24).forEach((n, i) => { perHour[i] = Number(n) || 0; });
  }
  return perHour;
}

let result = null;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.progress !== undefined) $('progress').value = data.progress;
  if (data.error) {
    $('summary').textContent = `error: ${data.error}`;
    $('run').disabled = false;
  }
  if (data.result) {
    result = data.result;
    $('progress').value = 1;
    $('run').disabled = false;
    draw(result);
    document.body.dataset.done = 'yes';
  }
};
$('run').addEventListener('click', () => {
  if (!check()) return;
  $('run').disabled = true;
  $('progress').value = 0;
  document.body.dataset.done = '';
  worker.postMessage({
    config: $('config').value,
    arrivals: arrivals(),
    handleMins: Number($('handle').value),
    answerSecs: Number($('answer').value),
    seed: Number($('seed').value),
  });
});

function draw(r) {
  const svg = $('chart');
  const W = 960; const H = 260; const pad = 30;
  const maxWait = Math.max(1, ...r.hours.map((h) => h.avgWait));
  const maxQueue = Math.max(1, ...r.hours.map((h) => h.maxQueue));
  const bw = (W - 2 * pad) / 24;
  let out = `<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#444"/>`;
  r.hours.forEach((h, i) => {
    const bh = ((H - 2 * pad) * h.avgWait) / maxWait;
    const x = pad + i * bw;
    out += `<rect x="${x + 2}" y="${H - pad - bh}" width="${bw - 4}" height="${bh}" fill="#3f51b5"><title>${i}:00 avg wait ${h.avgWait.toFixed(1)} s</title></rect>`;
    const qy = H - pad - ((H - 2 * pad) * h.maxQueue) / maxQueue;
    out += `<circle cx="${x + bw / 2}" cy="${qy}" r="4" fill="#e65100"><title>max queue ${h.maxQueue}</title></circle>`;
    out += `<text x="${x + bw / 2}" y="${H - pad + 14}" font-size="10" text-anchor="middle">${i}</text>`;
  });
  out += `<text x="${pad}" y="14" font-size="12" fill="#3f51b5">bars: mean wait to assignment (max ${maxWait.toFixed(0)} s)</text>`;
  out += `<text x="${W / 2}" y="14" font-size="12" fill="#e65100">dots: longest queue (max ${maxQueue})</text>`;
  svg.innerHTML = out;
  $('table').innerHTML = '<tr><th>hour</th><th>dialogs</th><th>mean wait s</th><th>max wait s</th><th>max queue</th></tr>' +
    r.hours.map((h, i) => `<tr><td>${i}</td><td>${h.dialogs}</td><td>${h.avgWait.toFixed(1)}</td><td>${h.maxWait.toFixed(0)}</td><td>${h.maxQueue}</td></tr>`).join('');
  $('summary').textContent = `${r.dialogs} dialogs, ${r.calls} engine calls in ${r.ms.toFixed(0)} ms; mean wait ${r.meanWait.toFixed(1)} s`;
  showTrace();
}

function showTrace() {
  if (!result) return;
  const id = Number($('dialog').value);
  const lines = result.traces[id] ?? [];
  $('trace').textContent = lines.length ? lines.join('\n') : `dialog ${id}: not in the first ${result.traceLimit} dialogs`;
}
$('show').addEventListener('click', showTrace);
