// A minimal click-capture worker, what a site would write by hand instead of postclick: it reads
// the landing URL's click ids from `/collect?url=...`, and sets the same first-party cookies
// (pc_vid, _gcl_aw, _fbc) on the site's domain. No storage, no signing, no containers, no
// consent: the bench's ceiling for "capture a click" on this workerd.
const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'ttclid', 'msclkid', 'epik', 'rdt_cid', 'li_fat_id', 'twclid'];
const DOMAIN = 'bench.example';
const YEAR = 60 * 60 * 24 * 400;

export default {
  fetch(request) {
    const url = new URL(request.url);
    let page;
    try {
      page = new URL(url.searchParams.get('url') ?? '');
    } catch {
      return new Response('bad url', { status: 400 });
    }
    const headers = new Headers({ 'cache-control': 'no-store' });
    const attrs = `Domain=${DOMAIN}; Path=/; Secure; SameSite=Lax`;
    const vid = /(?:^|;\s*)pc_vid=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? crypto.randomUUID();
    headers.append('set-cookie', `pc_vid=${vid}; Max-Age=${YEAR}; HttpOnly; ${attrs}`);
    const now = Date.now();
    for (const name of CLICK_IDS) {
      const value = page.searchParams.get(name);
      if (!value) continue;
      if (name === 'gclid') headers.append('set-cookie', `_gcl_aw=GCL.${Math.floor(now / 1000)}.${value}; Max-Age=7776000; ${attrs}`);
      if (name === 'fbclid') headers.append('set-cookie', `_fbc=fb.1.${now}.${value}; Max-Age=7776000; ${attrs}`);
    }
    const origin = request.headers.get('origin');
    if (origin) {
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-allow-credentials', 'true');
    }
    return new Response(null, { status: 204, headers });
  },
};
