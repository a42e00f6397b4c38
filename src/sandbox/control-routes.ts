/**
 * /_sandbox/*: the RunningSandbox controls over HTTP, for tests that run the sandbox in another
 * process (e.g. `npm run playground`). No auth: the server only answers them on loopback.
 */
import { validateFaultRule } from './faults';
import type { ProvisioningError } from './seed';
import type { RunningSandbox } from './types';
import { validateWriteLimit } from './write-limit';

export interface ControlResult {
  status: number;
  body?: unknown;
}

const badRequest = (message: string): ControlResult => ({ status: 400, body: { error: message } });

export function handleControl(method: string, path: string, body: unknown, bodyInvalid: boolean, sandbox: RunningSandbox): ControlResult {
  if (bodyInvalid) return badRequest('body is not valid JSON');
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  switch (route) {
    case 'GET /_sandbox/health':
      return { status: 200, body: { status: 'ok', url: sandbox.url, tenantId: sandbox.tenantId, clientId: sandbox.clientId } };
    case 'GET /_sandbox/requests':
      return { status: 200, body: sandbox.requests() };
    case 'DELETE /_sandbox/requests':
      sandbox.clearRequests();
      return { status: 204 };
    case 'POST /_sandbox/reset':
      sandbox.reset();
      return { status: 204 };
    case 'POST /_sandbox/faults':
      try {
        validateFaultRule(body);
      } catch (err) {
        return badRequest((err as Error).message);
      }
      sandbox.addFault(body);
      return { status: 201, body };
    case 'DELETE /_sandbox/faults':
      sandbox.clearFaults();
      return { status: 204 };
    case 'POST /_sandbox/replication-lag':
      if (typeof fields.ms !== 'number' || !(fields.ms >= 0)) return badRequest('expected {"ms": <non-negative number>}');
      sandbox.setReplicationLag(fields.ms);
      return { status: 204 };
    case 'GET /_sandbox/write-limit':
      return { status: 200, body: sandbox.writeLimit() };
    case 'POST /_sandbox/write-limit':
      try {
        validateWriteLimit(body);
      } catch (err) {
        return badRequest(`expected {"writes": <positive integer>, "perSeconds": <positive number>}: ${(err as Error).message}`);
      }
      sandbox.setWriteLimit({ writes: body.writes, perSeconds: body.perSeconds });
      return { status: 204 };
    case 'POST /_sandbox/page-size':
      if (fields.max !== null && !(Number.isInteger(fields.max) && (fields.max as number) >= 1)) return badRequest('expected {"max": <positive integer> | null}');
      sandbox.setMaxPageSize(fields.max === null ? undefined : (fields.max as number));
      return { status: 204 };
    case 'POST /_sandbox/generated-users':
      if (typeof fields.prefix !== 'string' || typeof fields.count !== 'number' || (fields.group !== undefined && typeof fields.group !== 'string')) {
        return badRequest('expected {"prefix": "gen", "count": <number>, "group"?: "<display name>"}');
      }
      try {
        return { status: 201, body: sandbox.addGeneratedUsers(fields.prefix, fields.count, fields.group as string | undefined) };
      } catch (err) {
        return badRequest((err as Error).message);
      }
    case 'POST /_sandbox/sync-settings': {
      const flags = ['blockSoftMatchEnabled', 'blockCloudObjectTakeoverThroughHardMatchEnabled', 'softMatchOnUpnEnabled'];
      const features = fields.features as Record<string, unknown> | undefined;
      const featuresOk = features === undefined || (typeof features === 'object' && features !== null && Object.entries(features).every(([k, v]) => flags.includes(k) && typeof v === 'boolean'));
      if ((fields.forbidden !== undefined && typeof fields.forbidden !== 'boolean') || !featuresOk) {
        return badRequest(`expected {"forbidden"?: true|false, "features"?: {${flags.map((f) => `"${f}"?: true|false`).join(', ')}}}`);
      }
      sandbox.setSyncSettings({ ...(typeof fields.forbidden === 'boolean' ? { forbidden: fields.forbidden } : {}), ...(features ? { features: features as Record<string, boolean> } : {}) });
      return { status: 204 };
    }
    case 'POST /_sandbox/privileged-role':
      if (typeof fields.granted !== 'boolean') return badRequest('expected {"granted": true|false}');
      sandbox.grantPrivilegedRole(fields.granted);
      return { status: 204 };
    case 'POST /_sandbox/roles': {
      const flags = ['idOnly', 'eligibleOnly'] as const;
      const given = Object.keys(fields);
      if (given.length === 0 || given.some((k) => !(flags as readonly string[]).includes(k)) || flags.some((k) => k in fields && typeof fields[k] !== 'boolean')) {
        return badRequest('expected {"idOnly": true|false, "eligibleOnly": true|false} (either or both)');
      }
      sandbox.setRoleVisibility(fields as { idOnly?: boolean; eligibleOnly?: boolean });
      return { status: 204 };
    }
  }
  const errors = /^PUT \/_sandbox\/users\/([^/]+)\/provisioning-errors$/.exec(route);
  if (errors) {
    const found = sandbox.getUser(errors[1] ?? '');
    if (!found) return { status: 404, body: { error: `no user ${errors[1] ?? ''}` } };
    if (!Array.isArray(body) || !body.every(isProvisioningError)) {
      return badRequest('expected an array of {"category", "occurredDateTime", "propertyCausingError", "value"} (strings)');
    }
    found.onPremisesProvisioningErrors = body;
    return { status: 204 };
  }
  const stop = /^POST \/_sandbox\/users\/(.+)\/stop-sync$/.exec(route);
  if (stop) {
    if (typeof fields.softDelete !== 'boolean') return badRequest('expected {"softDelete": true|false}');
    return sandbox.stopSync(stop[1] ?? '', { softDelete: fields.softDelete }) ? { status: 204 } : { status: 404, body: { error: `no user ${stop[1] ?? ''}` } };
  }
  const user = /^GET \/_sandbox\/users\/(.+)$/.exec(route);
  if (user) {
    const found = sandbox.getUser(user[1] ?? '');
    return found ? { status: 200, body: found } : { status: 404, body: { error: `no user ${user[1] ?? ''}` } };
  }
  return { status: 404, body: { error: `unknown sandbox control route: ${route}` } };
}

function isProvisioningError(value: unknown): value is ProvisioningError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['category', 'occurredDateTime', 'propertyCausingError', 'value'].every((k) => typeof v[k] === 'string');
}
