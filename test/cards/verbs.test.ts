import { isVerb, LEGACY_VERBS, MAX_INPUT_LENGTH, parseActionData, toVerb, Verbs } from '../../src/cards';
import { REQUEST_ID } from './fixtures';

describe('Verbs', () => {
  it('are unique and recognised by isVerb', () => {
    const values = Object.values(Verbs);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(isVerb(v)).toBe(true);
    expect(values).toEqual(['request.approve', 'request.reject', 'request.cancel', 'request.undo', 'request.refresh', 'request.reason', 'request.when-unsynced', 'request.restore-upn', 'notify.request', 'bulk.approve', 'bulk.reject', 'bulk.cancel', 'bulk.stop', 'bulk.resume']);
  });

  it('keeps the verbs of cards already posted in Teams as aliases of the kind-neutral ones', () => {
    expect(LEGACY_VERBS).toEqual({ 'clear.confirm': 'request.approve', 'clear.reject': 'request.reject', 'clear.cancel': 'request.cancel' });
    expect(toVerb('clear.confirm')).toBe('request.approve');
    expect(toVerb('request.approve')).toBe('request.approve');
    expect(toVerb('toString')).toBeUndefined();
    expect(toVerb('__proto__')).toBeUndefined();
  });

  it.each(['clear', 'CLEAR.CONFIRM', '', 'toString', '__proto__', 1, null, undefined, {}])('isVerb(%p) is false', (x) => {
    expect(isVerb(x)).toBe(false);
  });
});

describe('parseActionData', () => {
  const execute = (verb: unknown, data: unknown): unknown => ({ action: { type: 'Action.Execute', verb, data }, trigger: 'manual' });

  it.each(Object.values(Verbs))('accepts the Action.Execute invoke value for %s', (verb) => {
    expect(parseActionData(execute(verb, { requestId: REQUEST_ID }))).toEqual({ verb, requestId: REQUEST_ID, inputs: {} });
  });

  it.each(Object.values(Verbs))('accepts the Action.Submit fallback value for %s', (verb) => {
    expect(parseActionData({ verb, requestId: REQUEST_ID })).toEqual({ verb, requestId: REQUEST_ID, inputs: {} });
  });

  it.each(Object.entries(LEGACY_VERBS))('maps the legacy verb %s to %s in both shapes', (legacy, current) => {
    expect(parseActionData(execute(legacy, { requestId: REQUEST_ID }))).toEqual({ verb: current, requestId: REQUEST_ID, inputs: {} });
    expect(parseActionData({ verb: legacy, requestId: REQUEST_ID })).toEqual({ verb: current, requestId: REQUEST_ID, inputs: {} });
  });

  it('ignores extra keys Teams adds', () => {
    expect(parseActionData(execute('clear.confirm', { requestId: REQUEST_ID, comment: 'x' }))).toEqual({ verb: 'request.approve', requestId: REQUEST_ID, inputs: {} });
    expect(parseActionData({ verb: 'clear.cancel', requestId: REQUEST_ID, msteams: { type: 'messageBack' } })).toEqual({ verb: 'request.cancel', requestId: REQUEST_ID, inputs: {} });
  });

  it('accepts request ids of 16 and 128 characters from [A-Za-z0-9_-]', () => {
    for (const id of ['a'.repeat(16), 'Z'.repeat(128), 'abc_DEF-0123456789']) {
      expect(parseActionData({ verb: 'clear.confirm', requestId: id })).toEqual({ verb: 'request.approve', requestId: id, inputs: {} });
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

  describe('inputs', () => {
    it('reads Input.* values Teams merges into action.data (Execute) and activity.value (Submit)', () => {
      expect(parseActionData(execute('clear.reject', { requestId: REQUEST_ID, rejectReason: 'Wrong user' }))).toEqual({
        verb: 'request.reject',
        requestId: REQUEST_ID,
        inputs: { rejectReason: 'Wrong user' },
      });
      expect(parseActionData({ verb: 'request.reason', requestId: REQUEST_ID, reason: 'INC0012345' })).toEqual({
        verb: 'request.reason',
        requestId: REQUEST_ID,
        inputs: { reason: 'INC0012345' },
      });
      expect(parseActionData({ verb: 'clear.reject', requestId: REQUEST_ID, rejectReason: 'a', reason: 'b' })?.inputs).toEqual({ rejectReason: 'a', reason: 'b' });
    });

    it('trims, drops blank and non-string values', () => {
      expect(parseActionData({ verb: 'clear.reject', requestId: REQUEST_ID, rejectReason: '  \n Wrong user \t ' })?.inputs).toEqual({ rejectReason: 'Wrong user' });
      for (const blank of ['', '   ', '\n\t', 42, null, true, ['x'], { text: 'x' }]) {
        expect(parseActionData({ verb: 'clear.reject', requestId: REQUEST_ID, rejectReason: blank, reason: blank })?.inputs).toEqual({});
        expect(parseActionData(execute('clear.reject', { requestId: REQUEST_ID, rejectReason: blank }))?.inputs).toEqual({});
      }
    });

    it(`caps a value at ${MAX_INPUT_LENGTH} code points without splitting a surrogate pair`, () => {
      const long = parseActionData({ verb: 'request.reason', requestId: REQUEST_ID, reason: 'x'.repeat(5000) })?.inputs.reason;
      expect(long).toBe('x'.repeat(MAX_INPUT_LENGTH));
      const emoji = parseActionData({ verb: 'request.reason', requestId: REQUEST_ID, reason: '😀'.repeat(600) })?.inputs.reason ?? '';
      expect(Array.from(emoji)).toHaveLength(MAX_INPUT_LENGTH);
      expect(emoji).toBe('😀'.repeat(MAX_INPUT_LENGTH));
    });

    it('never lets inputs change the verb or request id', () => {
      // Execute: Teams merges inputs into data; a stray verb there is not the action's verb.
      expect(parseActionData(execute('clear.reject', { requestId: REQUEST_ID, verb: 'clear.confirm', rejectReason: 'x' }))).toEqual({
        verb: 'request.reject',
        requestId: REQUEST_ID,
        inputs: { rejectReason: 'x' },
      });
      // Input values that look like verbs or ids stay inputs.
      const parsed = parseActionData({ verb: 'clear.reject', requestId: REQUEST_ID, rejectReason: 'clear.confirm', reason: 'b'.repeat(20) });
      expect(parsed).toEqual({ verb: 'request.reject', requestId: REQUEST_ID, inputs: { rejectReason: 'clear.confirm', reason: 'b'.repeat(20) } });
      // An input can never make a malformed action valid.
      expect(parseActionData({ verb: 'clear.reject', rejectReason: REQUEST_ID })).toBeNull();
      expect(parseActionData({ requestId: REQUEST_ID, rejectReason: 'clear.reject' })).toBeNull();
    });

    it('reads own input properties only', () => {
      const value = Object.assign(Object.create({ rejectReason: 'inherited' }) as object, { verb: 'clear.reject', requestId: REQUEST_ID });
      expect(parseActionData(value)?.inputs).toEqual({});
    });
  });
});
