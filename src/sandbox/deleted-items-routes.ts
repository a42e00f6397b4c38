/**
 * /directory/deletedItems for users: soft-deleted users wait here 30 days with their UPN
 * prefixed by the object id without dashes, so only mail, id or an advanced endswith() query on
 * the UPN finds them. Restore brings one back (cloud-only if it was synced).
 */
import type { DirectoryState } from './directory-state';
import { type GraphResult, MESSAGES, graphError, json, notFoundMessage, notImplemented } from './graph-errors';
import { type GraphRequest, context, page, parseSelect, project, unsupportedOption, userFilterOf, userJson, userPropertiesFor } from './graph-routes';
import { matchesFilter } from './odata-filter';
import type { SeedUser } from './seed';

const USER_CAST = 'microsoft.graph.user';

/** ⚠ What deleted items returns without $select: the user defaults plus when it was deleted. */
const DELETED_USER_DEFAULTS = ['id', 'displayName', 'userPrincipalName', 'mail', 'givenName', 'surname', 'jobTitle', 'deletedDateTime'];

const deletedUserJson = (user: SeedUser): Record<string, unknown> => ({ '@odata.type': '#microsoft.graph.user', ...userJson(user) });

/** `nav`: the segments after /directory/deletedItems. */
export function routeDeletedItems(req: GraphRequest, dir: DirectoryState, nav: string[]): GraphResult {
  const m = req.method;
  const [first, action, ...rest] = nav;
  if (first === USER_CAST && action === undefined && m === 'GET') return listDeletedUsers(req, dir);
  // The cast, then the key (OData key-as-segment): only a deleted *user* answers.
  if (first === USER_CAST && action !== undefined && rest.length === 0 && m === 'GET') return getDeletedItem(req, dir, action);
  if (first !== undefined && first !== USER_CAST && rest.length === 0) {
    if (action === undefined && m === 'GET') return getDeletedItem(req, dir, first);
    if (action === 'restore' && m === 'POST') return restoreDeletedItem(req, dir, first);
  }
  return notImplemented(m, req.decodedPath, req.ids);
}

function listDeletedUsers(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, ['$select', '$filter', '$top', '$skiptoken', '$count']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, userPropertiesFor(req), 'user');
  if (error) return error;
  const filter = userFilterOf(req);
  if (filter.error) return filter.error;
  const { clauses } = filter;
  const users = clauses ? dir.deletedUsers.filter((u) => matchesFilter(u, clauses)) : dir.deletedUsers;
  return page(req, users.map((u) => project(deletedUserJson(u), select, DELETED_USER_DEFAULTS)), context(req, `directory/deletedItems/${USER_CAST}`, select), dir.maxPageSize);
}

function getDeletedItem(req: GraphRequest, dir: DirectoryState, id: string): GraphResult {
  const bad = unsupportedOption(req, ['$select']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, userPropertiesFor(req), 'user');
  if (error) return error;
  const user = dir.findDeletedUser(id);
  if (!user) return graphError(404, 'Request_ResourceNotFound', notFoundMessage(id), req.ids);
  return json(200, { '@odata.context': context(req, 'directory/deletedItems/$entity', select), ...project(deletedUserJson(user), select, DELETED_USER_DEFAULTS) });
}

function restoreDeletedItem(req: GraphRequest, dir: DirectoryState, id: string): GraphResult {
  const user = dir.findDeletedUser(id);
  if (!user) return graphError(404, 'Request_ResourceNotFound', notFoundMessage(id), req.ids);
  if (dir.isPrivileged(user) && !dir.privilegedRoleGranted) {
    return graphError(403, 'Authorization_RequestDenied', MESSAGES.insufficientPrivileges, req.ids);
  }
  const upn = dir.restoredUpn(user).toLowerCase();
  // ⚠ Graph can rename on conflict (autoReconcileProxyConflict); the sandbox refuses instead.
  if (dir.users.some((u) => u.userPrincipalName.toLowerCase() === upn)) return graphError(400, 'Request_BadRequest', MESSAGES.duplicateUpn, req.ids);
  dir.restoreUser(user);
  return json(200, { '@odata.context': context(req, 'directoryObjects/$entity'), ...project(deletedUserJson(user), undefined, DELETED_USER_DEFAULTS) });
}
