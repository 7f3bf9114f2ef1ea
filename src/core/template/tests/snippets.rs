//! Partner snippets as marketers paste them: minified loaders, old-style commented scripts,
//! image pixels with raw `&` in their URLs. Each must parse, put its placeholders where a
//! reader would expect, and survive the hostile corpus.

use super::hostile::assert_hostile_values_change_nothing;
use super::*;

const META: &str = r#"<!-- Meta Pixel Code -->
<script>
!function(f,b,e,v,n,t,s)
{if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script',
'https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '{{PIXEL_ID}}');
fbq('track', 'Purchase', {value: {{VALUE}}, currency: '{{CURRENCY}}'}, {eventID: '{{EVENT_ID}}'});
</script>
<noscript><img height="1" width="1" style="display:none"
src="https://www.facebook.com/tr?id=1&ev=Purchase&cd[value]={{VALUE}}&noscript=1"
/></noscript>
<!-- End Meta Pixel Code -->"#;

const GOOGLE_ADS: &str = r#"<script async src="https://www.googletagmanager.com/gtag/js?id=AW-123"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'AW-123');
  gtag('event', 'conversion', {'send_to': 'AW-123/abc', 'value': {{VALUE}}, 'currency': '{{CURRENCY}}', 'transaction_id': '{{TRANSACTION_ID}}', 'user_data': {'sha256_email_address': "{{EMAIL|lower|sha256}}"}});
</script>"#;

const TIKTOK: &str = r#"<script>
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track"],ttq.setAndDefer=function(t,e){t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)ttq.setAndDefer(ttq,ttq.methods[i]);ttq.load=function(e,n){var r="https://analytics.tiktok.com/i18n/pixel/events.js",o=n&&n.partner;ttq._i=ttq._i||{},ttq._i[e]=[],ttq._i[e]._u=r,ttq._t=ttq._t||{},ttq._t[e]=+new Date,ttq._o=ttq._o||{},ttq._o[e]=n||{};n=document.createElement("script");n.type="text/javascript",n.async=!0,n.src=r+"?sdkid="+e+"&lib="+t;e=document.getElementsByTagName("script")[0];e.parentNode.insertBefore(n,e)};
  ttq.load('C123'); ttq.page();
}(window, document, 'ttq');
ttq.track('CompletePayment', {value: {{VALUE}}, currency: "{{CURRENCY}}", content_id: 'order-{{TRANSACTION_ID}}'});
</script>"#;

const AFFILIATE: &str = r#"<img src="https://www.awin1.com/sread.img?tt=ns&tv=2&merchant=1001&amount={{VALUE}}&ch=aw&cr={{CURRENCY}}&parts=DEFAULT:{{VALUE}}&ref={{TRANSACTION_ID}}&testmode=0&vc=" border="0" width="0" height="0" style="display: none">
<script type="text/javascript"><!--
var AWIN = {}; AWIN.Tracking = {}; AWIN.Tracking.Sale = {};
AWIN.Tracking.Sale.amount = "{{VALUE}}";
AWIN.Tracking.Sale.orderRef = "{{TRANSACTION_ID}}";
AWIN.Tracking.Sale.custom = [/'/.test("{{CLICK_ID}}") ? 1 : 0];
//--></script>
<iframe src="https://track.partner.example/conv?cid={{CLICK_ID}}&amp;v={{VALUE}}" width=1 height=1 frameborder=0></iframe>"#;

const IN_URL: Context = url(UrlPart::Query);

#[test]
fn the_meta_pixel_places_its_values_in_strings_code_and_its_noscript_image() {
    assert_eq!(contexts(META), vec![SINGLE, CODE, SINGLE, SINGLE, IN_URL]);
}

#[test]
fn the_google_ads_snippet_places_its_values_in_strings_and_code() {
    assert_eq!(contexts(GOOGLE_ADS), vec![CODE, SINGLE, SINGLE, DOUBLE]);
}

#[test]
fn the_minified_tiktok_loader_is_followed_to_its_track_call() {
    assert_eq!(contexts(TIKTOK), vec![CODE, DOUBLE, SINGLE]);
}

#[test]
fn an_affiliate_image_and_commented_script_place_values_in_urls_and_strings() {
    assert_eq!(
        contexts(AFFILIATE),
        vec![IN_URL, IN_URL, IN_URL, IN_URL, DOUBLE, DOUBLE, DOUBLE, IN_URL, IN_URL]
    );
}

#[test]
fn partner_snippets_survive_the_hostile_corpus() {
    for snippet in [META, GOOGLE_ADS, TIKTOK, AFFILIATE] {
        assert!(assert_hostile_values_change_nothing(snippet) >= 1);
    }
}
