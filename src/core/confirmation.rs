//! Server confirmation of browser events, as pure rules.
//!
//! A browser event (`POST /e`) is anonymous: anyone can send one with any event id. So a server
//! event (an API key) whose event id equals an earlier browser event's is not a duplicate: it
//! confirms that event. The server's value, currency and user data become the event's, its
//! provenance becomes `server`, and connectors that fire only on server events fire then, once.
//! The reverse changes nothing: a browser event repeating a server event's id is kept apart
//! (it fires its own pixels, no postback).
//!
//! Several visitors may have sent the same id (the shop's own thank-you page, and someone
//! squatting the id). Which of their events the server confirms, and whose event it becomes:
//! 1. The server event's own match (its visitor id, click ids, identities) decides the visitor.
//!    The browser event that visitor sent is the one confirmed; if that visitor sent none, the
//!    earliest one is, and it becomes that visitor's.
//! 2. When the server event matches no visitor, the browser events' visitor counts only when
//!    exactly one visitor sent the id; otherwise the event stays unmatched (its identities wait
//!    for a later match).
//! 3. An event stored before per-visitor browser events existed holds the event id itself as its
//!    key; it is the one confirmed, whatever rule 1 would pick, because only one event can hold
//!    that key.

/// One browser event that sent the event id, in the order they were stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrowserClaim<'a> {
    /// The visitor who sent it (`pc_vid`), if any.
    pub sent_by: Option<&'a str>,
    /// It holds the event id as its key (an event stored before per-visitor keys).
    pub holds_event_id: bool,
}

/// Which claim the server confirms, and whose event it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Index into the claims.
    pub claim: usize,
    /// The visitor the confirmed event is matched to, and the identity that matched it.
    pub visitor: Option<(String, String)>,
}

/// The label of a match made through the browser events that sent the id (rule 2).
pub const MATCHED_BY_BROWSER_EVENT: &str = "browser_event";

