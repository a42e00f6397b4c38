/**
 * The previous values of a bulk job's users as a CSV file, sent in the personal chat through
 * Teams' file consent card (the user accepts, Teams gives an upload URL in their OneDrive):
 * only the requester and approvers get it, and only in their own personal chat.
 */
import type { BulkItemRecord, BulkJob } from '../workflow/bulk/types';
import type { Actor } from '../workflow/types';
import type { BulkDeps } from './bulk-jobs';
import { type Reply, text } from './replies';

const HEADER = ['userPrincipalName', 'objectId', 'status', 'attribute', 'previousValue', 'newValue', 'at', 'graphRequestId', 'detail'];

/** One CSV field: quoted when needed; a leading = + - @ is neutralised so spreadsheets don't run it as a formula. */
function field(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The CSV: one row per user and attribute, previous value first (the rollback record). */
export function renderPreviousValuesCsv(records: readonly BulkItemRecord[]): string {
  const rows = [HEADER.join(',')];
  const sorted = [...records].sort((a, b) => a.upn.localeCompare(b.upn));
  for (const r of sorted) {
    const changes = r.before.length > 0 ? r.before : [{ attribute: '', before: null, after: null }];
    for (const c of changes) rows.push([r.upn, r.userId, r.status, c.attribute, c.before, c.after, r.at, r.graphRequestId, r.detail].map(field).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

export const csvFileName = (job: BulkJob): string => `bulk-${job.id.slice(0, 8)}-previous-values.csv`;

type CsvAccess = { ok: true; job: BulkJob; csv: string } | { ok: false; message: string };

/** The CSV, if `actor` may have it (the requester or an approver) and the job has run. */
export async function readCsvFor(deps: BulkDeps, jobId: string, actor: Actor): Promise<CsvAccess> {
  const job = await deps.bulkJobs.get(jobId);
  if (!job) return { ok: false, message: `I can't find bulk job \`${jobId.slice(0, 64)}\`. The id is at the bottom of the job's card.` };
  const isRequester = actor.aadObjectId !== '' && actor.aadObjectId.toLowerCase() === job.requester.aadObjectId.toLowerCase();
  if (!isRequester && !(await deps.roles.canApprove(actor))) {
    return { ok: false, message: 'Only the requester of that bulk job and approvers can have its previous values.' };
  }
  const records = [...(await deps.bulkJobs.items(job.id)).values()];
  if (records.length === 0) return { ok: false, message: 'That job has not changed anyone yet, so there are no previous values.' };
  return { ok: true, job, csv: renderPreviousValuesCsv(records) };
}

/** `csv <job id>`: a file consent card in the personal chat. */
export async function offerCsv(deps: BulkDeps, input: { jobId: string; actor: Actor; conversationId: string }): Promise<Reply[]> {
  // Teams personal chats have ids starting with "a:"; files can only be sent there.
  if (!input.conversationId.startsWith('a:')) return [text(`I send files only in our personal chat: open a chat with me and send \`csv ${input.jobId}\` there.`)];
  const access = await readCsvFor(deps, input.jobId, input.actor);
  if (!access.ok) return [text(access.message)];
  return [
    {
      type: 'file-consent',
      name: csvFileName(access.job),
      description: `Previous values of the users changed by bulk job ${access.job.id} (one row per user and attribute).`,
      sizeInBytes: Buffer.byteLength(access.csv, 'utf8'),
      context: { jobId: access.job.id },
    },
  ];
}
