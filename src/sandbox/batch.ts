/**
 * POST /v1.0/$batch: JSON batching as Graph does it. The batch answers 200 whenever its payload
 * parses; each sub-request carries its own status (a throttled user is a 429 *inside* a 200,
 * and the SDK's RetryHandler never sees it). dependsOn must name an earlier request; a request
 * whose dependency failed answers 424.
 */
import { type GraphResult, type RequestIds, MESSAGES, graphError, json } from './graph-errors';

export const MAX_BATCH_REQUESTS = 20;

export interface BatchSubRequest {
  id: string;
  method: string;
  /** Relative to the version: "/users/alice@contoso.com?$select=id" or "users/...". */
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

/** Runs one sub-request (faults, logging, routing); may throw to drop the whole connection. */
export type SubRequestExecutor = (sub: BatchSubRequest) => Promise<GraphResult>;

type Parsed = { requests: BatchSubRequest[] } | { error: string };

function parseBatch(payload: unknown): Parsed {
  const invalid = { error: MESSAGES.invalidBatch };
  if (typeof payload !== 'object' || payload === null || !Array.isArray((payload as { requests?: unknown }).requests)) return invalid;
  const items = (payload as { requests: unknown[] }).requests;
  // ⚠ Graph's exact text for an oversized batch is unconfirmed.
  if (items.length > MAX_BATCH_REQUESTS) return { error: `${MESSAGES.invalidBatch} A batch holds at most ${MAX_BATCH_REQUESTS} requests; this one has ${items.length}.` };
  if (items.length === 0) return invalid;
  const requests: BatchSubRequest[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'object' || item === null) return invalid;
    const r = item as Record<string, unknown>;
    if (typeof r.id !== 'string' || r.id === '' || typeof r.method !== 'string' || typeof r.url !== 'string') return invalid;
    if (seen.has(r.id)) return { error: `${MESSAGES.invalidBatch} Duplicate request id '${r.id}'.` };
    const dependsOn = r.dependsOn ?? [];
    if (!Array.isArray(dependsOn) || !dependsOn.every((d): d is string => typeof d === 'string')) return invalid;
    // Graph requires a dependency to appear earlier in the array.
    const bad = dependsOn.find((d) => !seen.has(d));
    if (bad !== undefined) return { error: `Invalid dependency for request Id ${r.id}: '${bad}'.` };
    const headers: Record<string, string> = {};
    if (r.headers !== undefined) {
      if (typeof r.headers !== 'object' || r.headers === null) return invalid;
      for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
    }
    seen.add(r.id);
    requests.push({ id: r.id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body, dependsOn });
  }
  return { requests };
}

export async function runBatch(payload: unknown, bodyInvalid: boolean, ids: RequestIds, execute: SubRequestExecutor): Promise<GraphResult> {
  // ⚠ Graph's gateway answers malformed batches 400 "BadRequest" (not the directory's Request_BadRequest).
  if (bodyInvalid) return graphError(400, 'BadRequest', MESSAGES.invalidBatch, ids);
  const parsed = parseBatch(payload);
  if ('error' in parsed) return graphError(400, 'BadRequest', parsed.error, ids);

  const statuses = new Map<string, number>();
  const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
  for (const sub of parsed.requests) {
    let result: GraphResult;
    if (sub.dependsOn.some((d) => (statuses.get(d) ?? 0) >= 400)) {
      result = graphError(424, 'FailedDependency', MESSAGES.failedDependency, { requestId: ids.requestId, clientRequestId: sub.headers['client-request-id'] ?? ids.clientRequestId });
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(sub.url)) {
      result = graphError(400, 'BadRequest', 'Batch request urls must be relative.', ids); // ⚠
    } else {
      result = await execute(sub);
    }
    statuses.set(sub.id, result.status);
    const response: (typeof responses)[number] = { id: sub.id, status: result.status, headers: { 'Cache-Control': 'no-cache', ...result.headers } };
    if (result.body !== undefined) response.body = result.body;
    responses.push(response);
  }
  return json(200, { responses });
}
