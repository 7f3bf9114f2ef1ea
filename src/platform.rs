//! What the Workers runtime gives every layer: the D1 binding, the clock, randomness and the
//! time zone data. Request handlers, the queue consumers and the cron sweep all reach the
//! runtime through here, so none of them depends on another surface for it.

use crate::config::DB;
use crate::core::ids::{PrefixedId, ID_RANDOM_BYTES};
use crate::core::time::UnixMs;
use crate::core::time_zone::{Offsets, Zones};
use crate::error::{Error, Result};
use wasm_bindgen::JsCast;
use worker::{D1Database, Env};

/// The D1 database (binding [`DB`]).
pub fn d1(env: &Env) -> Result<D1Database> {
    env.d1(DB)
        .map_err(|e| Error::internal("opening the D1 binding", e))
}

/// Now, from the runtime's clock. (Inside a request, Workers advances it only on I/O.)
pub fn now() -> UnixMs {
    // `Date.now()` itself: worker::Date::now() builds a `Date` object on every call, which the
    // postback bench's CPU profile showed at 2% of a delivery.
    UnixMs::from_millis(js_sys::Date::now() as i64)
}

/// `N` bytes from the runtime's cryptographically secure generator.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal("drawing random bytes", e))?;
    Ok(bytes)
}

/// A new random id of kind `T`, e.g. `platform::new_id::<DeliveryId>()`.
pub fn new_id<T: PrefixedId>() -> Result<T> {
    Ok(T::generate(random::<ID_RANDOM_BYTES>()?))
}

/// The time zones the runtime knows, through its `Intl.DateTimeFormat` (the ICU data every
/// Workers isolate carries), so the worker ships no time zone database of its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuntimeZones;

/// One zone of [`RuntimeZones`]: a formatter that prints the UTC offset (`GMT+05:30`).
pub struct RuntimeZone(js_sys::Intl::DateTimeFormat);

impl Zones for RuntimeZones {
    type Zone = RuntimeZone;

    /// `None` when the runtime refuses the name (`Intl.DateTimeFormat` throws a RangeError).
    fn zone(&self, name: &str) -> Option<RuntimeZone> {
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"timeZone".into(), &name.into()).ok()?;
        js_sys::Reflect::set(&options, &"timeZoneName".into(), &"longOffset".into()).ok()?;
        let args = js_sys::Array::of2(&"en-US".into(), &options);
        let format = js_sys::Reflect::construct(&constructor, &args).ok()?;
        Some(RuntimeZone(format.unchecked_into()))
    }
}

impl Offsets for RuntimeZone {
    /// The offset the runtime prints for `at` (`GMT`, `GMT+03:00`, `GMT-04:00`), in ms; 0 for
    /// anything it does not print in that form.
    fn offset_ms(&self, at: UnixMs) -> i64 {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64));
        let parts = self.0.format_to_parts(&date);
        let name = parts.iter().find_map(|part| {
            let kind = js_sys::Reflect::get(&part, &"type".into())
                .ok()?
                .as_string()?;
            (kind == "timeZoneName")
                .then(|| {
                    js_sys::Reflect::get(&part, &"value".into())
                        .ok()?
                        .as_string()
                })
                .flatten()
        });
        name.as_deref().and_then(gmt_offset_ms).unwrap_or(0)
    }
}

/// `GMT`, `GMT+03:00` or `GMT-09:30` (ICU's long offset) in ms.
fn gmt_offset_ms(text: &str) -> Option<i64> {
    let rest = text.strip_prefix("GMT")?;
    if rest.is_empty() {
        return Some(0);
    }
    // ICU may print a minus sign (U+2212) rather than a hyphen.
    let (sign, rest) = if let Some(rest) = rest.strip_prefix('+') {
        (1, rest)
    } else if let Some(rest) = rest.strip_prefix(['-', '\u{2212}']) {
        (-1, rest)
    } else {
        return None;
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    Some(sign * (hours * 3_600_000 + minutes * 60_000))
}

#[cfg(test)]
mod tests {
    use super::gmt_offset_ms;

    #[test]
    fn icu_long_offsets_read_as_milliseconds() {
        assert_eq!(gmt_offset_ms("GMT"), Some(0));
        assert_eq!(gmt_offset_ms("GMT+05:30"), Some(19_800_000));
        assert_eq!(gmt_offset_ms("GMT-03:00"), Some(-10_800_000));
        assert_eq!(gmt_offset_ms("GMT\u{2212}09:30"), Some(-34_200_000));
        assert_eq!(gmt_offset_ms("UTC+1"), None);
    }
}
