-- The demo container and connector for `make dev`. Idempotent: fixed ids, INSERT OR IGNORE.
-- The demo connector is in test mode and opts in to browser events (fire_on server_and_browser),
-- so a purchase tracked on the demo page shows its would-be postback in the webhook log; a live
-- connector should fire on server events only (the default), which nobody else can forge.
INSERT OR IGNORE INTO containers (id, name, cookie_domain, allowed_origins, redirect_domains,
  require_consent, compat_cookies, created_at, updated_at)
VALUES ('ctr_demo_shop', 'Demo shop', 'localhost.test',
  '["http://shop.localhost.test:8788","https://shop.localhost.test"]', '[]', 0, 1,
  CAST(strftime('%s','now') AS INTEGER) * 1000, CAST(strftime('%s','now') AS INTEGER) * 1000);

INSERT OR IGNORE INTO connectors (id, container_id, name, mode, config, created_at, updated_at)
VALUES ('con_demo_affiliate', 'ctr_demo_shop', 'Demo affiliate network', 'test',
  '{"name":"Demo affiliate network","trigger_events":["Purchase"],"mode":"test",
    "webhook":{"enabled":true,"fire_on":"server_and_browser","method":"GET","url":"https://partner.example/postback",
      "params":[{"name":"value","value":"{{VALUE}}"},{"name":"currency","value":"{{CURRENCY}}"},
                {"name":"cid","value":"{{CLICK_ID}}"},{"name":"event","value":"{{EVENT_NAME}}"}],
      "headers":[],"event_renames":{"Purchase":"sale"},"signing_secret":null},
    "pixel":{"enabled":false,"html":"","sandbox":true,"approved_at":null},
    "click_id":{"enabled":true,"param":"click_id","source_param":null,"source_value":null,
      "attribution":"last_click","window_days":30}}',
  CAST(strftime('%s','now') AS INTEGER) * 1000, CAST(strftime('%s','now') AS INTEGER) * 1000);
