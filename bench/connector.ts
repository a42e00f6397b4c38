/**
 * A counting stand-in for the Bot Framework connector (the Teams service URL) on loopback:
 * answers like the service does, counts calls, and keeps only what the benchmark needs per
 * conversation (the last request id a card offered, and card updates), so memory stays flat
 * over long runs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Verbs } from '../src/cards/verbs';

export interface ConnectorCounts {
  /** Every call to the connector. */
  calls: number;
  typing: number;
  messages: number;
  updates: number;
}

export interface BenchConnector {
  url: string;
  counts: ConnectorCounts;
  /** The request (or bulk job) id of the last card with a button of this verb (default: approve) sent to this conversation. */
  lastRequestId(conversationId: string, verb?: string): string | undefined;
  /** The last few plain-text messages to this conversation (e.g. a bulk job's "has finished" line). */
  texts(conversationId: string): string[];
  /** What the last message to this conversation said (text, or the card's first lines), for error reports. */
  lastMessage(conversationId: string): string | undefined;
  /** How many card updates (PUT) this conversation has received. */
  updates(conversationId: string): number;
  forget(conversationId: string): void;
  close(): Promise<void>;
}

/** Finds the requestId of an Action.Execute with this verb anywhere in a card. */
export function findActionRequestId(node: unknown, verb: string): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findActionRequestId(item, verb);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const obj = node as Record<string, unknown>;
  if (obj.verb === verb && typeof (obj.data as { requestId?: unknown } | undefined)?.requestId === 'string') {
    return (obj.data as { requestId: string }).requestId;
  }
  for (const value of Object.values(obj)) {
    const found = findActionRequestId(value, verb);
    if (found) return found;
  }
  return undefined;
}

/** The buttons whose request ids the benchmark taps: a request's Approve and a bulk job's Approve. */
const TRACKED_VERBS = [Verbs.approve, Verbs.bulkApprove];

export async function startBenchConnector(): Promise<BenchConnector> {
  const counts: ConnectorCounts = { calls: 0, typing: 0, messages: 0, updates: 0 };
  const requestIds = new Map<string, string>();
  const texts = new Map<string, string[]>();
  const updates = new Map<string, number>();
  const lastMessages = new Map<string, string>();
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.calls++;
      const parts = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as { type?: string; attachments?: unknown };
      const conversationId = parts[2] ?? '';
      res.setHeader('content-type', 'application/json');
      if (req.method === 'PUT') {
        counts.updates++;
        updates.set(conversationId, (updates.get(conversationId) ?? 0) + 1);
        res.end(JSON.stringify({ id: parts[4] ?? '' }));
        return;
      }
      if (body.type === 'typing') counts.typing++;
      else {
        counts.messages++;
        lastMessages.set(conversationId, JSON.stringify((body as { text?: string }).text ?? body.attachments ?? '').slice(0, 600));
      }
      const text = (body as { text?: unknown }).text;
      if (typeof text === 'string' && text) texts.set(conversationId, [...(texts.get(conversationId) ?? []), text].slice(-5));
      for (const verb of TRACKED_VERBS) {
        const requestId = body.attachments ? findActionRequestId(body.attachments, verb) : undefined;
        if (requestId) requestIds.set(`${verb}|${conversationId}`, requestId);
      }
      res.end(JSON.stringify({ id: `activity-${++counter}` }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    counts,
    lastRequestId: (id, verb = Verbs.approve) => requestIds.get(`${verb}|${id}`),
    texts: (id) => texts.get(id) ?? [],
    updates: (id) => updates.get(id) ?? 0,
    lastMessage: (id) => lastMessages.get(id),
    forget: (id) => {
      for (const verb of TRACKED_VERBS) requestIds.delete(`${verb}|${id}`);
      texts.delete(id);
      lastMessages.delete(id);
      updates.delete(id);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
