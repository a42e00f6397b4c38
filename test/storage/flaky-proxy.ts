/**
 * An HTTP proxy in front of Azurite that can lose a response: it forwards a request, lets the
 * storage service carry it out, then drops the connection instead of answering, as a network
 * failure after the fact would. The SDK then retries a request that already succeeded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyProxy {
  port: number;
  /** The response to the next request matching `match` is lost (once). */
  loseNextResponse(match: (req: http.IncomingMessage) => boolean): void;
  /** Requests seen, as "METHOD path". */
  seen: string[];
  close(): Promise<void>;
}

export async function startFlakyProxy(target: { host: string; port: number }, port = 0): Promise<FlakyProxy> {
  let lose: ((req: http.IncomingMessage) => boolean) | undefined;
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const dropThis = lose?.(req) ?? false;
    if (dropThis) lose = undefined;
    const upstream = http.request(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (dropThis) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    loseNextResponse: (match) => {
      lose = match;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
