//! Connector signing secrets at rest: sealed on every write and opened on every read with the
//! isolate's [`SecretBox`] (derived from `SIGNING_KEY` and `SIGNING_KEY_PREVIOUS`, read once per
//! isolate by [`configure`]), so the store hands plain secrets only to the code that signs.
//!
//! The cron sweep reseals a few stale values per run ([`reseal_stale`]): plain text from before
//! sealing, and values sealed under a signing key that has since been rotated out of
//! `SIGNING_KEY`, so the old key can be dropped from `SIGNING_KEY_PREVIOUS` sooner.
//!
//! Without `SIGNING_KEY` there is nothing to derive a key from: secrets are then stored as plain
//! text (as before sealing existed), and an error is logged on each write.

use super::deliveries::DeliveryRow;
use crate::core::postback::outbox::{PreviousSecret, SigningSecrets};
use crate::core::secret_box::{Opened, SecretBox, Unopenable, NONCE_LEN};
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::random;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use worker::{D1Database, Env};

thread_local! {
    /// `None` until the isolate's first entry point; `Some(None)` without `SIGNING_KEY`.
    static BOX: RefCell<Option<Option<Rc<SecretBox>>>> = const { RefCell::new(None) };
}

/// Derives the sealing keys from `env` the first time an isolate is entered (fetch, queue or
/// cron): secrets do not change while an isolate lives.
pub fn configure(env: &Env) {
    BOX.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            let config = crate::config::Config::of(env);
            *slot = Some(
                config
                    .signing_keys
                    .as_ref()
                    .map(|k| Rc::new(SecretBox::new(k))),
            );
        }
    });
}

fn secret_box() -> Option<Rc<SecretBox>> {
    BOX.with(|slot| slot.borrow().clone().flatten())
}

/// `plain` in its stored form for the connector `owner`: sealed under the current signing key
/// with a fresh random nonce; plain text (logged) without `SIGNING_KEY`.
pub fn seal(plain: &str, owner: &str) -> Result<String> {
    match secret_box() {
        Some(sealer) => Ok(sealer.seal(plain, owner, random::<NONCE_LEN>()?)),
        None => {
            worker::console_error!(
                "SIGNING_KEY is not set, so connector {owner}'s signing secret is stored unsealed"
            );
            Ok(plain.to_string())
        }
    }
}

/// A stored secret of the connector `owner`, opened; legacy plain text reads as it is.
pub fn open(stored: &str, owner: &str) -> std::result::Result<Opened, Unopenable> {
    match secret_box() {
        Some(sealer) => sealer.open(stored, owner),
        None if crate::core::secret_box::is_sealed(stored) => Err(Unopenable),
        None => Ok(Opened::Stale(stored.to_string())),
    }
}

/// The claim's view of the connector's signing secrets, as stored: the attempt signs with them
/// (a row names only the secret version it was written under).
pub(super) const CLAIMED_SIGNING: &str = "\
    (SELECT json_object('secret', json_extract(c.config, '$.webhook.signing_secret'), \
    'version', c.secret_version, 'previous', c.previous_secret, \
    'previous_until', c.previous_secret_until) FROM connectors c WHERE c.id = deliveries.connector_id)";

/// What a claim reads of the row's connector (see [`CLAIMED_SIGNING`]), as stored.
#[derive(Deserialize)]
struct ClaimedSigning {
    secret: Option<String>,
    version: Option<i64>,
    previous: Option<String>,
    previous_until: Option<f64>,
}

/// How long an isolate keeps a connector's opened secrets: a batch of postbacks to one
/// connector opens them once, and a plain secret does not outlive this in memory. The entry is
/// keyed by the stored values, so a rotation or a new secret is never served from it.
const OPENED_TTL_MS: i64 = 60_000;
/// Most connectors whose opened secrets one isolate keeps; past it the cache starts over.
const OPENED_MAX: usize = 256;

thread_local! {
    /// Per connector: the stored values as claimed, when they were opened, and the result.
    static OPENED: RefCell<HashMap<String, (String, UnixMs, SigningSecrets)>> =
        RefCell::new(HashMap::new());
}

