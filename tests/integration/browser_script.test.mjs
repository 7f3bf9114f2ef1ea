import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { newContainer } from '../harness/app.mjs';
import { ROOT } from '../harness/worker.mjs';
import { tracking } from '../harness/tracking.mjs';

test('t.js is served cacheable with an ETag, and a revalidation is a 304', async () => {
  const c = await newContainer();
  const res = await tracking('GET', `/t.js?id=${c.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'public, max-age=300');
  assert.match(res.headers.etag, /^"tjs-[0-9a-f]{16}"$/);
  const minified = execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [join(ROOT, 'assets/t.js'), '--minify', '--log-level=warning'], { encoding: 'utf8' });
  assert.equal(res.text, minified, 'assets/t.js as esbuild minifies it');
  assert.deepEqual(res.setCookies, [], 'the script sets no cookie, so it can be cached');
  const gzip = gzipSync(res.text, { level: 9 }).length;
  assert.ok(gzip <= 2048, `t.js is ${gzip} bytes gzipped`);

  const again = await tracking('GET', `/t.js?id=${c.id}`, { headers: { 'if-none-match': res.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal(again.headers.etag, res.headers.etag);

  const head = await tracking('HEAD', `/t.js?id=${c.id}`);
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.etag, res.headers.etag);
});

test('t.js for an unknown or missing container is a JSON 404 or 400', async () => {
  const unknown = await tracking('GET', '/t.js?id=ctr_AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'not_found');
  const missing = await tracking('GET', '/t.js');
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.code, 'missing_parameter');
});
