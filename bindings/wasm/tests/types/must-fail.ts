// Every line marked "error" must be refused by tsc --strict (tests/types.test.js
// counts the errors and their lines): the types catch these mistakes.
import { Engine, type Action, type Config } from 'openlines';

const engine = new Engine({ lines: [{ id: 'sales' }] });
const badConfig: Config = { lines: [{ id: 'sales', queue: { distribution: 'evenlyy' } }] }; // error
const noId: Config = { lines: [{ active: true }] }; // error
engine.handle(0, { type: 'client_message', client: 'tg:1' }); // error
engine.handle(0, { type: 'accept', dialog: '1', operator: 'ann' }); // error
engine.handle(0, { type: 'accpet', dialog: 1, operator: 'ann' }); // error
engine.handle(0, { type: 'presence', operator: 'ann', status: 'sleeping' }); // error
engine.handle(0, { type: 'close', dialog: 1, operator: 'ann', reason: 'spam' }); // error
engine.handle({ when: 'now' }, { type: 'tick' }); // error

function read(action: Action): string {
  if (action.type === 'assigned') {
    return action.operators.join(); // error
  }
  return action.expires_at; // error
}
console.log(badConfig, noId, read);