/// Decide the confirmation. `claims` are in the order they were stored; `server_match` is the
/// server event's own match (visitor id and the identity that found it). `None` when there is
/// nothing to confirm.
pub fn choose_confirmation(
    claims: &[BrowserClaim<'_>],
    server_match: Option<(&str, &str)>,
) -> Option<Confirmation> {
    if claims.is_empty() {
        return None;
    }
    let (preferred, visitor) = match server_match {
        Some((visitor, by)) => (
            claims.iter().position(|c| c.sent_by == Some(visitor)),
            Some((visitor.to_string(), by.to_string())),
        ),
        None => match sole_sender(claims) {
            Some(sender) => (
                claims.iter().position(|c| c.sent_by == Some(sender)),
                Some((sender.to_string(), MATCHED_BY_BROWSER_EVENT.to_string())),
            ),
            None => (None, None),
        },
    };
    let claim = claims
        .iter()
        .position(|c| c.holds_event_id)
        .or(preferred)
        .unwrap_or(0);
    Some(Confirmation { claim, visitor })
}

/// The one visitor who sent the id, if exactly one did.
fn sole_sender<'a>(claims: &[BrowserClaim<'a>]) -> Option<&'a str> {
    let mut senders = claims.iter().filter_map(|c| c.sent_by);
    let first = senders.next()?;
    senders.all(|s| s == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(by: &str) -> BrowserClaim<'_> {
        BrowserClaim {
            sent_by: Some(by),
            holds_event_id: false,
        }
    }

    const ANONYMOUS: BrowserClaim<'static> = BrowserClaim {
        sent_by: None,
        holds_event_id: false,
    };

    #[test]
    fn nothing_to_confirm_without_a_browser_event() {
        assert_eq!(
            choose_confirmation(&[], Some(("v_shop", "email_sha256"))),
            None
        );
    }

    #[test]
    fn the_server_events_own_match_decides_the_visitor_and_the_event_confirmed() {
        let claims = [sent("v_attacker"), sent("v_customer")];
        let confirmed = choose_confirmation(&claims, Some(("v_customer", "email_sha256"))).unwrap();
        assert_eq!(confirmed.claim, 1);
        assert_eq!(
            confirmed.visitor,
            Some(("v_customer".into(), "email_sha256".into()))
        );
        // The server matched someone who sent nothing: the earliest event becomes theirs.
        let confirmed = choose_confirmation(&claims, Some(("v_other", "visitor_id"))).unwrap();
        assert_eq!(confirmed.claim, 0);
        assert_eq!(confirmed.visitor.unwrap().0, "v_other");
    }

    #[test]
    fn without_a_server_match_the_sender_counts_only_when_exactly_one_visitor_sent_the_id() {
        let one = [sent("v_customer"), ANONYMOUS];
        let confirmed = choose_confirmation(&one, None).unwrap();
        assert_eq!(confirmed.claim, 0);
        assert_eq!(
            confirmed.visitor,
            Some(("v_customer".into(), MATCHED_BY_BROWSER_EVENT.into()))
        );
        let squatted = [sent("v_attacker"), sent("v_customer")];
        let confirmed = choose_confirmation(&squatted, None).unwrap();
        assert_eq!(
            confirmed.visitor, None,
            "two visitors sent the id: nobody is credited"
        );
        assert_eq!(
            choose_confirmation(&[ANONYMOUS], None).unwrap().visitor,
            None
        );
    }

    #[test]
    fn an_event_holding_the_id_itself_is_the_one_confirmed() {
        let legacy = BrowserClaim {
            sent_by: Some("v_old"),
            holds_event_id: true,
        };
        let claims = [sent("v_customer"), legacy];
        let confirmed = choose_confirmation(&claims, Some(("v_customer", "visitor_id"))).unwrap();
        assert_eq!(confirmed.claim, 1);
        assert_eq!(confirmed.visitor.unwrap().0, "v_customer");
    }

    #[test]
    fn the_server_events_fields_win_and_the_browser_fills_what_it_left_out() {
        use crate::core::browser_event::parse_browser_event;
        use crate::core::event::{CookieClick, NewEvent};
        use crate::core::webhook_in::custom::Topic;
        use crate::core::webhook_in::parse_custom_body;
        use serde_json::json;
        let mut browser: NewEvent = parse_browser_event(
            &json!({"event": "Purchase", "event_id": "o-1", "value": 0.01, "currency": "USD",
                "url": "https://shop.example/thanks", "attributes": {"coupon": "X", "plan": "basic"},
                "user": {"email": "attacker@example.com"}, "consent": {"advertising": false}}),
            None,
            Some("203.0.113.9"),
            Some("Browser/1"),
        )
        .unwrap();
        browser.cookie_history = vec![CookieClick {
            param: "aff_click_id".into(),
            value: "MINE".into(),
            source: None,
            at_ms: 1,
        }];
        let server = parse_custom_body(
            Topic::Purchase,
            r#"{"conversion_id": "o-1", "value": 249, "currency": "EUR",
                "user_data": {"email": "jane@example.com"}, "plan": "pro"}"#,
        )
        .unwrap();
        let confirmed = browser.confirmed_by(&server);
        assert_eq!(confirmed.value.map(|v| v.get()), Some(249.0));
        assert_eq!(
            confirmed
                .currency
                .map(|c| c.as_str().to_string())
                .as_deref(),
            Some("EUR")
        );
        assert_eq!(
            confirmed.user.email.as_ref().map(|e| e.as_str()),
            Some("jane@example.com")
        );
        assert_eq!(confirmed.source, server.source);
        assert_eq!(
            confirmed.url.as_deref(),
            Some("https://shop.example/thanks")
        );
        assert_eq!(confirmed.ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(confirmed.attributes.as_map()["coupon"], json!("X"));
        assert_eq!(
            confirmed.attributes.as_map()["plan"],
            server.attributes.as_map()["plan"]
        );
        assert!(
            !confirmed.consent.allows_advertising(),
            "a refusal the server did not overrule stands"
        );
        assert!(
            confirmed.cookie_history.is_empty(),
            "attributed from the server's own match"
        );
    }
}
