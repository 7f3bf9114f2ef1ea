// The whole hostile corpus in real Chromium, in the main window and in the sandbox: a pixel with
// a placeholder in every position the engine accepts, fired once per batch of values. No value
// may run code (the sentinel `__pwned` stays unset in every frame), add or remove an element or
// an event handler, move a URL to another host or path depth, or make a script invalid; every
// value arrives as written (in the main window, script values without '<' and '>').
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { HOSTILE_VALUES } from '../harness/pixel_corpus.mjs';
import { openPage, pixelConnector, sentinelSet, siteContainer, startPixelBrowsing } from '../harness/pixel_browser.mjs';

let site;
let browser;

before(async () => {
  ({ site, browser } = await startPixelBrowsing());
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** Slots per event: one hostile value per slot, each slot holding a placeholder in every position. */
const SLOTS = 16;

/** A pixel where {{S0}}..{{S15}} each stand in every position the engine accepts. */
function everyPositionPixel(beacon) {
  const slot = (k) => `<div class="slot" data-b="{{BATCH}}" data-k="${k}">
<p class="text">{{S${k}}}</p>
<textarea class="rcdata">{{S${k}}}</textarea>
<span class="dq" title="{{S${k}}}"></span><span class="sq" title='{{S${k}}}'></span><span class="uq" title={{S${k}}}></span>
<span class="css" style="content: '{{S${k}}}'; font-family: &quot;{{S${k}}}&quot;"></span>
<img class="query" src="${site.origin}${beacon}?b={{BATCH}}&k=${k}&v={{S${k}}}#{{S${k}}}" alt="">
<a class="path" href="/shop/{{S${k}}}/thanks?x=1">link</a>
<!-- slot ${k}: {{S${k}}} -->
<style>.c${k}::after { content: "{{S${k}}}"; font-family: '{{S${k}}}' }</style>
<script>
  var h${k} = '<b title="{{S${k}}}">{{S${k}}}</b>';
  var u${k} = 'https://px.partner.example/v?x={{S${k}}}';
  window.__got.push({ b: {{BATCH}}, k: ${k}, sq: '{{S${k}}}', dq: "{{S${k}}}", code: {{S${k}}}, h: h${k}, u: u${k} });
</script>
<script><!--
  window.__legacy.push([{{BATCH}}, ${k}, '{{S${k}}}']);
//--></script>
</div>`;
  const start = '<script>window.__got = window.__got || []; window.__legacy = window.__legacy || [];</script>';
  return start + Array.from({ length: SLOTS }, (_, k) => slot(k)).join('\n');
}

/** What the HTML parser makes of text: CR and CRLF become LF, NUL becomes U+FFFD. */
const parsed = (s) => s.replace(/\r\n?/g, '\n').replaceAll('\0', '\ufffd');

/** What each frame that holds slots reports, merged. */
async function report(page) {
  const merged = { got: [], legacy: [], slots: [] };
  for (const frame of page.frames()) {
    const part = await frame.evaluate(() => ({
      got: window.__got || [],
      legacy: window.__legacy || [],
      slots: [...document.querySelectorAll('div.slot')].map((d) => {
        const markup = document.createElement('div');
        const entry = (window.__got || []).find((g) => g.b === Number(d.dataset.b) && g.k === Number(d.dataset.k));
        markup.innerHTML = entry ? entry.h : '';
        return {
          b: Number(d.dataset.b), k: Number(d.dataset.k),
          text: d.querySelector('p.text').textContent,
          rcdata: d.querySelector('textarea.rcdata').value,
          dq: d.querySelector('span.dq').getAttribute('title'),
          sq: d.querySelector('span.sq').getAttribute('title'),
          uq: d.querySelector('span.uq').getAttribute('title'),
          query: d.querySelector('img.query').getAttribute('src'),
          path: new URL(d.querySelector('a.path').getAttribute('href'), 'https://shop.example/').pathname,
          written: { elements: [...markup.querySelectorAll('*')].map((e) => e.tagName).join(','),
            title: markup.firstElementChild?.getAttribute('title'), text: markup.textContent },
          elements: [...d.querySelectorAll('*')].map((e) => e.tagName).join(','),
          handlers: [...d.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
        };
      }),
    })).catch(() => null);
    if (!part) continue;
    merged.got.push(...part.got);
    merged.legacy.push(...part.legacy);
    merged.slots.push(...part.slots);
  }
  return merged;
}

for (const sandbox of [false, true]) {
  const where = sandbox ? 'a sandboxed' : 'a main-window';
  test(`hostile values in every placeholder of ${where} pixel execute nothing and arrive intact`, async () => {
    assert.ok(HOSTILE_VALUES.length >= 60, `the corpus has ${HOSTILE_VALUES.length} values`);
    const container = await siteContainer(site);
    const beacon = `/q-${unique()}.gif`;
    await pixelConnector(container, { sandbox, html: everyPositionPixel(beacon) });
    const { context, page, seen } = await openPage(browser, site, container.id, 'window.__got = []; window.__legacy = [];');
    try {
      const batches = [];
      for (let i = 0; i < HOSTILE_VALUES.length; i += SLOTS) batches.push(HOSTILE_VALUES.slice(i, i + SLOTS));
      // The last event fills its spare slots from the start of the corpus: every slot holds a value.
      const last = batches.at(-1);
      while (last.length < SLOTS) last.push(HOSTILE_VALUES[last.length]);
      const answers = await page.evaluate(async (list) => {
        const out = [];
        for (const [b, values] of list.entries()) {
          const attributes = { batch: b };
          values.forEach((v, k) => { attributes[`s${k}`] = v; });
          out.push(await window.postclick.track('Purchase', { attributes }));
        }
        return out;
      }, batches);
      assert.ok(answers.every((a) => a.pixels.length === 1 && a.pixels[0].sandbox === sandbox));

      const total = batches.length * SLOTS;
      const counts = async () => { const r = await report(page); return [r.got.length, r.legacy.length]; };
      // Every slot's scripts ran (each value kept its script valid), then every request the pixels
      // made settled. A broken run stops waiting early, so the sentinel is checked first.
      await pollUntil(async () => seen.errors.length > 0 || (await counts()).every((n) => n === total),
        { what: `${total} slots' scripts`, timeoutMs: 30_000 }).catch(() => {});
      await pollUntil(async () => seen.inflight === 0, { what: 'the pixels\' requests', timeoutMs: 30_000 });

      assert.equal(await sentinelSet(page), null, 'no value ran code in any frame');
      assert.deepEqual(seen.dialogs, []);
      assert.deepEqual(seen.errors, [], 'every script stayed valid JavaScript');
      const { got, legacy, slots } = await report(page);
      assert.deepEqual([got.length, legacy.length, slots.length], [total, total, total], 'every slot\'s scripts ran');

      // Script values in the main window lose '<' and '>', and nothing else.
      const inScript = (value) => (sandbox ? value : value.replace(/[<>]/g, ''));
      const shape = slots[0].elements;
      for (const slot of slots) {
        const value = batches[slot.b][slot.k];
        const what = `value ${JSON.stringify(value).slice(0, 60)}`;
        assert.equal(slot.elements, shape, `${what} adds or removes no element`);
        assert.deepEqual(slot.handlers, [], `${what} adds no event handler`);
        assert.equal(slot.text, parsed(value), `${what} in HTML text`);
        assert.equal(slot.rcdata, parsed(value).replace(/^\n/, ''), `${what} in a textarea`);
        for (const attr of ['dq', 'sq', 'uq']) assert.equal(parsed(slot[attr]), parsed(value), `${what} in a ${attr} attribute`);
        const query = new URL(slot.query);
        assert.equal(query.origin, site.origin, `${what} keeps the URL's host`);
        assert.equal(query.searchParams.get('v'), value, `${what} in a URL query`);
        assert.deepEqual([query.searchParams.get('b'), query.searchParams.get('k')], [String(slot.b), String(slot.k)], `${what} adds no query parameter`);
        assert.equal(slot.path.split('/').length, 4, `${what} in a URL path adds or removes no segment`);
        assert.equal(slot.written.elements, 'B', `${what} in markup a script writes`);
        assert.equal(parsed(slot.written.title), parsed(inScript(value)), `${what} in an attribute a script writes`);
        assert.equal(parsed(slot.written.text), parsed(inScript(value)), `${what} in text a script writes`);
      }
      for (const entry of got) {
        const value = inScript(batches[entry.b][entry.k]);
        const what = `value ${JSON.stringify(value).slice(0, 60)}`;
        assert.deepEqual([entry.sq, entry.dq], [value, value], `${what} in script strings`);
        const asCode = typeof entry.code === 'number' ? entry.code === Number(value) : entry.code === value;
        assert.ok(asCode, `${what} in script code is data: ${JSON.stringify(entry.code)}`);
        assert.equal(new URL(entry.u).searchParams.get('x'), value, `${what} in an address a script holds`);
      }
      for (const [b, k, v] of legacy) assert.equal(v, inScript(batches[b][k]));

      const queries = site.requests.filter((r) => r.url.startsWith(beacon)).map((r) => new URL(r.url, 'https://x').searchParams);
      const arrived = new Set(queries.map((q) => `${q.get('b')}/${q.get('k')}`));
      assert.equal(arrived.size, total, 'every pixel image request reached the site');
    } finally {
      await context.close();
    }
  });
}
