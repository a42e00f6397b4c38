/**
 * A stand-in for the Bot Framework connector (the Teams service URL): records every activity the
 * bot sends or updates over real HTTP, answering like the service does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedActivity {
  method: 'POST' | 'PUT';
  conversationId: string;
  /** For PUT: the id of the activity that was replaced; for replies: the activity replied to. */
  activityId?: string;
  /** The id this connector assigned (POST) or kept (PUT). */
  id: string;
  activity: {
    type: string;
    text?: string;
    attachments?: Array<{ contentType: string; content: Record<string, unknown> }>;
    [key: string]: unknown;
  };
  authorization?: string;
}

export interface RecordingConnector {
  url: string;
  activities: RecordedActivity[];
  /** Conversation ids (without ;messageid=) that answer 403, as Teams does once the bot is gone from them. */
  gone: Set<string>;
  /** Messages (not typing) sent to a conversation, in order. */
  messages(conversationId?: string): RecordedActivity[];
  clear(): void;
  waitFor(predicate: (a: RecordedActivity[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRecordingConnector(): Promise<RecordingConnector> {
  const activities: RecordedActivity[] = [];
  const gone = new Set<string>();
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      // v3/conversations[/{id}/activities[/{activityId}]]
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && parts.length === 2 && parts[1] === 'conversations') {
        // Like Teams: a new channel thread is "<channel id>;messageid=<id of its first message>".
        const activityId = `activity-${++counter}`;
        const channel = body.channelData?.channel?.id as string | undefined;
        const id = channel ? `${channel};messageid=${activityId}` : `created-conversation-${counter}`;
        const first = body.activity;
        if (first) {
          activities.push({ method: 'POST', conversationId: id, id: activityId, activity: first, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
        }
        res.end(JSON.stringify({ id, activityId }));
        return;
      }
      if (parts[0] !== 'v3' || parts[1] !== 'conversations' || parts[3] !== 'activities' || !parts[2]) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: 'NotFound', message: `unknown route ${req.method} ${url.pathname}` } }));
        return;
      }
      const conversationId = parts[2];
      const activityId = parts[4];
      if (gone.has(conversationId.split(';messageid=')[0]!)) {
        // Like Teams when the bot was removed from a chat or the chat was deleted.
        res.statusCode = 403;
        res.end(JSON.stringify({ error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } }));
        return;
      }
      if (req.method === 'PUT' && activityId) {
        activities.push({ method: 'PUT', conversationId, activityId, id: activityId, activity: body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
        res.end(JSON.stringify({ id: activityId }));
        return;
      }
      const id = `activity-${++counter}`;
      activities.push({ method: 'POST', conversationId, ...(activityId ? { activityId } : {}), id, activity: body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    activities,
    gone,
    messages: (conversationId) =>
      activities.filter((a) => a.activity.type === 'message' && (!conversationId || a.conversationId === conversationId)),
    clear: () => {
      activities.length = 0;
    },
    waitFor: async (predicate, timeoutMs = 10000) => {
      const end = Date.now() + timeoutMs;
      while (!predicate(activities)) {
        if (Date.now() > end) throw new Error(`timed out waiting; recorded: ${JSON.stringify(activities.map((a) => [a.method, a.activity.type, a.activity.text]))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
