/**
 * A tap that outlasts the card-action deadline: what the tapper sees meanwhile, and what the tapped
 * card and the chat show once the work has ended, whether it succeeded or failed. "Working…" is
 * shown only while an approved change really runs; a failure never leaves an interim card behind.
 */
import { escapeCardText as esc, parseActionData, renderProgressCard, type ParsedAction, type Verb } from '../cards';
import { DirectoryError } from '../directory/directory-error';
import { kindModule } from '../workflow/change-kinds';
import type { ChangeRequest } from '../workflow/types';
import type { ConversationDeps } from './deps';
import { explainDirectoryError } from './explain-error';
import { CardActionResult, CardJson, Reply, text } from './replies';
import { renderSharedCard } from './request-cards';

/** The interim answer, and the request as it was read for it (names the user if the work later fails). */
export interface InterimAnswer {
  result: CardActionResult;
  request?: ChangeRequest;
}

/** How a tap ended: its result, or the error it threw (logged by the caller under `ref`). */
export type TapOutcome = { result: CardActionResult } | { error: unknown; ref: string };

/** What the tapped message shows now (undefined: leave it as it is) and what the chat is told. */
export interface SettledTap {
  card?: CardJson;
  replies: Reply[];
}

/** Verbs whose id is a request and whose answer replaces the tapped card with that request's card. */
const REQUEST_VERBS: ReadonlySet<Verb> = new Set<Verb>(['request.approve', 'request.reject', 'request.cancel', 'request.reason', 'request.refresh']);

/** What the other verbs say while they run on: the tapped card stays as it is until they finish. */
const STILL_RUNNING: Partial<Record<Verb, string>> = {
  'request.undo': 'Preparing the undo request… it appears here in a moment.',
  'request.when-unsynced': 'Setting up “Clear when unsynced”… the card updates in a moment.',
  'request.restore-upn': 'Preparing the Restore UPN request… it appears here in a moment.',
  'notify.request': 'Opening the request… the card updates in a moment.',
};
const STILL_RUNNING_DEFAULT = "Still on it… I'll update the card when it's done.";

/** What the tap was doing, to fit "I couldn't finish …"; request verbs go on with " the request to … of …". */
const DOING: Record<Verb, string> = {
  'request.approve': 'approving',
  'request.reject': 'rejecting',
  'request.cancel': 'cancelling',
  'request.reason': 'adding your reason to',
  'request.refresh': 'refreshing the card of',
  'request.undo': 'preparing the undo request',
  'request.when-unsynced': 'setting up “Clear when unsynced”',
  'request.restore-upn': 'preparing the Restore UPN request',
  'notify.request': 'opening the request from the sync-error report',
  'bulk.approve': 'approving the bulk job',
  'bulk.reject': 'rejecting the bulk job',
  'bulk.cancel': 'cancelling the bulk job',
  'bulk.stop': 'stopping the bulk job',
  'bulk.resume': 'resuming the bulk job',
};

/** The answer to a tap still running at the deadline. Never throws: a failed read gets a plain message. */
export async function answerWhileRunning(deps: ConversationDeps, value: unknown, activityId?: string): Promise<InterimAnswer> {
  const data = parseActionData(value);
  if (!data || !REQUEST_VERBS.has(data.verb)) {
    return { result: message((data && STILL_RUNNING[data.verb]) ?? STILL_RUNNING_DEFAULT) };
  }
  let request: ChangeRequest | undefined;
  try {
    request = await deps.requests.get(data.requestId);
  } catch (error) {
    deps.log.warn('card_action.interim_read_failed', { requestId: data.requestId, error: error as Error });
  }
  if (!request) return { result: message(STILL_RUNNING_DEFAULT) };
  try {
    return { result: { kind: 'card', card: renderInterimCard(deps, data, request, activityId), followUps: [] }, request };
  } catch (error) {
    deps.log.error('card_action.interim_render_failed', { requestId: data.requestId, error: error as Error });
    return { result: message(STILL_RUNNING_DEFAULT), request };
  }
}

function renderInterimCard(deps: ConversationDeps, data: ParsedAction, request: ChangeRequest, activityId?: string): CardJson {
  // An approved change gets "Working on it…" while its lease holds (renderSharedCard decides); the rest say what they do.
  if (request.state !== 'awaiting-approval' || data.verb === 'request.refresh') return renderSharedCard(deps, request, activityId);
  const about = aboutRequest(request);
  const updates = "This card updates when it's done.";
  const pending = (headline: string, detail: string) => renderProgressCard({ sandbox: deps.sandbox, headline, detail, requestId: request.id });
  switch (data.verb) {
    case 'request.approve': {
      const next = request.approvals.length + 1;
      return next >= request.requiredApprovals
        ? pending('⏳ Checking your approval…', `Checking that you may approve ${about} and that the user is as the card showed. Nothing has been changed yet. ${updates}`)
        : pending('⏳ Recording your approval…', `Approval ${next} of ${request.requiredApprovals} for ${about}. The change runs once ${request.requiredApprovals} approvers have approved. ${updates}`);
    }
    case 'request.reject':
      return pending('⏳ Recording your rejection…', `Rejecting ${about}. Nothing is changed in the directory. ${updates}`);
    case 'request.cancel':
      return pending('⏳ Cancelling the request…', `Withdrawing ${about}. Nothing is changed in the directory. ${updates}`);
    default:
      return pending('⏳ Saving your reason…', `Adding your reason to ${about}. ${updates}`);
  }
}

/**
 * The tapped card and chat replies once a slow tap (or one that failed) has ended. The card is
 * the request's shared view as it is now; when the request cannot be read, or is left "executing"
 * by work that ended, a card that says what could not be finished and what to try. Never throws.
 */
