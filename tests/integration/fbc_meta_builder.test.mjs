// postclick's _fbc held against Meta's own parameter builder (PyPI capi-param-builder-python,
// installed pinned by scripts/bootstrap.sh): for every fbclid the builder takes, postclick sets
// the cookie the builder would (its fifth segment aside); the builder reads postclick's cookie
// and keeps its time and fbclid; and postclick reads the builder's 5-segment cookie without
// rewriting it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { newContainer } from '../harness/app.mjs';
import { collect, Jar, SITE_ORIGIN, TRACKING_HOST } from '../harness/tracking.mjs';

const PYTHON = process.env.POSTCLICK_META_PYTHON;
const DOMAIN = 'shop.localhost.test';

/** Meta's builder on one request: the `_fbc` it ends with. */
function metaBuilder({ fbclid, cookie }) {
  if (!PYTHON) throw new Error('POSTCLICK_META_PYTHON is unset: run through make test (scripts/bootstrap.sh installs the builder)');
  const script = `
import json, sys
from capi_param_builder import ParamBuilder
args = json.loads(sys.argv[1])
builder = ParamBuilder([args["domain"]])
query = {"fbclid": [args["fbclid"]]} if args.get("fbclid") else {}
cookies = {"_fbc": args["cookie"]} if args.get("cookie") else {}
builder.process_request(args["host"], query, cookies)
print(json.dumps({"fbc": builder.get_fbc()}))`;
  const out = execFileSync(PYTHON, ['-c', script, JSON.stringify({ domain: DOMAIN, host: TRACKING_HOST, fbclid, cookie })]);
  return JSON.parse(out.toString()).fbc;
}

// Ordinary fbclids, and the dotted one the builder takes where postclick used to set nothing.
const FBCLIDS = ['IwAR2F4-dbP_x', 'IwZXh0bgNhZW0CMTEAAR2xyz_ABC-def', 'AbC.d-e_F', 'Aa0~!*()_-.x'];

for (const fbclid of FBCLIDS) {
  test(`postclick sets the _fbc Meta's builder sets for fbclid ${fbclid}`, async () => {
    const container = await newContainer();
    const jar = new Jar();
    const res = await collect(container.id, `${SITE_ORIGIN}/?fbclid=${encodeURIComponent(fbclid)}`, { jar });
    assert.equal(res.status, 204);
    const ours = jar.get('_fbc');
    assert.ok(ours, 'postclick set _fbc');
    const theirs = metaBuilder({ fbclid });
    const [, index, time] = ours.split('.');
    const expected = theirs.slice(0, theirs.lastIndexOf('.')).split('.');
    expected[2] = time; // the click time is each one's own clock
    assert.equal(index, theirs.split('.')[1], 'same subdomain index');
    assert.equal(ours, expected.join('.'), `builder: ${theirs}`);
  });
}

test('Meta\'s builder reads postclick\'s _fbc and keeps its time and fbclid', async () => {
  const container = await newContainer();
  const jar = new Jar();
  await collect(container.id, `${SITE_ORIGIN}/?fbclid=IwAR2F4-dbP_x`, { jar });
  const ours = jar.get('_fbc');
  const read = metaBuilder({ cookie: ours });
  assert.ok(read.startsWith(`${ours}.`), `${read} keeps ${ours}`);
  const again = metaBuilder({ cookie: ours, fbclid: 'IwAR2F4-dbP_x' });
  assert.ok(again.startsWith(`${ours}.`), 'the same fbclid does not make the builder rewrite it');
});

test('postclick reads the builder\'s 5-segment _fbc without rewriting it', async () => {
  const container = await newContainer();
  for (const fbclid of FBCLIDS) {
    const theirs = metaBuilder({ fbclid });
    const jar = new Jar();
    jar.values.set('_fbc', theirs);
    const res = await collect(container.id, `${SITE_ORIGIN}/?fbclid=${encodeURIComponent(fbclid)}`, { jar });
    assert.equal(res.status, 204);
    assert.equal(res.cookies._fbc, undefined, `${theirs} is kept`);
  }
});
