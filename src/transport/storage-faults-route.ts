/**
 * Sandbox only: POST /_sandbox/storage-faults arms a storage fault by step ({ "step", "times" }),
 * DELETE clears them, GET lists them. Registered only in SANDBOX_MODE, and answered only from
 * loopback whatever address the server binds.
 */
import type restify from 'restify';
import type { Logger } from '../log';
import type { StorageFaults } from '../storage/faulty-store';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function registerStorageFaultsRoute(server: restify.Server, faults: StorageFaults, log: Logger): void {
  const local = (req: restify.Request, res: restify.Response): boolean => {
    if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return true;
    res.send(404);
    return false;
  };
  server.post('/_sandbox/storage-faults', async (req, res) => {
    if (!local(req, res)) return;
    const problem = faults.arm(req.body);
    if (problem) {
      res.send(400, { error: problem });
      return;
    }
    log.info('sandbox.storage_fault_armed', { rule: req.body as Record<string, unknown> });
    res.send(200, { faults: faults.list() });
  });
  server.get('/_sandbox/storage-faults', async (req, res) => {
    if (!local(req, res)) return;
    res.send(200, { faults: faults.list() });
  });
  server.del('/_sandbox/storage-faults', async (req, res) => {
    if (!local(req, res)) return;
    faults.clear();
    res.send(204);
  });
}
