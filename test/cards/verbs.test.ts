import { isVerb, parseActionData, Verbs } from '../../src/cards';
import { REQUEST_ID } from './fixtures';

describe('Verbs', () => {
  it('are unique and recognised by isVerb', () => {
    const values = Object.values(Verbs);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(isVerb(v)).toBe(true);
    expect(values).toEqual(['clear.confirm', 'clear.cancel', 'request.refresh']);
  });

  it.each(['clear', 'CLEAR.CONFIRM', '', 'toString', '__proto__', 1, null, undefined, {}])('isVerb(%p) is false', (x) => {
    expect(isVerb(x)).toBe(false);
  });
});

describe('parseActionData', () => {
  const execute = (verb: unknown, data: unknown): unknown => ({ action: { type: 'Action.Execute', verb, data }, trigger: 'manual' });

  it.each(Object.values(Verbs))('accepts the Action.Execute invoke value for %s', (verb) => {
    expect(parseActionData(execute(verb, { requestId: REQUEST_ID }))).toEqual({ verb, requestId: REQUEST_ID });
  });

  it.each(Object.values(Verbs))('accepts the Action.Submit fallback value for %s', (verb) => {
    expect(parseActionData({ verb, requestId: REQUEST_ID })).toEqual({ verb, requestId: REQUEST_ID });
  });

  it('ignores extra keys Teams adds', () => {
    expect(parseActionData(execute('clear.confirm', { requestId: REQUEST_ID, comment: 'x' }))).toEqual({ verb: 'clear.confirm', requestId: REQUEST_ID });
    expect(parseActionData({ verb: 'clear.cancel', requestId: REQUEST_ID, msteams: { type: 'messageBack' } })).toEqual({ verb: 'clear.cancel', requestId: REQUEST_ID });
  });

  it('accepts request ids of 16 and 128 characters from [A-Za-z0-9_-]', () => {
    for (const id of ['a'.repeat(16), 'Z'.repeat(128), 'abc_DEF-0123456789']) {
      expect(parseActionData({ verb: 'clear.confirm', requestId: id })).toEqual({ verb: 'clear.confirm', requestId: id });
    }
  });

  it.each([
    ['null', null],
    ['string', 'clear.confirm'],
    ['array', [{ verb: 'clear.confirm', requestId: REQUEST_ID }]],
    ['empty object', {}],
    ['unknown verb (execute)', { action: { type: 'Action.Execute', verb: 'clear.everything', data: { requestId: REQUEST_ID } } }],
    ['unknown verb (submit)', { verb: 'nope', requestId: REQUEST_ID }],
    ['wrong action type', { action: { type: 'Action.Submit', verb: 'clear.confirm', data: { requestId: REQUEST_ID } } }],
    ['missing data', { action: { type: 'Action.Execute', verb: 'clear.confirm' } }],
    ['verb only in data (execute shape)', { action: { type: 'Action.Execute', data: { verb: 'clear.confirm', requestId: REQUEST_ID } } }],
    ['malformed action does not fall back to submit', { action: 'x', verb: 'clear.confirm', requestId: REQUEST_ID }],
    ['id too short', { verb: 'clear.confirm', requestId: 'a'.repeat(15) }],
    ['id too long', { verb: 'clear.confirm', requestId: 'a'.repeat(129) }],
    ['id with a dot', { verb: 'clear.confirm', requestId: 'abcdefgh.12345678' }],
    ['id with a space', { verb: 'clear.confirm', requestId: 'abcdefgh 12345678' }],
    ['id with a newline', { verb: 'clear.confirm', requestId: 'abcdefgh12345678\n' }],
    ['id not a string', { verb: 'clear.confirm', requestId: 1234567890123456 }],
    ['id is an array', { verb: 'clear.confirm', requestId: [REQUEST_ID] }],
  ])('rejects %s', (_name, value) => {
    expect(parseActionData(value)).toBeNull();
  });

  it('reads own properties only', () => {
    const inherited = Object.create({ verb: 'clear.confirm', requestId: REQUEST_ID }) as object;
    expect(parseActionData(inherited)).toBeNull();
    expect(parseActionData(JSON.parse(`{"__proto__": {"verb": "clear.confirm", "requestId": "${REQUEST_ID}"}}`))).toBeNull();
  });
});
