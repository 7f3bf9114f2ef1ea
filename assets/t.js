/*! postclick t.js: first-party click capture, events and pixels. No dependencies. */
(function (w, d) {
  'use strict';
  var pc = w.postclick = w.postclick || {};
  if (pc.loaded) return;

  // Where this script came from is where /collect and /e live: the tracking subdomain, or the
  // site's own host under a path prefix (same-origin mode, /_pc/t.js). ?id= names the container.
  var me = d.currentScript, all = d.getElementsByTagName('script'), i;
  for (i = all.length - 1; !me && i >= 0; i--) if (/\/t\.js\?/.test(all[i].src)) me = all[i];
  if (!me || !w.URL || !w.Promise) return;
  var src = new URL(me.src), origin = src.origin, id = src.searchParams.get('id');
  var base = origin + src.pathname.replace(/\/t\.js$/, '');
  if (!id) return;
  pc.loaded = true;

  var enc = encodeURIComponent;
  var consent = null; // 'granted' | 'denied' | null, as postclick.consent() was told
  var sent = false;   // the first page view went out
  // Top-level fields of a browser event; every other key of track()'s data is an attribute.
  var FIELDS = ['event_id', 'value', 'currency', 'url', 'user', 'consent', 'pc_test'];
  function noop() {}

  // A prerendered page is not a visit until the person actually opens it.
  function whenShown(fn) {
    if (d.prerendering) d.addEventListener('prerenderingchange', fn, { once: true });
    else fn();
  }

  function onBody(fn) {
    if (d.body) fn();
    else d.addEventListener('DOMContentLoaded', fn);
  }

  // GET /collect with credentials, so the answer's Set-Cookie lands on the site's domain.
  // Without fetch, an image request does the same. Settles when the answer is in.
  function page() {
    sent = true;
    var u = base + '/collect?id=' + enc(id) + '&url=' + enc(location.href) +
      '&ref=' + enc(d.referrer) + (consent ? '&consent=' + consent : '');
    if (w.fetch) return w.fetch(u, { credentials: 'include', mode: 'cors', cache: 'no-store' }).then(noop, noop);
    return new Promise(function (done) {
      var img = new Image();
      img.onload = img.onerror = done;
      img.src = u;
    });
  }

  // Settles when the first page view was answered. Events wait for it, so a new visitor gets
  // one pc_vid, not two.
  var ready;

  function send(name, data) {
    var body = { event: name, url: location.href }, attrs = {}, any = false, k, a;
    data = data || {};
    for (k in data) {
      if (!Object.prototype.hasOwnProperty.call(data, k)) continue;
      if (k === 'attributes' && data[k] && typeof data[k] === 'object') {
        for (a in data[k]) if (Object.prototype.hasOwnProperty.call(data[k], a)) { attrs[a] = data[k][a]; any = true; }
      } else if (FIELDS.indexOf(k) >= 0) body[k] = data[k];
      else { attrs[k] = data[k]; any = true; }
    }
    if (any) body.attributes = attrs;
    if (consent && body.consent == null) body.consent = { advertising: consent === 'granted' };
    return w.fetch(base + '/e?id=' + enc(id), {
      method: 'POST', credentials: 'include', mode: 'cors', cache: 'no-store',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) throw new Error('postclick: ' + ((answer.error && answer.error.message) || r.status));
        render(answer.pixels || []);
        return answer;
      });
    });
  }

  function render(pixels) {
    for (var i = 0; i < pixels.length; i++) {
      if (pixels[i].sandbox) frame(pixels[i].src);
      else if (typeof pixels[i].html === 'string') inject(pixels[i].html);
    }
  }

  // A sandboxed pixel: a hidden iframe with scripts but no access to this page or its cookies.
  function frame(path) {
    var url = new URL(path.charAt(0) === '/' ? base + path : path, origin);
    if (url.origin !== origin) return;
    onBody(function () {
      var f = d.createElement('iframe');
      f.setAttribute('sandbox', 'allow-scripts');
      f.setAttribute('aria-hidden', 'true');
      f.tabIndex = -1;
      f.title = 'postclick pixel';
      f.style.cssText = 'position:absolute;width:1px;height:1px;left:-9999px;border:0';
      f.src = url.href;
      d.body.appendChild(f);
    });
  }

  // A main-window pixel: its HTML goes into the page, then each script is re-created (scripts
  // inserted as HTML never run) and run in document order, waiting for each external one.
  function inject(html) {
    onBody(function () {
      var box = d.createElement('div'), t = d.createElement('template'), list, scripts = [], i;
      box.style.display = 'none';
      t.innerHTML = html;
      box.appendChild(t.content);
      d.body.appendChild(box);
      list = box.getElementsByTagName('script');
      for (i = 0; i < list.length; i++) scripts.push(list[i]);
      (function next(n) {
        if (n >= scripts.length) return;
        var old = scripts[n], s = d.createElement('script'), j;
        for (j = 0; j < old.attributes.length; j++) s.setAttribute(old.attributes[j].name, old.attributes[j].value);
        s.text = old.text;
        if (s.src) s.onload = s.onerror = function () { next(n + 1); };
        old.parentNode.replaceChild(s, old);
        if (!s.src) next(n + 1);
      })(0);
    });
  }

  /** postclick.track(name, data): records an event and fires its pixels. Resolves to
   *  {event_id, duplicate, pixels}. */
  pc.track = function (name, data) {
    if (!w.fetch) return Promise.reject(new Error('postclick: this browser has no fetch'));
    return ready.then(function () { return send(name, data); });
  };

  /** postclick.consent('granted' | 'denied' | true | false): the page's consent signal. Granting
   *  after the page view sends the page view again, so the landing URL's clicks are kept. */
  pc.consent = function (state) {
    var was = consent;
    consent = state === true || state === 'granted' ? 'granted' : state === false || state === 'denied' ? 'denied' : null;
    if (consent === 'granted' && was !== 'granted' && sent) whenShown(page);
  };

  /** postclick.page(): a page view for the current URL (single-page apps, after navigation). */
  pc.page = function () { whenShown(page); };

  // Calls made before this script loaded, queued by the install snippet: consent first, so the
  // first page view carries it, then everything else in order.
  function run(call) {
    var f = call && pc[call[0]];
    if (typeof f !== 'function') return;
    var result = f.apply(pc, call[1] || []);
    if (result && result.catch) result.catch(function (e) { if (w.console) w.console.warn(e); });
  }
  var queued = pc.q || [];
  for (i = 0; i < queued.length; i++) if (queued[i][0] === 'consent') run(queued[i]);
  ready = new Promise(function (done) {
    whenShown(function () { page().then(done); });
  });
  for (i = 0; i < queued.length; i++) if (queued[i][0] !== 'consent') run(queued[i]);
  pc.q = { push: run };
})(window, document);
