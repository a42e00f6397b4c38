/**
 * Threat: someone just removed from the approvers' Entra group still approves a change, because
 * group membership is cached for reads. A tap that would write to the directory asks Graph
 * afresh (checkMemberGroups, uncached); reads keep the cache.
 */
import { SANDBOX_GROUPS, SANDBOX_USERS } from '../../src/sandbox';
import { APPROVER, Harness, HELPDESK, startHarness } from '../helpers/bot-harness';
import { cardText, patches, requestClear } from '../helpers/security-helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ APPROVER_IDS: '', APPROVER_GROUP_ID: SANDBOX_GROUPS.identityApprovers, REQUESTER_GROUP_ID: SANDBOX_GROUPS.helpdesk });
});
afterAll(() => h.close());
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
});

const membershipChecks = (userId: string) => h.sandbox.requests().filter((r) => r.path === `/v1.0/users/${userId}/checkMemberGroups`);

it('refuses a confirm from an approver removed from the group after the bot cached their membership, and writes nothing', async () => {
  // Adele's membership is read (and cached) while she asks for the change herself.
  const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: APPROVER });
  expect(membershipChecks(SANDBOX_USERS.adele).length).toBeGreaterThan(0);

  const group = h.sandbox.getGroup(SANDBOX_GROUPS.identityApprovers)!;
  group.memberIds = group.memberIds.filter((id) => id !== SANDBOX_USERS.adele);
  h.sandbox.clearRequests();

  const { body } = await h.tap('request.approve', { requestId }, { from: APPROVER, replyToId: cardMessageId });
  expect(JSON.stringify(body.value)).toMatch(/not allowed to approve/);
  expect(patches(h.sandbox)).toHaveLength(0);
  expect(membershipChecks(SANDBOX_USERS.adele)).toHaveLength(1);
  expect(h.audit.entries.some((e) => e.event === 'request.refused')).toBe(true);
});

it('still lets a current member approve (fresh check, then exactly one PATCH)', async () => {
  const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
  const { body } = await h.tap('request.approve', { requestId }, { from: APPROVER, replyToId: cardMessageId });
  expect(cardText(body.value)).toMatch(/cleared/i);
  expect(patches(h.sandbox)).toHaveLength(1);
});

it('keeps the cache for reads: two lookups by the same person check membership once', async () => {
  await h.say('show alice@contoso.com', { from: HELPDESK });
  await h.say('show judy.lee@contoso.com', { from: HELPDESK });
  expect(membershipChecks(SANDBOX_USERS.helen).length).toBeLessThanOrEqual(1);
});
