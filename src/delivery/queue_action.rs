//! What happens to a postbacks-queue message once its attempt is settled: the last stage of
//! delivery (see `stages`).

use crate::core::postback::outbox::{DeliveryMessage, Settlement};

/// What happens to the queue message once its attempt is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueAction {
    /// Done with it: delivered, or nothing to do.
    Ack,
    /// Done with it, and the next attempt goes out as a new message after `after_s`. A new
    /// message rather than `retry_with_options`, because each message names the attempt it is
    /// for (see `core::postback::outbox`), and the platform's own retry count is kept for our
    /// failures.
    AckAndRetry { next: DeliveryMessage, after_s: u32 },
    /// Done with it, and the delivery is given up: the message goes to the dead-letter queue.
    AckAndDeadLetter { message: DeliveryMessage },
    /// Our own storage failed: the platform redelivers this same message, and the claim on the
    /// row keeps it one attempt.
    Redeliver,
}

impl QueueAction {
    /// The queue's part of a settled attempt of `message`.
    pub fn after(message: &DeliveryMessage, settlement: &Settlement) -> Self {
        if settlement.dead_letter {
            return QueueAction::AckAndDeadLetter {
                message: message.clone(),
            };
        }
        match settlement.requeue_after_s {
            Some(after_s) => QueueAction::AckAndRetry {
                next: DeliveryMessage::after(&message.delivery_id, message.attempt),
                after_s,
            },
            None => QueueAction::Ack,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::DeliveryId;
    use crate::core::postback::DeliveryStatus;

    fn message(attempt: u32) -> DeliveryMessage {
        let id = DeliveryId::parse("dlv_abcdefghijkl").unwrap();
        DeliveryMessage::after(&id, attempt - 1)
    }

    fn settlement(requeue_after_s: Option<u32>, dead_letter: bool) -> Settlement {
        Settlement {
            status: DeliveryStatus::Retrying,
            next_attempt_at: None,
            error: None,
            requeue_after_s,
            dead_letter,
        }
    }

    #[test]
    fn a_settled_attempt_acks_its_message_and_queues_what_comes_next() {
        assert_eq!(
            QueueAction::after(&message(1), &settlement(None, false)),
            QueueAction::Ack
        );
        assert_eq!(
            QueueAction::after(&message(2), &settlement(Some(60), false)),
            QueueAction::AckAndRetry {
                next: message(3),
                after_s: 60
            }
        );
        assert_eq!(
            QueueAction::after(&message(8), &settlement(None, true)),
            QueueAction::AckAndDeadLetter {
                message: message(8)
            }
        );
    }
}
