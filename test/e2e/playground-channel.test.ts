/**
 * The approvers' channel, once through the Agents Playground: four-eyes is on, so Adele's
 * request from her personal chat is posted in the team's Approvals channel (from the Playground
 * config), Aaron approves it there, and Adele's card is updated with the outcome.
 */
import { collectCardText, findActions } from '../cards/card-text';
import { callJson, cardOf, ConversationStream, Json } from '../helpers/playground-client';
import { RunningPlayground, startPlayground } from '../helpers/playground-process';

const CHANNEL = '19:playground-approvals@thread.tacv2';
const TEAM = '19:playground-team@thread.tacv2';
const PERSONAL = 'a:playground-personal-chat';
const ADELE_ID = 'ade1e000-0000-4000-8000-00000000000d';
const AARON_ID = 'aa204000-0000-4000-8000-00000000000e';
const cardText = (card: Json) => collectCardText(card).join('\n');

let pg: RunningPlayground;
let stream: ConversationStream;

beforeAll(async () => {
  pg = await startPlayground({ APPROVER_IDS: `${ADELE_ID},${AARON_ID}`, REQUIRE_SEPARATE_APPROVER: 'true' });
  stream = await ConversationStream.open(pg.playgroundUrl, () => pg.output().slice(-3000));
}, 75_000);

afterAll(async () => {
  stream?.close();
  await pg?.stop();
});

it('posts the request in the Approvals channel, takes Aaron\'s approval there and updates Adele\'s card', async () => {
  // Installing the app in the team is what lets the bot post in its channels.
  const install = await callJson(pg.playgroundUrl, `/_debug/conversation/${encodeURIComponent(TEAM)}/installation`, { body: {} });
  expect(install.status).toBeLessThan(300);

  const from = stream.events.length;
  const sent = await callJson(pg.playgroundUrl, `/_conversation/v1/conversations/${encodeURIComponent(PERSONAL)}/messages`, {
    body: { from: { id: 'user-adele' }, text: 'clear immutable id for alice@contoso.com because INC0042', textFormat: 'plain' },
  });
  expect(sent.status).toBe(200);

  const personalCard = await stream.waitFor('the request card in Adele\'s chat', from, (e) => e.actionConversationId === PERSONAL && e.action === 'createMessage' && cardOf(e) !== undefined);
  const channelPost = await stream.waitFor('the approval card in the Approvals channel', from, (e) => (e.actionConversationId ?? '').startsWith(CHANNEL) && e.action === 'createMessage' && cardOf(e) !== undefined);
  // A card posted as a new channel post is the root of its thread: taps on it come from "<channel>;messageid=<root>".
  const thread = `${CHANNEL};messageid=${channelPost.message!.messageId}`;
  const channelCard = cardOf(channelPost)!;
  expect(cardText(channelCard)).toContain('INC0042');
  const approve = findActions(channelCard).find((a) => a.verb === 'request.approve' && a.type === 'Action.Execute' && !a.isFallback);
  expect(approve?.title).toBe('Approve & clear');

  // Adele may not approve her own request (four-eyes) ...
  const own = await callJson(pg.playgroundUrl, '/_conversation/v1/invoke', {
    body: { name: 'adaptiveCard/action', from: { id: 'user-adele' }, conversation: { id: thread }, replyToId: channelPost.message!.messageId, value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: approve!.data } } },
  });
  expect(JSON.stringify(own.body)).toMatch(/four-eyes/);

  // ... Aaron approves in the channel thread.
  const before = stream.events.length;
  const tap = await callJson(pg.playgroundUrl, '/_conversation/v1/invoke', {
    body: { name: 'adaptiveCard/action', from: { id: 'user-aaron' }, conversation: { id: thread }, replyToId: channelPost.message!.messageId, value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: approve!.data } } },
  });
  const outcome = (tap.body as { value?: Json }).value!;
  expect(cardText(outcome)).toMatch(/cleared/i);
  expect(cardText(outcome)).toContain('Aaron Approver');

  const updated = await stream.waitFor('Adele\'s card updated with the outcome', before, (e) => e.action === 'updateMessage' && e.message?.messageId === personalCard.message!.messageId);
  expect(cardText(cardOf(updated)!)).toMatch(/cleared/i);
  await stream.waitFor('the outcome posted to Adele', before, (e) => e.actionConversationId === PERSONAL && /was cleared/.test(e.message?.text ?? ''));

  const user = (await (await fetch(`${pg.sandboxUrl}/_sandbox/users/a11ce000-0000-4000-8000-000000000001`)).json()) as { onPremisesImmutableId: string | null };
  expect(user.onPremisesImmutableId).toBeNull();
});
