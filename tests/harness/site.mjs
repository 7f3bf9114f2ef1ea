// A site for real-browser tests: one HTTPS server on 127.0.0.1 that answers for
// `www.shop.localhost.test` (landing pages the test registers) and proxies
// `t.shop.localhost.test` to the worker, keeping the Host header so the worker sees its tracking
// host. Chromium reaches both names through `--host-resolver-rules`, so the site and the
// tracking host share a registrable domain, and TLS makes them secure origins that accept
// `Secure` cookies. The certificate is made for this run with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SITE_HOST = 'www.shop.localhost.test';
export const TRACKING_HOST = 't.shop.localhost.test';
export const COOKIE_DOMAIN = 'shop.localhost.test';

/** Flags that let Chromium reach the site: both names resolve to loopback, the test CA is trusted. */
export const CHROMIUM_SITE_ARGS = [`--host-resolver-rules=MAP *.${COOKIE_DOMAIN} 127.0.0.1`, '--ignore-certificate-errors'];

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'postclick-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', `/CN=${COOKIE_DOMAIN}`,
      '-addext', `subjectAltName=DNS:${COOKIE_DOMAIN},DNS:*.${COOKIE_DOMAIN}`], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * @param {string} workerUrl the worker's http://127.0.0.1:port
 * @param {{sameOrigin?: {path: string, secret: string, clientIp: string}}} options
 *   `sameOrigin` makes the site's own host a reverse proxy for same-origin mode, as the README's
 *   nginx block configures one: `{path}/*` goes to the worker unchanged, with the site's host in
 *   `X-Forwarded-Host`, `clientIp` in `X-Forwarded-For` and the shared secret.
 */
export async function startSite(workerUrl, { sameOrigin } = {}) {
  const worker = new URL(workerUrl);
  const pages = new Map();
  const requests = [];
  const server = createServer(selfSignedCertificate(), (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    requests.push({ host, method: req.method, url: req.url, headers: req.headers });
    const proxied = sameOrigin && host === SITE_HOST && req.url.startsWith(`${sameOrigin.path}/`);
    if (host === TRACKING_HOST || proxied) {
      const headers = proxied ? { ...req.headers, host: worker.host, 'x-forwarded-host': req.headers.host,
        'x-forwarded-for': sameOrigin.clientIp, 'x-postclick-proxy-secret': sameOrigin.secret } : req.headers;
      const upstream = request({ host: worker.hostname, port: worker.port, method: req.method, path: req.url, headers },
        (answer) => {
          // Multiple Set-Cookie headers stay separate in rawHeaders; hop-by-hop ones stay here.
          const headers = [];
          for (let i = 0; i < answer.rawHeaders.length; i += 2) {
            if (!HOP_BY_HOP.has(answer.rawHeaders[i].toLowerCase())) headers.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
          }
          res.writeHead(answer.statusCode, headers);
          answer.pipe(res);
        });
      upstream.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
      req.pipe(upstream);
      return;
    }
    const page = host === SITE_HOST && pages.get(new URL(req.url, 'https://x').pathname);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such page');
      return;
    }
    const send = () => {
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store' });
      res.end(page.body);
    };
    if (page.delayMs) setTimeout(send, page.delayMs); else send();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    port,
    origin: `https://${SITE_HOST}:${port}`,
    trackingOrigin: `https://${TRACKING_HOST}:${port}`,
    requests,
    /** Serve `body` at `path` on the site (HTML unless `type` says otherwise), after `delayMs`. */
    page(path, body, { type = 'text/html; charset=utf-8', delayMs = 0 } = {}) { pages.set(path, { body, type, delayMs }); },
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
  };
}

/** The install snippet from the README, for a container on this site's tracking host. */
export function installSnippet(trackingOrigin, containerId, { before = '' } = {}) {
  return `<script>
  (function (w) {
    var p = w.postclick = w.postclick || { q: [] };
    ['track', 'consent', 'page'].forEach(function (m) {
      p[m] = p[m] || function () { p.q.push([m, [].slice.call(arguments)]); };
    });
  })(window);
  ${before}
</script>
<script async src="${trackingOrigin}/t.js?id=${containerId}"></script>`;
}
