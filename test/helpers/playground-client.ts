/** Talking to the Microsoft 365 Agents Playground like its web UI does: HTTP in, websocket out. */
import WebSocket from 'ws';
import { collectCardText } from '../cards/card-text';

export type Json = Record<string, unknown>;
export const CARD = 'application/vnd.microsoft.card.adaptive';

export interface StreamEvent {
  action: 'createMessage' | 'updateMessage' | 'typing' | string;
  actionConversationId?: string;
  message?: { messageId: string; text?: string; from?: { id: string }; attachments?: { contentType: string; content: Json }[] };
}

/** The Playground's conversation stream: what the bot sends, as the web UI sees it. */
export class ConversationStream {
  readonly events: StreamEvent[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly ws: WebSocket,
    private readonly context: () => string,
  ) {
    ws.on('message', (data) => {
      try {
        this.events.push(JSON.parse(data.toString()) as StreamEvent);
      } catch {
        return;
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** `context` adds diagnostics (e.g. the launcher's output) to time-out errors. */
  static async open(playgroundUrl: string, context: () => string = () => ''): Promise<ConversationStream> {
    const ws = new WebSocket(`${playgroundUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new ConversationStream(ws, context);
  }

  /** Resolves with the first event at or after `from` that matches; fails after `timeoutMs` listing what did arrive. */
  async waitFor(what: string, from: number, match: (e: StreamEvent) => boolean, timeoutMs = 10_000): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.slice(from).map(summarize).join('\n  ') || '(nothing)';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the stream had:\n  ${seen}\n${this.context()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

export function summarize(e: StreamEvent): string {
  const card = cardOf(e);
  const body = card ? `card: ${collectCardText(card).join(' | ').slice(0, 200)}` : `text: ${(e.message?.text ?? '').slice(0, 200)}`;
  return `${e.action} in ${e.actionConversationId}${e.message ? ` ${body}` : ''}`;
}

export function cardOf(e: StreamEvent): Json | undefined {
  return e.message?.attachments?.find((a) => a.contentType === CARD)?.content;
}


/** JSON over HTTP to the Playground (or any base URL). */
export async function callJson(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: response.status, body };
}
