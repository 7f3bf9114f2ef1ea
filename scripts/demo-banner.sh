#!/usr/bin/env bash
# Printed by `make dev` before the server starts.
cat <<'MSG'

  postclick is starting on http://127.0.0.1:8787

  Console:       http://127.0.0.1:8787/admin   (sign in with the admin token below)
  Health:        http://127.0.0.1:8787/healthz
  Tracking:      http://127.0.0.1:8787/t.js?id=ctr_demo_shop
  Admin API:     http://127.0.0.1:8787/admin/api/containers/ctr_demo_shop
  API reference: http://127.0.0.1:8787/admin/api/openapi.json
  Admin token:   ADMIN_TOKEN in .dev.vars (generated on first run, never committed)

  Try:  curl -H "Authorization: Bearer $(sed -n 's/^ADMIN_TOKEN="\(.*\)"/\1/p' .dev.vars)" \
             http://127.0.0.1:8787/admin/api/containers/ctr_demo_shop/connectors

  A landing (the demo's cookies are for localhost.test, so name a host under it):
        curl -si -H 'Host: t.localhost.test' \
             "http://127.0.0.1:8787/collect?id=ctr_demo_shop&url=https%3A%2F%2Fshop.localhost.test%2F%3Fgclid%3Ddemo-123"

MSG
