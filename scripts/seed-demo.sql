-- The demo container and connector for `make dev`. Idempotent: fixed ids, INSERT OR IGNORE.
INSERT OR IGNORE INTO containers (id, name, cookie_domain, allowed_origins, redirect_domains,
  require_consent, compat_cookies, created_at, updated_at)
VALUES ('ctr_demo_shop', 'Demo shop', 'localhost.test',
  '["http://shop.localhost.test:8788","https://shop.localhost.test"]', '[]', 0, 1,
  CAST(strftime('%s','now') AS INTEGER) * 1000, CAST(strftime('%s','now') AS INTEGER) * 1000);

INSERT OR IGNORE INTO connectors (id, container_id, name, mode, config, created_at, updated_at)
VALUES ('con_demo_affiliate', 'ctr_demo_shop', 'Demo affiliate network', 'test',
  '{"name":"Demo affiliate network","trigger_events":["Purchase"],"mode":"test",
    "webhook":{"enabled":true,"method":"GET","url":"https://partner.example/postback",
      "params":[{"name":"value","value":"{{VALUE}}"},{"name":"currency","value":"{{CURRENCY}}"},
                {"name":"cid","value":"{{CLICK_ID}}"},{"name":"event","value":"{{EVENT_NAME}}"}],
      "headers":[],"event_renames":{"Purchase":"sale"},"signing_secret":null},
    "pixel":{"enabled":false,"html":"","sandbox":true,"approved_at":null},
    "click_id":{"enabled":true,"param":"click_id","source_param":null,"source_value":null,
      "attribution":"last_click","window_days":30}}',
  CAST(strftime('%s','now') AS INTEGER) * 1000, CAST(strftime('%s','now') AS INTEGER) * 1000);
