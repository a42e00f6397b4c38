/** What the conversation layer needs: the workflow's dependencies plus the chat around them. */
import type { NotificationStore } from '../storage/notification-store';
import type { BulkJobStore } from '../storage/bulk-job-store';
import type { BulkKind } from '../workflow/bulk/types';
import type { BulkJobRunner, BulkKindPlanner } from './bulk-jobs';
import type { WorkflowDeps } from '../workflow/deps';
import type { Actor } from '../workflow/types';
import type { ChatPort } from './chat-port';
import type { RateLimiter } from './rate-limit';

export interface ConversationDeps extends WorkflowDeps {
  /** Cards say so when the directory is the local sandbox. */
  sandbox: boolean;
  /** Posting elsewhere and updating earlier cards; absent in tests that only look at replies. */
  chat?: ChatPort;
  rateLimiter?: RateLimiter;
  /** Sync-error reports from POST /api/notify. */
  notifications?: NotificationStore;
  /** Bulk jobs (absent in tests that build deps by hand). */
  bulkJobs?: BulkJobStore;
  bulkRunner?: BulkJobRunner;
  bulkPlanners?: Partial<Record<BulkKind, BulkKindPlanner>>;
}

/** One chat message, as the transport hands it over. */
export interface IncomingMessage {
  text: string;
  actor: Actor;
  conversationId: string;
  tenantId: string;
}

export const REQUESTER_ROLE =
  "You need the requester role for this: ask your Teams admin to add you to the bot's requester group (REQUESTER_GROUP_ID) or list (REQUESTER_IDS). Approvers can ask too.";
