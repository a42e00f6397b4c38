/**
 * Runs the real bot over HTTP against the sandbox directory (real Graph client and
 * @azure/identity over HTTPS) and a recording Bot connector, and drives it like Teams does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger, silentLogger } from '../../src/log';
import { MemoryAuditLog, type AuditLog } from '../../src/storage/audit-log';
import { MemoryStore } from '../../src/storage/memory-store';
import { RunningSandbox, startSandbox } from '../../src/sandbox';
import { RecordingConnector, startRecordingConnector } from './recording-connector';

export const APPROVER = { id: 'approver-1', aadObjectId: 'ade1e000-0000-4000-8000-00000000000d', name: 'Adele Approver' };
export const APPROVER_2 = { id: 'approver-2', aadObjectId: 'aa204000-0000-4000-8000-00000000000e', name: 'Aaron Approver' };
export const HELPDESK = { id: 'helpdesk-1', aadObjectId: '4e1e4000-0000-4000-8000-00000000000c', name: 'Helen Helpdesk' };
export const BOT = { id: '28:immutable-id-bot', name: 'Immutable ID Helper' };
export const TEAM_ID = '19:identity-team@thread.tacv2';
export const OUTSIDER = { id: 'outsider-1', aadObjectId: 'b0b00000-0000-4000-8000-000000000002', name: 'Bob Jones' };

export interface Person {
  id: string;
  aadObjectId: string;
  name: string;
}

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

export interface Harness {
  app: App;
  botUrl: string;
  sandbox: RunningSandbox;
  connector: RecordingConnector;
  audit: MemoryAuditLog;
  tenantId: string;
  conversationIdFor(kind: ConversationKind): string;
  /** Sends a message as `from`; resolves with the HTTP status once the bot has answered. */
  say(text: string, options?: { from?: Person; conversation?: ConversationKind; tenantId?: string; mention?: boolean }): Promise<number>;
  /** Taps an Action.Execute button; resolves with the invoke response body. */
  tap(
    verb: string,
    data: Record<string, unknown>,
    options?: { from?: Person; conversation?: ConversationKind; replyToId?: string; conversationId?: string },
  ): Promise<{ status: number; body: InvokeBody }>;
  /** POSTs a raw activity. */
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export interface InvokeBody {
  statusCode: number;
  type: string;
  value: unknown;
}

export interface HarnessOptions {
  /** Use the real storage chosen by configuration (files under DATA_DIR) instead of memory. */
  persistent?: boolean;
  /** Teams id of the harness's channel conversation (e.g. to make it the approvers' channel). */
  channelId?: string;
  /** Reuse conversation ids (e.g. after a restart). */
  conversations?: Record<ConversationKind, string>;
  /** Reuse a running sandbox and connector (e.g. for a restart test). */
  sandbox?: RunningSandbox;
  connector?: RecordingConnector;
  /** State shared with another harness (two instances on one store, as with Blob state). */
  store?: MemoryStore;
  /** The audit trail the bot writes and reads (default: a MemoryAuditLog, `Harness.audit`). */
  auditLog?: AuditLog;
}

export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = options.sandbox ?? (await startSandbox());
  const connector = options.connector ?? (await startRecordingConnector());
  const config = loadConfig({
    PORT: '0',
    ...sandboxGraphEnv(sandbox),
    APPROVER_IDS: `${APPROVER.aadObjectId},${APPROVER_2.aadObjectId}`,
    SANDBOX_MODE: 'true',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'iid-bot-')),
    VERIFY_MAX_WAIT_MS: '600',
    ...env,
  });
  const audit = new MemoryAuditLog();
  // HARNESS_LOG=1 shows the bot's JSON log while debugging a test.
  const app = createApp(config, process.env.HARNESS_LOG ? createLogger() : silentLogger, options.persistent ? {} : { store: options.store ?? new MemoryStore(), audit: options.auditLog ?? audit });
  const botUrl = await app.listen();
  const tenantId = sandbox.tenantId;

  const client = createBotClient({ botUrl, connectorUrl: connector.url, tenantId, ...(options.channelId ? { channelId: options.channelId } : {}), ...(options.conversations ? { conversations: options.conversations } : {}) });

  return {
    app,
    botUrl,
    sandbox,
    connector,
    audit,
    tenantId,
    ...client,
    close: async () => {
      await app.close();
      if (!options.connector) await connector.close();
      if (!options.sandbox) await sandbox.close();
    },
  };
}

