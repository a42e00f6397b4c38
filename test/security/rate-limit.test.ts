/**
 * Threat: one user (or a script using their account) floods the bot to enumerate the directory
 * or to exhaust the app's Graph throttling budget for everyone.
 *
 * Per-user rate limit on commands (RATE_LIMIT_PER_MINUTE, default 30) with a clear message;
 * another user is unaffected; a refused command makes no Graph call.
 */
import { APPROVER, Harness, HELPDESK, OUTSIDER, startHarness } from '../helpers/bot-harness';
import { cardText, graphRequests, lastCard, lastText, sentCards, sentTexts } from '../helpers/security-helpers';

describe('RATE_LIMIT_PER_MINUTE=3', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => h.close());

  it('answers 3 commands a minute, then refuses with how long to wait, without calling Graph', async () => {
    for (let i = 0; i < 3; i++) {
      h.connector.clear();
      await h.say('show alice@contoso.com', { from: HELPDESK });
      expect(cardText(lastCard(h))).toContain('Alice Smith');
    }
    for (let i = 0; i < 2; i++) {
      h.sandbox.clearRequests();
      h.connector.clear();
      await h.say('show alice@contoso.com', { from: HELPDESK });
      expect(sentCards(h)).toHaveLength(0);
      expect(sentTexts(h)).toHaveLength(1);
      const message = lastText(h);
      expect(message).toMatch(/faster than I accept \(at most 3 a minute\)/);
      const wait = Number(/wait (\d+) s/.exec(message)?.[1]);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
      expect(graphRequests(h.sandbox)).toHaveLength(0);
    }
  });

  it('follows the user into another conversation', async () => {
    h.sandbox.clearRequests();
    h.connector.clear();
    await h.say('show alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    expect(lastText(h)).toMatch(/faster than I accept/);
    expect(graphRequests(h.sandbox)).toHaveLength(0);
  });

  it('leaves other users unaffected', async () => {
    for (const who of [OUTSIDER, APPROVER]) {
      h.sandbox.clearRequests();
      h.connector.clear();
      await h.say('show alice@contoso.com', { from: who });
      expect(cardText(lastCard(h))).toContain('Alice Smith');
      expect(graphRequests(h.sandbox).length).toBeGreaterThan(0);
    }
  });
});

describe('the default', () => {
  it('is 30 commands a minute', async () => {
    const h = await startHarness();
    try {
      for (let i = 0; i < 30; i++) await h.say('help', { from: HELPDESK });
      expect(sentTexts(h).filter((t) => /faster than I accept/.test(t))).toHaveLength(0);
      expect(sentCards(h)).toHaveLength(30);
      h.connector.clear();
      await h.say('show alice@contoso.com', { from: HELPDESK });
      expect(lastText(h)).toMatch(/at most 30 a minute/);
      expect(h.sandbox.requests()).toHaveLength(0);
      h.connector.clear();
      await h.say('help', { from: OUTSIDER });
      expect(sentCards(h)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
