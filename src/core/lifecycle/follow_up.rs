//! Which status follow-up a connector with `send_reversals` that was sent a conversion is owed.
//!
//! A conversion stands while it is `received` or `approved` and is withdrawn while it is
//! `rejected` or `reversed`. A status change that flips this (a rejection, a reversal, the
//! approval of a rejected conversion) changes what the partner should believe, so the partner is
//! owed one postback saying so: a reversal, or a reinstatement once a withdrawn conversion is
//! approved again. Changes that do not flip it (`received → approved`) owe nothing.
//!
//! The decision compares what the partner was last told (the status follow-ups already written
//! for it) with where the conversion stands after the event's status history, and names the
//! follow-up after the change that made the difference: its key is derived from the history, so
//! every dispatch of the event (the one after the change, the sweep's re-dispatch of it) names
//! the same follow-up and writing it is idempotent. The partner's first reversal keeps the key
//! `{original}:reversal`; every later follow-up is `{original}:status:{n}`, `n` being the
//! ordinal (`seq`) of that change in the history.

use super::ConversionStatus;

/// The suffix of a partner's first reversal.
const FIRST_REVERSAL: &str = "reversal";
/// The prefix of the suffix of every later status follow-up: `status:{seq}`.
const STATUS_PREFIX: &str = "status:";

/// One change of the event's status history: its ordinal and the status it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusStep {
    pub seq: i64,
    pub status: ConversionStatus,
}

/// What a status follow-up tells the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFollowUpKind {
    /// The conversion no longer stands (rejected or reversed).
    Reversal,
    /// A withdrawn conversion stands again (approved after a rejection).
    Reinstatement,
}

/// A status follow-up a connector is owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFollowUp {
    pub kind: StatusFollowUpKind,
    /// The status it announces (`{{CONVERSION_STATUS}}`): the one the flipping change made.
    pub status: ConversionStatus,
    /// What extends the original delivery's idempotency key and origin key: `reversal` for the
    /// partner's first reversal, `status:{seq}` for any later follow-up.
    pub suffix: String,
}

/// Where a status follow-up suffix (`reversal`, `status:{seq}`) falls in the history: 0 for the
/// first reversal (it always precedes any later follow-up of the same partner), `seq` otherwise.
/// `None` for any other suffix (an update postback's `update:{n}`).
pub fn status_suffix_order(suffix: &str) -> Option<i64> {
    if suffix == FIRST_REVERSAL {
        return Some(0);
    }
    suffix
        .strip_prefix(STATUS_PREFIX)
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n > 0)
}

/// The follow-up a connector that was sent the conversion is owed, if any. `history` is the
/// event's status changes (any order; `seq` orders them); `written` the suffixes of the
/// follow-ups already written for this connector and event (`reversal`, `status:{n}`,
/// `update:{n}`: others than status follow-ups are ignored).
///
/// The partner believes the conversion stands until told otherwise; its last status follow-up
/// (the one latest in the history) says what it was told since. When that differs from where the
/// conversion stands now, the follow-up owed is named after the latest flipping change. A
/// partner that got no follow-up yet and is owed a reversal gets `reversal`, whichever change
/// withdrew the conversion (a connector sent it only on approval counts from there).
pub fn status_follow_up(history: &[StatusStep], written: &[&str]) -> Option<StatusFollowUp> {
    let mut steps = history.to_vec();
    steps.sort_by_key(|s| s.seq);
    // The changes that flipped whether the conversion stands, in order.
    let mut stands = true;
    let mut flips: Vec<StatusStep> = Vec::new();
    for step in steps {
        if step.status.is_withdrawn() == stands {
            stands = !stands;
            flips.push(step);
        }
    }
    let last_flip = *flips.last()?;
    let told = written
        .iter()
        .filter_map(|suffix| status_suffix_order(suffix))
        .max();
    let believes_it_stands = match told {
        None => true,
        Some(0) => false,
        // The flip a written `status:{seq}` announced; one the history no longer holds leaves
        // the belief unknown, and nothing is sent rather than a follow-up that may be wrong.
        Some(seq) => !flips.iter().find(|f| f.seq == seq)?.status.is_withdrawn(),
    };
    if believes_it_stands == stands {
        return None;
    }
    let (kind, suffix) = match (stands, told) {
        (false, None) => (StatusFollowUpKind::Reversal, FIRST_REVERSAL.to_string()),
        (false, Some(_)) => (
            StatusFollowUpKind::Reversal,
            format!("{STATUS_PREFIX}{}", last_flip.seq),
        ),
        (true, _) => (
            StatusFollowUpKind::Reinstatement,
            format!("{STATUS_PREFIX}{}", last_flip.seq),
        ),
    };
    Some(StatusFollowUp {
        kind,
        status: last_flip.status,
        suffix,
    })
}

