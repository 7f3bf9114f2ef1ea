//! The dead-letter consumer. Its messages are deliveries given up: by our consumer after the
//! last attempt (the row is already failed), or by the platform after our consumer kept failing
//! (the row is still pending and is failed here). Either way the row records that it reached
//! the dead-letter queue; a delivered row is left alone.

use crate::core::postback::outbox::DeliveryMessage;
use crate::platform::now;
use crate::store::deliveries;
use futures_util::future::join_all;
use worker::{D1Database, MessageExt, RawMessage};

pub async fn settle_batch(messages: Vec<RawMessage>, db: &D1Database) {
    join_all(messages.iter().map(|m| settle_message(m, db))).await;
}

async fn settle_message(message: &RawMessage, db: &D1Database) {
    let Some(parsed) = message
        .body()
        .as_string()
        .as_deref()
        .and_then(DeliveryMessage::parse)
    else {
        worker::console_warn!("dropping a dead-letter message that is not ours");
        message.ack();
        return;
    };
    match deliveries::mark_dead_lettered(db, &parsed.delivery_id, now()).await {
        Ok(_) => message.ack(),
        Err(e) => {
            worker::console_error!("dead-lettering {}: {e}", parsed.delivery_id);
            message.retry();
        }
    }
}