/** The Adaptive Card content of a recorded activity, if it has one. */
export function cardOf(activity: { attachments?: Array<{ contentType: string; content: Record<string, unknown> }> }): Record<string, unknown> | undefined {
  return activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

export type BotClient = Pick<Harness, 'conversationIdFor' | 'say' | 'tap' | 'post'>;

/** Sends Teams-shaped activities to a bot at botUrl, as Teams would, with replies going to connectorUrl. */
export function createBotClient(options: {
  botUrl: string;
  connectorUrl: string;
  tenantId: string;
  channelId?: string;
  conversations?: Record<ConversationKind, string>;
}): BotClient {
  const { botUrl, tenantId } = options;
  const connector = { url: options.connectorUrl };
  const conversations: Record<ConversationKind, string> = {
    personal: `a:personal-${randomUUID()}`,
    groupChat: `19:group-${randomUUID()}@thread.v2`,
    channel: options.channelId ?? `19:channel-${randomUUID()}@thread.tacv2`,
    ...options.conversations,
  };
  const conversationOf = (kind: ConversationKind, tenant: string): Record<string, unknown> => ({
    id: conversations[kind],
    tenantId: tenant,
    conversationType: kind,
    ...(kind === 'personal' ? {} : { isGroup: true }),
  });

  const post = async (activity: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    return { status: response.status, text: await response.text() };
  };

  const baseActivity = (from: Person, kind: ConversationKind, tenant: string) => ({
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: connector.url,
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: conversationOf(kind, tenant),
    channelData: { tenant: { id: tenant }, ...(kind === 'channel' ? { channel: { id: conversations.channel }, team: { id: TEAM_ID } } : {}) },
    locale: 'en-US',
  });

  return {
    conversationIdFor: (kind) => conversations[kind],
    say: async (text, options = {}) => {
      const kind = options.conversation ?? 'personal';
      const mention = options.mention ?? kind !== 'personal';
      const activity = {
        ...baseActivity(options.from ?? HELPDESK, kind, options.tenantId ?? tenantId),
        type: 'message',
        text: mention ? `<at>${BOT.name}</at> ${text}` : text,
        textFormat: 'plain',
        ...(mention ? { entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }] } : {}),
      };
      return (await post(activity)).status;
    },
    tap: async (verb, data, options = {}) => {
      const kind = options.conversation ?? 'personal';
      const activity = {
        ...baseActivity(options.from ?? APPROVER, kind, tenantId),
        ...(options.conversationId ? { conversation: { ...conversationOf(kind, tenantId), id: options.conversationId } } : {}),
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: options.replyToId ?? 'card-activity-1',
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      };
      const response = await post(activity);
      return { status: response.status, body: (response.text ? JSON.parse(response.text) : {}) as InvokeBody };
    },
    post,
  };
}

/** The conversationUpdate Teams sends when the app is added to (or removed from) a team. */
export function teamMembershipActivity(h: Pick<Harness, 'connector' | 'tenantId'>, change: 'added' | 'removed'): Record<string, unknown> {
  return {
    type: 'conversationUpdate',
    id: `${change}-${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    from: { id: 'installer', aadObjectId: APPROVER.aadObjectId },
    recipient: BOT,
    conversation: { id: TEAM_ID, isGroup: true, conversationType: 'channel', tenantId: h.tenantId },
    ...(change === 'added' ? { membersAdded: [BOT] } : { membersRemoved: [BOT] }),
    channelData: { tenant: { id: h.tenantId }, team: { id: TEAM_ID, name: 'Identity' }, eventType: change === 'added' ? 'teamMemberAdded' : 'teamMemberRemoved' },
  };
}

/**
 * Registers a harness for the enclosing file or describe block: started once, reset (directory,
 * chat, audit) before each test, closed at the end. The returned object stands for it in tests.
 */
export function useHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(env, options);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(() => {
    if (!current) return;
    current.sandbox.reset();
    current.connector.clear();
    current.audit.entries.length = 0;
  });
  return new Proxy({} as Harness, {
    get: (_target, property) => {
      if (!current) throw new Error('the harness is used before beforeAll started it');
      return current[property as keyof Harness];
    },
  });
}

/** The Graph and Entra settings that point the bot at a sandbox directory. */
export function sandboxGraphEnv(sandbox: Pick<RunningSandbox, 'tenantId' | 'clientId' | 'clientSecret' | 'url'>): Record<string, string> {
  return {
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    AZURE_AUTHORITY_HOST: sandbox.url,
    GRAPH_ENDPOINT: sandbox.url,
  };
}
