//! Requests without `track` that name `eventId` and `status`: status changes.

use super::{from_query, refused};
use crate::core::lifecycle::ConversionStatus;
use crate::core::webhook_in::TrackOrSet;

#[test]
fn a_request_without_track_naming_event_id_and_status_is_a_status_change() {
    match from_query(&[
        ("eventId", "o-1"),
        ("status", "approved"),
        ("reason", "paid"),
    ]) {
        Ok(TrackOrSet::Status(id, change)) => {
            assert_eq!(id.as_str(), "o-1");
            assert_eq!(change.status, ConversionStatus::Approved);
            assert_eq!(change.reason.as_deref(), Some("paid"));
        }
        other => panic!("not a status change: {other:?}"),
    }
    let bad = refused(from_query(&[("eventId", "o-1"), ("status", "received")]));
    assert_eq!(bad.field.as_deref(), Some("status"));
}

#[test]
fn a_status_change_refuses_what_only_an_event_or_a_visitor_takes() {
    let extra = refused(from_query(&[
        ("eventId", "o-1"),
        ("status", "approved"),
        ("value", "5"),
    ]));
    assert_eq!(extra.code, "status_change_only");
    assert_eq!(extra.field.as_deref(), Some("value"));
    let variants = refused(from_query(&[
        ("eventId", "o-1"),
        ("status", "rejected"),
        ("phoneNumberVariants[]", "+358401234567"),
    ]));
    assert_eq!(variants.field.as_deref(), Some("phoneNumberVariants[]"));
}

#[test]
fn status_or_reason_given_twice_with_different_values_is_a_repeated_parameter() {
    for (name, first, second) in [
        ("status", "approved", "reversed"),
        ("reason", "paid", "chargeback"),
    ] {
        let twice = refused(from_query(&[
            ("eventId", "o-1"),
            ("status", "approved"),
            (name, first),
            (name, second),
        ]));
        assert_eq!(twice.code, "duplicate_parameter", "{name}");
        assert_eq!(twice.field.as_deref(), Some(name));
        assert!(
            twice.message.contains("more than once"),
            "{}",
            twice.message
        );
    }
    // The same value twice is still one status.
    let same = from_query(&[
        ("eventId", "o-1"),
        ("status", "approved"),
        ("status", "approved"),
    ]);
    assert!(matches!(same, Ok(TrackOrSet::Status(..))), "{same:?}");
}
