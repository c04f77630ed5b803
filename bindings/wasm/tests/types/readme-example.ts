// The README's JavaScript example, type-checked by tests/types.test.js (tsc --strict).
import { Engine, OpenLinesError, type Action, type Config } from 'openlines';

const config: Config = {
  operators: [{ id: 'ann', max_dialogs: 3 }, { id: 'bob' }],
  lines: [{ id: 'sales', queue: { operators: ['ann', 'bob'], distribution: 'least_busy' } }],
};
const engine = new Engine(config);

function carryOut(actions: Action[]): void {
  for (const action of actions) {
    switch (action.type) {
      case 'offer':
        console.log(`offer dialog ${action.dialog} to ${action.operators.join(', ')} until ${action.expires_at}`);
        break;
      case 'send_message':
        console.log(`send ${action.kind} to dialog ${action.dialog}: ${action.text}`);
        break;
      case 'dialog_closed':
        console.log(`closed ${action.dialog} (${action.reason}), first response ${action.stats.first_response_secs ?? '-'} s`);
        break;
      default:
        console.log(action.type, action.dialog);
    }
  }
}

carryOut(engine.handle(new Date('2026-11-23T09:00:00Z'), {
  type: 'client_message', line: 'sales', client: 'tg:42', text: 'hi',
}));
try {
  carryOut(engine.handle('2026-11-23T09:00:30Z', { type: 'accept', dialog: 1, operator: 'ann' }));
} catch (e) {
  if (!(e instanceof OpenLinesError)) throw e;
  carryOut(e.actions); // timers that fired before the refused input: still carry them out
  console.error(e.kind, e.message);
}
const deadline = engine.nextDeadline(); // call engine.advance(deadline) then
if (deadline) carryOut(engine.advance(deadline));

const saved: Uint8Array = engine.snapshot();
const same = Engine.restore(saved);
console.log(same.dialog(1)?.status, same.stats('sales')?.assigned);
same.free();
engine.free();
