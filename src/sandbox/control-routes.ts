/**
 * /_sandbox/*: the RunningSandbox controls over HTTP, for tests that run the sandbox in another
 * process (e.g. `npm run playground`). No auth: the server only answers them on loopback.
 */
import { validateFaultRule } from './faults';
import type { RunningSandbox } from './types';

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
    case 'POST /_sandbox/privileged-role':
      if (typeof fields.granted !== 'boolean') return badRequest('expected {"granted": true|false}');
      sandbox.grantPrivilegedRole(fields.granted);
      return { status: 204 };
  }
  const user = /^GET \/_sandbox\/users\/(.+)$/.exec(route);
  if (user) {
    const found = sandbox.getUser(user[1] ?? '');
    return found ? { status: 200, body: found } : { status: 404, body: { error: `no user ${user[1] ?? ''}` } };
  }
  return { status: 404, body: { error: `unknown sandbox control route: ${route}` } };
}