#[cfg(test)]
mod tests {
    use super::super::follow_up_key;
    use super::*;
    use ConversionStatus::{Approved, Rejected, Reversed};

    fn history(statuses: &[ConversionStatus]) -> Vec<StatusStep> {
        (1..)
            .zip(statuses)
            .map(|(seq, status)| StatusStep {
                seq,
                status: *status,
            })
            .collect()
    }

    fn owed(
        statuses: &[ConversionStatus],
        written: &[&str],
    ) -> Option<(StatusFollowUpKind, ConversionStatus, String)> {
        status_follow_up(&history(statuses), written).map(|f| (f.kind, f.status, f.suffix))
    }

    use StatusFollowUpKind::{Reinstatement, Reversal};

    #[test]
    fn a_standing_conversion_owes_nothing() {
        assert_eq!(owed(&[], &[]), None);
        assert_eq!(owed(&[Approved], &[]), None);
    }

    #[test]
    fn the_first_reversal_keeps_its_key() {
        assert_eq!(
            owed(&[Rejected], &[]),
            Some((Reversal, Rejected, "reversal".into()))
        );
        assert_eq!(
            owed(&[Approved, Reversed], &[]),
            Some((Reversal, Reversed, "reversal".into()))
        );
        assert_eq!(
            owed(&[Approved, Reversed], &["reversal"]),
            None,
            "sent once"
        );
    }

    #[test]
    fn each_later_flip_owes_one_follow_up_keyed_by_its_change() {
        // received → approved → rejected → approved → reversed, dispatched after each change.
        let all = [Approved, Rejected, Approved, Reversed];
        assert_eq!(owed(&all[..1], &[]), None);
        assert_eq!(
            owed(&all[..2], &[]),
            Some((Reversal, Rejected, "reversal".into()))
        );
        assert_eq!(owed(&all[..2], &["reversal"]), None);
        assert_eq!(
            owed(&all[..3], &["reversal"]),
            Some((Reinstatement, Approved, "status:3".into()))
        );
        assert_eq!(owed(&all[..3], &["reversal", "status:3"]), None);
        assert_eq!(
            owed(&all, &["reversal", "status:3"]),
            Some((Reversal, Reversed, "status:4".into()))
        );
        assert_eq!(owed(&all, &["status:3", "reversal", "status:4"]), None);
    }

    #[test]
    fn a_re_dispatch_after_several_changes_sends_only_what_the_partner_lacks() {
        let cycles = [Rejected, Approved, Rejected, Approved];
        // A flip and its undoing both missed: the partner already believes the truth.
        assert_eq!(owed(&cycles, &["reversal"][..0]), None);
        assert_eq!(owed(&cycles[..3], &["reversal", "status:2"][..1]), None);
        assert_eq!(
            owed(&cycles, &["reversal"]),
            Some((Reinstatement, Approved, "status:4".into()))
        );
    }

    #[test]
    fn the_latest_follow_up_says_what_the_partner_believes() {
        // Two dispatches raced and both reinstated: the latest tells.
        let h = [Rejected, Approved, Rejected, Approved];
        assert_eq!(owed(&h, &["reversal", "status:2", "status:4"]), None);
        assert_eq!(
            owed(
                &[Rejected, Approved, Rejected, Approved, Reversed],
                &["reversal", "status:4", "status:2"]
            ),
            Some((Reversal, Reversed, "status:5".into()))
        );
        // Update postbacks are no status follow-ups.
        assert_eq!(
            owed(&[Rejected], &["update:1"]),
            Some((Reversal, Rejected, "reversal".into()))
        );
    }

    #[test]
    fn a_partner_sent_the_conversion_late_gets_its_first_reversal_as_reversal() {
        // Sent on the approval after a rejection: the first reversal it owes is `reversal`.
        assert_eq!(owed(&[Rejected, Approved], &[]), None);
        assert_eq!(
            owed(&[Rejected, Approved, Reversed], &[]),
            Some((Reversal, Reversed, "reversal".into()))
        );
    }

    #[test]
    fn keys_extend_the_original_key_and_suffixes_read_back() {
        let follow_up = status_follow_up(&history(&[Rejected]), &[]).unwrap();
        assert_eq!(follow_up_key("d1", &follow_up.suffix), "d1:reversal");
        assert_eq!(status_suffix_order("reversal"), Some(0));
        assert_eq!(status_suffix_order("status:7"), Some(7));
        for other in [
            "update:1",
            "status:",
            "status:x",
            "status:0",
            "status:-1",
            "",
        ] {
            assert_eq!(status_suffix_order(other), None, "{other}");
        }
        // A follow-up the history no longer holds leaves the belief unknown: nothing is sent.
        assert_eq!(owed(&[Rejected, Approved], &["status:9"]), None);
    }
}
