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
//!    exactly one visitor sent the id (an event sent without a visitor counts as another sender:
//!    it cannot be told apart) and that visitor's event agrees with the server event: each of
//!    the value and the currency the server event carries, the browser event carries equal
//!    ([`Amount::same_as`]). Otherwise the event stays unmatched (its identities wait for a later
//!    match). Without the check, anyone who guessed a coming order id could send it first and be
//!    credited with the order. The visitor found so is only as sure as the anonymous browser's
//!    claim, so the identities the server event links to it are linked as a browser event's
//!    ([`crate::core::matching::LinkRule::for_event`]).
//! 3. An event stored before per-visitor browser events existed holds the event id itself as its
//!    key; it is the one confirmed, whatever rule 1 would pick, because only one event can hold
//!    that key.
//!
//! A status change (an approval by event id) carries no visitor, identity or value, so it cannot
//! choose among senders ([`status_change_target`]): it applies to the server event that holds
//! the id; else to the browser event when one sender sent the id; else it is refused
//! (`ambiguous_event`), and the merchant sends the conversion itself so that rules 1 and 2
//! decide.

use super::error::Invalid;
use super::money::{Amount, Currency};
/// One browser event that sent the event id, in the order they were stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrowserClaim<'a> {
    /// The visitor who sent it (`pc_vid`), if any.
    pub sent_by: Option<&'a str>,
    /// It holds the event id as its key (an event stored before per-visitor keys).
    pub holds_event_id: bool,
    /// The value and currency it was sent with.
    pub value: Option<Amount>,
    pub currency: Option<Currency>,
}

/// What the server event says of the money: its value and currency, when it carries them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServerMoney {
    pub value: Option<Amount>,
    pub currency: Option<Currency>,
}

impl BrowserClaim<'_> {
    /// Whether the claim carries each of the value and the currency the server event carries,
    /// equal (rule 2).
    fn agrees_with(&self, server: ServerMoney) -> bool {
        let value = match (server.value, self.value) {
            (None, _) => true,
            (Some(server), Some(claimed)) => server.same_as(claimed),
            (Some(_), None) => false,
        };
        let currency = server.currency.is_none() || server.currency == self.currency;
        value && currency
    }
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
/// server event's own match (visitor id and the identity that found it), `server_money` its
/// value and currency. `None` when there is nothing to confirm.
pub fn choose_confirmation(
    claims: &[BrowserClaim<'_>],
    server_match: Option<(&str, &str)>,
    server_money: ServerMoney,
) -> Option<Confirmation> {
    if claims.is_empty() {
        return None;
    }
    let (preferred, visitor) = match server_match {
        Some((visitor, by)) => (
            claims.iter().position(|c| c.sent_by == Some(visitor)),
            Some((visitor.to_string(), by.to_string())),
        ),
        None => match sole_sender(claims.iter().map(|c| c.sent_by))
            .filter(|_| claims.iter().all(|c| c.agrees_with(server_money)))
        {
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

/// The one visitor who sent the id, if exactly one did. An event sent without a visitor may be
/// anyone's (a customer who refused the cookie), so it leaves no sole sender.
fn sole_sender<'a>(mut senders: impl Iterator<Item = Option<&'a str>>) -> Option<&'a str> {
    let first = senders.next()??;
    senders.all(|s| s == Some(first)).then_some(first)
}

/// One stored event with the event id a status change names (no copy of a server event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedEvent<'a> {
    /// The visitor who sent it, for a browser event.
    pub sent_by: Option<&'a str>,
    /// It is not a browser event: a server event, or a browser event already confirmed.
    pub from_server: bool,
}

/// Which event a status change by event id applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusTarget {
    /// No event has the id.
    Unknown,
    /// The event at this index.
    Event(usize),
    /// Only browser events sent the id, from more than one sender: refused
    /// ([`ambiguous_event`]).
    Ambiguous,
}

/// The event a status change by event id applies to, from the events with that id (in the
/// order they were stored): the server's event if there is one (it is the conversion); else the
/// browser event when there is one, or all come from one visitor; else none can be chosen,
/// since the change says nothing of whose purchase it is.
pub fn status_change_target(events: &[NamedEvent<'_>]) -> StatusTarget {
    if events.is_empty() {
        return StatusTarget::Unknown;
    }
    if let Some(server) = events.iter().position(|e| e.from_server) {
        return StatusTarget::Event(server);
    }
    if events.len() == 1 || sole_sender(events.iter().map(|e| e.sent_by)).is_some() {
        return StatusTarget::Event(0);
    }
    StatusTarget::Ambiguous
}

/// The refusal of a status change whose event id only browser events from several senders
/// sent, naming the `field` that gave the id.
pub fn ambiguous_event(field: &str) -> Invalid {
    Invalid::field(
        "ambiguous_event",
        field,
        "browser events from more than one visitor sent this event id and no server event \
         holds it, so a status change cannot tell which of them is the conversion: send the \
         conversion itself (on /webhook with track, its value and currency and the customer's \
         email or visitor_id; on the custom webhook its purchase topic) so that the server's \
         match decides, then change its status",
    )
}

#[cfg(test)]
mod tests;
