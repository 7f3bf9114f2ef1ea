//! A differential fuzzer: templates generated from a grammar of partner snippet shapes (loader
//! stubs, queue calls, image and iframe pixels, noscript images, styles, sinks, and the
//! statements where a `/` is a regular expression or a division), with placeholders inserted at
//! random token boundaries. Each template is either refused or rendered with a benign value and
//! with hostile ones, in the sandbox and in the main window; the oracle's readers must see the
//! same shape. Deterministic (a fixed seed) and bounded.

use super::super::pixel::{PixelTemplate, Placement};
use super::corpus::hostile_corpus;
use super::oracle::{assert_same_shape, shape, short};

/// Templates generated per run.
const TEMPLATES: usize = 1000;
/// Hostile values tried per accepted template, drawn from the corpus.
const VALUES_PER_TEMPLATE: usize = 10;
const SEED: u64 = 0x005e_ed0f_91c5;

/// xorshift64*: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const STATEMENTS: [&str; 26] = [
    "window.dataLayer = window.dataLayer || [];",
    "function gtag(){dataLayer.push(arguments);}",
    "gtag('event', 'conversion', {'send_to': 'AW-1/abc', 'value': 1.5, 'currency': 'EUR', 'transaction_id': 'T1'});",
    "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.partner.example/events.js');",
    "fbq('track', 'Purchase', {value: 10, currency: 'EUR'}, {eventID: 'E1'});",
    "var AWIN = AWIN || {}; AWIN.Tracking = AWIN.Tracking || {}; AWIN.Tracking.Sale = {}; AWIN.Tracking.Sale.amount = \"8.33\";",
    "document.write('<img src=\"https://aff.partner.example/px?c=CAMP&o=1\" width=\"1\" height=\"1\">');",
    "el.innerHTML = '<p class=\"x\" title=\"t\">Thanks</p>';",
    "var u = 'https://px.partner.example/c/a?o=1&v=2#f';",
    "new Image().src = 'https://px.partner.example/i.gif?o=1';",
    "if (a) /x[0-9]+/.test(b);",
    "a++ / 2;",
    "x = {} / 2;",
    "var f = () => {}\n/re/.test(s);",
    "/* note\n */ --> legacy close comment",
    "var t = `tpl ${a} end`;",
    "setTimeout(function () { ping('x'); }, 10);",
    "var deviceType = /iPad/.test(navigator.userAgent) ? \"t\" : /Mobile|Android/.test(navigator.userAgent) ? \"m\" : \"d\";",
    "ttq.track('CompletePayment', {value: 10, currency: \"EUR\", content_id: 'order-1'});",
    "window.uetq = window.uetq || []; window.uetq.push('event', 'purchase', {'revenue_value': 10, 'currency': 'EUR'});",
    "s.src = 'https://cdn.partner.example/t.js?id=1';",
    "var n = 1 - 2, m = -n;",
    "switch (k) { case 'a': x = 1; break; default: x = 2 }",
    "do x++; while (x < 3) /y/.test(z);",
    "var o = { get a() { return 1 }, b: [1, 2] };",
    "function done() {} /'/.test(q);",
];

const ELEMENTS: [&str; 10] = [
    "<img src=\"https://px.partner.example/conv?oid=ORDER&amp;v=1&cur=EUR\" width=\"1\" height=\"1\" style=\"display:none\" alt=\"\">",
    "<img src=\"https://partner.example/pb/ORDER/confirm\" alt=\"pixel\">",
    "<img src=\"//px.partner.example/x.gif?a=1\" border=\"0\">",
    "<iframe src=\"https://trk.partner.example/aff_l?offer_id=1&adv_sub=X\" width=\"1\" height=\"1\" frameborder=\"0\" scrolling=\"no\"></iframe>",
    "<noscript><img height=\"1\" width=\"1\" style=\"display:none\" src=\"https://www.partner.example/tr?id=1&ev=Purchase&noscript=1\"/></noscript>",
    "<style>.pc-thanks { content: \"Order\"; font-family: 'Arial' } a[title=\"x\"] { color: red }</style>",
    "<!-- Partner tag v2: do not edit -->",
    "<p class=\"thanks\" title=\"Thanks\" data-order=\"1\">Thank you for your order</p>",
    "<script async src=\"https://cdn.partner.example/loader.js?id=ACC-1\"></script>",
    "<a href=\"/thanks/1?o=2#top\" class=x>back</a>",
];

const SCRIPT_OPENINGS: [&str; 4] = [
    "<script>",
    "<script type=\"text/javascript\">",
    "<script><!--\n",
    "<script type=module>",
];

/// A partner snippet shape: elements and scripts of statements.
fn snippet(rng: &mut Rng) -> String {
    let mut parts = Vec::new();
    for _ in 0..1 + rng.below(3) {
        if rng.below(2) == 0 {
            let open = rng.pick(&SCRIPT_OPENINGS);
            let statements: Vec<&str> = (0..1 + rng.below(4))
                .map(|_| rng.pick(&STATEMENTS))
                .collect();
            let close = if open.ends_with('\n') {
                "\n//--></script>"
            } else {
                "</script>"
            };
            parts.push(format!("{open}{}{close}", statements.join("\n")));
        } else {
            parts.push(rng.pick(&ELEMENTS).to_string());
        }
    }
    parts.join("\n")
}

/// Places between two characters where at least one is not a letter or digit.
fn boundaries(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = vec![0, text.len()];
    for pair in chars.windows(2) {
        let (a, b) = (pair[0].1, pair[1].1);
        if !a.is_alphanumeric() || !b.is_alphanumeric() {
            out.push(pair[1].0);
        }
    }
    out
}

fn with_placeholders(rng: &mut Rng, text: &str) -> String {
    let candidates = boundaries(text);
    let mut at: Vec<usize> = (0..1 + rng.below(3))
        .map(|_| candidates[rng.below(candidates.len())])
        .collect();
    at.sort_unstable();
    at.dedup();
    let mut out = String::new();
    let mut last = 0;
    for (n, &position) in at.iter().enumerate() {
        out.push_str(&text[last..position]);
        out.push_str(if n % 2 == 0 { "{{V}}" } else { "{{W|lower}}" });
        last = position;
    }
    out.push_str(&text[last..]);
    out
}

#[test]
fn templates_from_partner_snippet_shapes_are_refused_or_keep_their_shape_for_any_value() {
    let mut rng = Rng(SEED);
    let corpus: Vec<String> = hostile_corpus()
        .into_iter()
        .filter(|v| v.len() <= 1024)
        .collect();
    let mut accepted = 0;
    for _ in 0..TEMPLATES {
        let base = snippet(&mut rng);
        let template_text = with_placeholders(&mut rng, &base);
        let Ok(template) = PixelTemplate::parse(&template_text) else {
            continue;
        };
        accepted += 1;
        let values: Vec<&String> = (0..VALUES_PER_TEMPLATE)
            .map(|_| &corpus[rng.below(corpus.len())])
            .collect();
        for placement in [Placement::Sandbox, Placement::MainWindow] {
            let render = |value: &str| {
                let value = value.to_string();
                template.render(|_| Some(value.clone()), placement).html
            };
            let benign = shape(&render("benign1"));
            for value in &values {
                let what = format!(
                    "{} in {placement:?}, template:\n{template_text}\nvalue",
                    short(value)
                );
                assert_same_shape(&benign, &shape(&render(value)), &what);
            }
        }
    }
    assert!(
        accepted * 7 >= TEMPLATES,
        "only {accepted} of {TEMPLATES} templates were accepted: the fuzzer tests too little"
    );
}