/// The claimed row's connector's signing secrets, opened; `None` when the connector is gone.
/// Opened once per connector and stored values for [`OPENED_TTL_MS`] in the isolate.
pub fn claimed_secrets(row: &DeliveryRow) -> Option<SigningSecrets> {
    let stored = row.signing.as_deref()?;
    let owner = row.connector_id.as_str();
    let now = crate::platform::now();
    let cached = OPENED.with(|cache| {
        let cache = cache.borrow();
        let (text, opened_at, secrets) = cache.get(owner)?;
        (text == stored && now.millis() - opened_at.millis() < OPENED_TTL_MS)
            .then(|| secrets.clone())
    });
    if cached.is_some() {
        return cached;
    }
    let secrets = open_claimed(stored, owner)?;
    OPENED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= OPENED_MAX {
            cache.clear();
        }
        cache.insert(
            owner.to_string(),
            (stored.to_string(), now, secrets.clone()),
        );
    });
    Some(secrets)
}

/// [`claimed_secrets`] without the cache: `stored` is what the claim read (see
/// [`CLAIMED_SIGNING`]) for the connector `owner`.
fn open_claimed(stored: &str, owner: &str) -> Option<SigningSecrets> {
    let claimed: ClaimedSigning = serde_json::from_str(stored).ok()?;
    let mut secrets = SigningSecrets {
        version: claimed.version.unwrap_or(1),
        ..SigningSecrets::default()
    };
    if let Some(stored) = claimed.secret.as_deref() {
        match open(stored, owner) {
            Ok(opened) => secrets.current = Some(opened.into_secret()),
            Err(e) => secrets.unreadable = Some(e.to_string()),
        }
    }
    let until = claimed
        .previous_until
        .map(|ms| UnixMs::from_millis(ms as i64));
    if let (Some(stored), Some(until)) = (claimed.previous.as_deref(), until) {
        // An unreadable previous secret only loses the old signature during the overlap.
        if let Ok(opened) = open(stored, owner) {
            secrets.previous = Some(PreviousSecret {
                secret: opened.into_secret(),
                until_s: until.seconds(),
            });
        }
    }
    Some(secrets)
}

/// A connector whose stored secrets are not both sealed under the current key.
#[derive(Deserialize)]
struct StaleRow {
    id: String,
    secret: Option<String>,
    previous: Option<String>,
}

/// Reseals under the current signing key the stored secrets of up to `limit` connectors whose
/// secrets are plain text or sealed under an earlier key: one read and one batch. A value that
/// does not open is left as it is (its connector's postbacks fail saying so). Each write
/// applies only if the stored values are still the ones read, so an admin write in between
/// wins. Returns how many connectors were resealed.
pub async fn reseal_stale(db: &D1Database, limit: u32) -> Result<usize> {
    let Some(sealer) = secret_box() else {
        return Ok(0);
    };
    let current = sealer.current_prefix();
    let stale: Vec<StaleRow> = super::all(
        db,
        "SELECT id, json_extract(config, '$.webhook.signing_secret') AS secret, \
         previous_secret AS previous FROM connectors \
         WHERE (json_type(config, '$.webhook.signing_secret') = 'text' \
           AND substr(json_extract(config, '$.webhook.signing_secret'), 1, length(?1)) != ?1) \
         OR (previous_secret IS NOT NULL AND substr(previous_secret, 1, length(?1)) != ?1) \
         LIMIT ?2",
        &[super::text(&current), super::int(i64::from(limit))],
    )
    .await?;
    let mut statements = Vec::new();
    for row in &stale {
        let reseal = |stored: &Option<String>| -> Result<Option<String>> {
            match stored.as_deref().map(|s| (s, sealer.open(s, &row.id))) {
                None => Ok(None),
                Some((_, Ok(opened))) => Ok(Some(seal(opened.secret(), &row.id)?)),
                // Left as stored: it opens with no accepted key.
                Some((as_stored, Err(_))) => Ok(Some(as_stored.to_string())),
            }
        };
        let (secret, previous) = (reseal(&row.secret)?, reseal(&row.previous)?);
        if secret == row.secret && previous == row.previous {
            continue;
        }
        statements.push(super::statement(
            db,
            "UPDATE connectors SET config = CASE WHEN ?2 IS NULL THEN config \
               ELSE json_set(config, '$.webhook.signing_secret', ?2) END, previous_secret = ?3 \
             WHERE id = ?1 AND json_extract(config, '$.webhook.signing_secret') IS ?4 \
               AND previous_secret IS ?5",
            &[
                super::text(&row.id),
                super::opt_text(secret.as_deref()),
                super::opt_text(previous.as_deref()),
                super::opt_text(row.secret.as_deref()),
                super::opt_text(row.previous.as_deref()),
            ],
        )?);
    }
    if statements.is_empty() {
        return Ok(0);
    }
    let changed = super::batch_changes(db, statements).await?;
    Ok(changed.into_iter().filter(|&n| n > 0).count())
}
