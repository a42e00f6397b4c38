/**
 * Every Graph failure a user is told about is logged with what a support case with Microsoft
 * needs: our error code, the HTTP status, Graph's error code and its request id (not only the
 * error's name and message).
 */
import { describeError } from '../../src/log';
import { DirectoryError } from '../../src/directory/directory-error';
import { HELPDESK, useHarness } from '../helpers/bot-harness';
import { captureLogs, lastText } from '../helpers/security-helpers';

const h = useHarness({ RATE_LIMIT_PER_MINUTE: '10000' });

it('logs a Graph failure shown in the chat with its code, HTTP status, Graph code and request id', async () => {
  const logs = captureLogs();
  try {
    h.sandbox.addFault({ pathIncludes: '$batch', status: 503, retryAfterSeconds: 0 });
    await h.say('show alice@contoso.com', { from: HELPDESK });
    expect(lastText(h)).toMatch(/temporarily unavailable/);
    const logged = logs.entries.find((e) => e.event === 'graph.failure_reported');
    expect(logged?.fields.error).toBeInstanceOf(DirectoryError);
    const described = describeError(logged!.fields.error as Error);
    expect(described).toMatchObject({ code: 'directory.unavailable', status: 503, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  } finally {
    logs.restore();
  }
});

it('keeps code, status, Graph code, request id and cause when an error is written to the log', () => {
  const error = new DirectoryError('directory.forbidden', 'refused', { status: 403, graphCode: 'Authorization_RequestDenied', requestId: 'r-1' });
  Object.assign(error, { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
  expect(describeError(error)).toEqual({
    name: error.name,
    message: 'refused',
    code: 'directory.forbidden',
    status: 403,
    graphCode: 'Authorization_RequestDenied',
    requestId: 'r-1',
    cause: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
  });
});
