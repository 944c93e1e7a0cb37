import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface GatedApi {
  /** The endpoint URL to give `api.url`: same path as the target's, this server's port. */
  url: string;
  /**
   * Runs once, on the next request, before it is passed on: the client has sent its request and
   * waits for the answer, so the test can change the world at a known point of a run.
   */
  onNextRequest(hook: () => void | Promise<void>): void;
  close(): Promise<void>;
}

/** An HTTP pass-through in front of an API (the simulator), with a one-shot hook per request. */
export async function startGatedApi(target: string): Promise<GatedApi> {
  const upstream = new URL(target);
  let hook: (() => void | Promise<void>) | undefined;
  const server = createServer((req, res) => {
    const run = hook;
    hook = undefined;
    Promise.resolve(run?.())
      .then(() => {
        const forward = request(
          new URL(req.url ?? "/", upstream.origin),
          { method: req.method, headers: { ...req.headers, host: upstream.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", () => res.destroy());
        req.pipe(forward);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    onNextRequest(fn) {
      hook = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
