// A local HTTP receiver standing in for a partner: it records every request (method, URL,
// headers, body) and answers with whatever the test scripts, e.g. 500 then 200.
import { createServer } from 'node:http';

export async function startReceiver() {
  const requests = [];
  const scripts = new Map(); // path -> array of {status, headers, body, delayMs}
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://receiver');
      const record = { method: req.method, url: req.url, path: url.pathname, query: url.searchParams,
        headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(record);
      const queue = scripts.get(url.pathname);
      const answer = (queue && queue.length > 1 ? queue.shift() : queue?.[0]) ?? { status: 200, body: 'ok' };
      const send = () => {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.headers ?? {}) });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs); else send();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Script the answers for a path; the last answer repeats. */
    script(path, ...answers) { scripts.set(path, answers); },
    received(path) { return requests.filter((r) => r.path === path); },
    // A parked destination's probe keeps retrying on the schedule, so workerd may hold a
    // keep-alive connection busy at any moment: `close` alone would then wait for ever.
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
  };
}
