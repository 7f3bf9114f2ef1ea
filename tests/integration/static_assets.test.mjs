// The console and the OpenAPI document are Workers Static Assets (`[assets]` in wrangler.toml,
// built into build/assets by scripts/build.sh): same URLs and headers as when the worker served
// them, and the wasm no longer carries them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'node:http';
import { BASE, call } from '../harness/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const CONSOLE = join(ROOT, 'assets/console');
/** The console's CSP as assets/_headers states it for `/admin`. */
const CSP = readFileSync(join(ROOT, 'assets/_headers'), 'utf8').match(/^\/admin\n\s+Content-Security-Policy: (.+)$/m)[1];

function assertConsoleHeaders(res, label) {
  assert.equal(res.headers.get('content-security-policy'), CSP, label);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', label);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', label);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', label);
  assert.equal(res.headers.get('cache-control'), 'no-cache', label);
}

test('the console page is served at /admin without a token, with the console\'s CSP', async () => {
  const res = await call('GET', '/admin', { token: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assert.equal(res.text, readFileSync(join(CONSOLE, 'index.html'), 'utf8'));
  assert.match(CSP, /script-src 'self'/);
  assertConsoleHeaders(res, '/admin');
});

test('every file of the console folder is served under /admin/assets/ with the console\'s headers', async () => {
  const files = readdirSync(CONSOLE).filter((f) => f !== 'index.html');
  assert.ok(files.length >= 10, `only ${files.length} console files`);
  for (const file of files) {
    const res = await call('GET', `/admin/assets/${file}`, { token: null });
    assert.equal(res.status, 200, file);
    assert.equal(res.text, readFileSync(join(CONSOLE, file), 'utf8'), file);
    assert.match(res.headers.get('content-type'), file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/, file);
    assertConsoleHeaders(res, file);
  }
});

test('a console file the folder lacks is a JSON 404 from the worker', async () => {
  const res = await call('GET', '/admin/assets/no-such-module.js', { token: null });
  assert.equal(res.status, 404);
  assert.equal(res.json.error.code, 'not_found');
});

test('the OpenAPI document is served minified, as checked in, cached five minutes', async () => {
  const res = await call('GET', '/admin/api/openapi.json', { token: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
  const checkedIn = JSON.parse(readFileSync(join(ROOT, 'assets/openapi.json'), 'utf8'));
  assert.deepEqual(res.json, checkedIn);
  // Character for character, so that no number is rounded on the way (a bound of 2^64 - 1
  // through JavaScript's JSON.parse came out as 18446744073709552000).
  assert.equal(res.text, withoutWhitespace(readFileSync(join(ROOT, 'assets/openapi.json'), 'utf8')), 'without whitespace');
});

/** `method path` through node:http, which sends TRACE (fetch refuses to). */
function rawRequest(method, path) {
  return new Promise((done, fail) => {
    const req = request(new URL(path, BASE), { method }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode, allow: res.headers.allow }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** JSON text without the whitespace between its tokens, every token kept as written. */
function withoutWhitespace(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!' \n\r\t'.includes(c)) {
      out += c;
    }
  }
  return out;
}

test('another method on the console or the reference is refused by the asset server', async () => {
  // Cloudflare's asset server answers these paths before the worker runs: 405, without the
  // Allow header the worker's routes send (the contract run knows, see README "Tests").
  for (const path of ['/admin', '/admin/assets/console.js', '/admin/api/openapi.json']) {
    for (const method of ['POST', 'PUT', 'DELETE', 'TRACE']) {
      const res = await rawRequest(method, path);
      assert.equal(res.status, 405, `${method} ${path}`);
    }
  }
});

test('the wasm carries neither the console nor the OpenAPI document', () => {
  const wasm = readFileSync(join(ROOT, 'build/index_bg.wasm')).toString('utf8');
  for (const file of readdirSync(CONSOLE)) {
    // A long line of each file: short ones (`}`) could occur anywhere.
    const line = readFileSync(join(CONSOLE, file), 'utf8').split('\n').map((l) => l.trim()).sort((a, b) => b.length - a.length)[0];
    assert.ok(line.length >= 30, `${file} has a distinctive line`);
    assert.ok(!wasm.includes(line), `${file} is embedded in the wasm: ${line}`);
  }
  assert.ok(!wasm.includes('"openapi":"3.'), 'the OpenAPI document is embedded in the wasm');
});
