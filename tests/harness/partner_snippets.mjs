// What each snippet of the partner corpus (tests/corpus/partners/) does in a browser once its
// placeholders are filled: the loader script it requests, the queue its commands wait in, and the
// image or iframe pixels it requests. Hosts are the partners' own; the browser tests route every
// one of them to a local stand-in. `noscript` requests come from a <noscript> image, which only
// loads where the pixel is parsed with scripting off (the main window's <template>).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../corpus/partners');

export const PARTNERS = {
  'meta.html': { loader: 'connect.facebook.net/en_US/fbevents.js', queue: 'fbq.queue', noscript: 'www.facebook.com/tr' },
  'google-ads.html': { loader: 'www.googletagmanager.com/gtag/js', queue: 'dataLayer' },
  'google-analytics.html': { loader: 'www.googletagmanager.com/gtag/js', queue: 'dataLayer' },
  'tiktok.html': { loader: 'analytics.tiktok.com/i18n/pixel/events.js', queue: 'ttq' },
  'microsoft-uet.html': { loader: 'bat.bing.com/bat.js', queue: 'uetq' },
  'pinterest.html': { loader: 's.pinimg.com/ct/core.js', queue: 'pintrk.queue', noscript: 'ct.pinterest.com/v3/' },
  'snap.html': { loader: 'sc-static.net/scevent.min.js', queue: 'snaptr.queue' },
  'reddit.html': { loader: 'www.redditstatic.com/ads/pixel.js', queue: 'rdt.callQueue' },
  'linkedin.html': { loader: 'snap.licdn.com/li.lms-analytics/insight.min.js', queue: 'lintrk.q', noscript: 'px.ads.linkedin.com/collect/' },
  'x.html': { loader: 'static.ads-twitter.com/uwt.js', queue: 'twq.queue' },
  'quora.html': { loader: 'a.quora.com/qevents.js', queue: 'qp.queue', noscript: 'q.quora.com/_/ad/' },
  'criteo.html': { loader: 'dynamic.criteo.com/js/ld/ld.js', queue: 'criteo_q' },
  'taboola.html': { loader: 'cdn.taboola.com/libtrc/unip/1234567/tfa.js', queue: '_tfa', noscript: 'trc.taboola.com/1234567/log/3/unip' },
  'outbrain.html': { loader: 'amplify.outbrain.com/cp/obtp.js', queue: 'obApi.queue' },
  'awin.html': { loader: 'www.dwin1.com/10101.js', queue: 'AWIN.Tracking.Sale', pixel: 'www.awin1.com/sread.img' },
  'impact.html': { loader: 'utt.impactcdn.com/', queue: 'ire.a' },
  'cj.html': { loader: 'www.mczbf.com/tags/123456789012/tag.js', queue: 'cj.order' },
  'rakuten.html': { loader: 'tag.rmp.rakuten.com/12345.ct.js', queue: 'rm_trans' },
  'partnerize.html': { pixel: 'prf.hn/conversion/' },
  'tradedoubler.html': { pixel: 'tbs.tradedoubler.com/report' },
  'webgains.html': { loader: 'analytics.webgains.io/cvr.min.js', queue: 'ITCVRQ.q' },
  'admitad.html': { loader: 'www.artfut.com/static/tagtag.min.js', queue: 'ADMITAD.Invoice' },
  'everflow.html': { pixel: 'www.ef-tracking.example/' },
  'tune.html': { pixel: 'partner.go2cloud.org/aff_l' },
  'image-pixel.html': { pixel: 'px.partner.example/conv/ORD-1001/done' },
  'iframe-pixel.html': { pixel: 'frame.partner.example/conversion' },
};

/** Every snippet of the corpus, with what it should do; a snippet without an entry fails. */
export function partnerSnippets() {
  return readdirSync(DIR).filter((f) => f.endsWith('.html')).sort()
    .map((file) => ({ file, html: readFileSync(join(DIR, file), 'utf8'), ...(PARTNERS[file] ?? { missing: true }) }));
}

/** The partner hosts the snippets reach, for the browser's host-resolver rules. */
export function partnerHosts() {
  const hosts = new Set();
  for (const { loader, noscript, pixel } of Object.values(PARTNERS)) {
    for (const target of [loader, noscript, pixel]) if (target) hosts.add(target.split('/')[0]);
  }
  return [...hosts];
}
