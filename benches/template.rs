//! Render throughput of a typical pixel: a 2 KB partner snippet with 6 placeholders in
//! different contexts (script string, script code, URL attribute, HTML text).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use postclick::core::params::ParamValues;
use postclick::core::template::{PixelTemplate, Placement};
use std::hint::black_box;

fn snippet() -> String {
    let mut html = String::from(
        "<script>\n!function(w,d){w.pxq=w.pxq||[];w.pxq.push(['init','ACC-1234']);}(window,document);\n\
         pxq.push(['track', '{{EVENT_NAME}}', {value: {{VALUE}}, currency: \"{{CURRENCY}}\", order_id: '{{TRANSACTION_ID}}'}]);\n</script>\n\
         <img height=\"1\" width=\"1\" style=\"display:none\" alt=\"\" src=\"https://px.partner.example/c?acc=ACC-1234&ev={{EVENT_NAME}}&cid={{CLICK_ID}}\">\n\
         <noscript>Order {{TRANSACTION_ID}}</noscript>\n",
    );
    // Pad with realistic literal markup up to about 2 KB.
    while html.len() < 2048 {
        html.push_str("<!-- partner tag v3.2: do not modify below this line --><div class=\"pxl\" data-acc=\"ACC-1234\"></div>\n");
    }
    html
}

fn values() -> ParamValues {
    let mut v = ParamValues::new();
    v.set("EVENT_NAME", "Purchase");
    v.set("VALUE", "49.90");
    v.set("CURRENCY", "EUR");
    v.set("TRANSACTION_ID", "T-100'1</script>");
    v.set("CLICK_ID", "abc123&x=<y>");
    v
}

fn bench_render(c: &mut Criterion) {
    let html = snippet();
    let template = PixelTemplate::parse(&html).expect("the bench snippet parses");
    let values = values();
    let mut group = c.benchmark_group("pixel");
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function("render 2 KB, 6 placeholders", |b| {
        b.iter(|| black_box(template.render(values.lookup(), Placement::MainWindow)))
    });
    group.bench_function("parse 2 KB", |b| {
        b.iter(|| black_box(PixelTemplate::parse(black_box(&html))))
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