export async function settleTap(deps: ConversationDeps, input: SettleInput): Promise<SettledTap> {
  try {
    return await settle(deps, input);
  } catch (error) {
    // Rendering failed too: still never leave the chat without an answer.
    deps.log.error('card_action.settle_failed', { error: error as Error });
    const data = parseActionData(input.value);
    return {
      ...(data && REQUEST_VERBS.has(data.verb) ? { card: renderUnfinishedCard(deps, data, undefined) } : {}),
      replies: [text("Sorry, I couldn't finish that action, and can't say where it stands. Send the command again to see the current state before trying again.")],
    };
  }
}

interface SettleInput {
  value: unknown;
  activityId?: string;
  outcome: TapOutcome;
  known?: ChangeRequest;
}

async function settle(deps: ConversationDeps, input: SettleInput): Promise<SettledTap> {
  const data = parseActionData(input.value);
  const outcome = input.outcome;
  if ('result' in outcome) {
    const result = outcome.result;
    if (result.kind === 'card') return { card: result.shared ?? result.card, replies: result.followUps };
    const replies = [text(result.text), ...result.followUps];
    // The tapped card was replaced by an interim one only for request verbs: put the request back.
    if (!data || !REQUEST_VERBS.has(data.verb)) return { replies };
    const current = await readRequest(deps, data.requestId);
    // Still "executing" after a tap that ended normally: another tap's change is running, and its card says so.
    if (current && current !== 'unreadable') return { card: renderSharedCard(deps, current, input.activityId), replies };
    return input.known ? { card: renderUnfinishedCard(deps, data, input.known), replies } : { replies };
  }

  const { error, ref } = outcome;
  if (!data) return { replies: [text(`Sorry, I couldn't finish that action: something failed on my side (ref ${ref}). Please try again.`)] };
  const current = REQUEST_VERBS.has(data.verb) ? await readRequest(deps, data.requestId) : undefined;
  const request = current === 'unreadable' ? input.known : (current ?? input.known);
  const cause = causeOf(error, ref, request);
  if (!REQUEST_VERBS.has(data.verb)) {
    return { replies: [text(`Sorry, I couldn't finish ${DOING[data.verb]}: ${cause} Please try again in a moment.`)] };
  }
  const what = `${DOING[data.verb]} ${aboutRequest(request)}`;
  const words = current === 'unreadable' || !current ? stateUnknown(request) : stateNow(current);
  const replies = [text(`Sorry, I couldn't finish ${what}: ${cause} ${words}`)];
  if (current === 'unreadable' || !current || current.state === 'executing') {
    return { card: renderUnfinishedCard(deps, data, current === 'unreadable' || !current ? request : current, cause), replies };
  }
  return { card: renderSharedCard(deps, current, input.activityId), replies };
}

/** A card for a tap whose work ended without settling the request: no "Working…", and what to try. */
function renderUnfinishedCard(deps: ConversationDeps, data: ParsedAction, request: ChangeRequest | undefined, cause?: string): CardJson {
  const what = capitalise(`${DOING[data.verb]} ${aboutRequest(request)}`);
  const detail = request?.state === 'executing'
    ? `${what} did not finish${cause ? `: ${cause}` : '.'} The change may or may not have been made; it is not run again from this card.`
    : `${what} did not finish${cause ? `: ${cause}` : '.'} I could not read the request again, so I can't say where it stands.`;
  return renderProgressCard({
    sandbox: deps.sandbox,
    headline: '⚠️ Could not finish',
    detail,
    hint: `Tap Refresh to see the request as it is now${request ? `, or send ${command(`history ${request.targetUpn}`)} to see what was recorded` : ''}.`,
    requestId: data.requestId,
    refresh: true,
  });
}

function causeOf(error: unknown, ref: string, request: ChangeRequest | undefined): string {
  if (error instanceof DirectoryError) return explainDirectoryError(error, request?.targetUpn ?? 'that user');
  return `something failed on my side (ref ${ref}).`;
}

/** Where the request stands, read again after the failure. */
function stateNow(request: ChangeRequest): string {
  const history = command(`history ${request.targetUpn}`);
  switch (request.state) {
    case 'awaiting-approval':
      return 'The request still waits for approval, as the card shows; please try again in a moment.';
    case 'executing':
      return `The change may or may not have been made. Don't approve it again: send ${history} to see what was recorded, and ${command(`show ${request.targetUpn}`)} for the user as it is now.`;
    default:
      return `The card shows how the request ended; ${history} shows what was recorded.`;
  }
}

function stateUnknown(request: ChangeRequest | undefined): string {
  const history = request ? ` Send ${command(`history ${request.targetUpn}`)} to see what was recorded, then try again.` : ' Send the command again to check, then try again.';
  return `I couldn't read the request again either, so I can't tell whether anything changed.${history}`;
}

async function readRequest(deps: ConversationDeps, requestId: string): Promise<ChangeRequest | undefined | 'unreadable'> {
  try {
    return await deps.requests.get(requestId);
  } catch (error) {
    deps.log.warn('card_action.reread_failed', { requestId, error: error as Error });
    return 'unreadable';
  }
}

/** A command to send, as code: UPNs hold no backtick or line break, and code spans show text as it is. */
function command(value: string): string {
  return `\`${value.replace(/[`\r\n]/g, '')}\``;
}

/** "the request to clear the immutable ID of **alice@contoso.com**", or "the request" when it is unknown. */
function aboutRequest(request: ChangeRequest | undefined): string {
  return request ? `the request to ${kindModule(request.kind).wording.action} of **${esc(request.targetUpn)}**` : 'the request';
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function message(value: string): CardActionResult {
  return { kind: 'message', text: value, followUps: [] };
}
