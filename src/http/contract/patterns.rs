//! Regular expressions that state what the core's text parsers accept, written in the syntax
//! that ECMA-262 (JSON Schema's dialect), Python's `re` (schemathesis) and Rust's `regex` (the
//! tests) read alike: no lookaround, no inline flags, `\uXXXX` escapes. Each function names the
//! parser whose rule it states, and `tests` holds every pattern to its parser on a corpus of
//! awkward strings, so a parser that changes its rule fails a native test here.
//!
//! Lengths are counted in characters, as JSON Schema counts them; where a parser bounds bytes
//! (user data, event ids) the pattern allows the same number of characters, which is exact for
//! ASCII.

/// Rust's `char::is_control`: Unicode category Cc.
pub const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// The controls `input::bounded` allows in multi-line text: everything in [`CONTROL`] but tab,
/// line feed and carriage return.
pub const CONTROL_BUT_LINES: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";
/// What `str::trim` removes: Unicode White_Space.
pub const TRIM: &str =
    r"\t\n\u000b\u000c\r\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// [`TRIM`] without the line breaks: what a placeholder in a one-line value may be padded with.
const TRIM_BUT_LINES: &str =
    r"\t\u000b\u000c\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// White_Space that is not a control.
pub const SPACE: &str = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Text that `str::trim` leaves as 1 to `max` characters (any number with `None`), none of them
/// in the class body `forbidden`; White_Space around it is free. With `blank_ok`, text that trims
/// to nothing matches too: the parsers read it as absent.
pub fn trimmed_text(forbidden: &str, max: Option<usize>, blank_ok: bool) -> String {
    let edge = format!("[^{forbidden}{TRIM}]");
    let inner = match forbidden {
        "" => r"[\s\S]".to_string(),
        _ => format!("[^{forbidden}]"),
    };
    let middle = match max {
        Some(max) if max < 2 => String::new(),
        Some(max) => format!("(?:{inner}{{0,{}}}{edge})?", max - 2),
        None => format!("(?:{inner}*{edge})?"),
    };
    let body = match blank_ok {
        true => format!("(?:{edge}{middle})?"),
        false => format!("{edge}{middle}"),
    };
    format!("^[{TRIM}]*{body}[{TRIM}]*$")
}

/// Text with no control character anywhere that trims to 1 to `max` characters: the names of
/// `ContainerSettings::parse` and `parse_connector`, which check controls before trimming.
pub fn printable(max: usize) -> String {
    let edge = format!("[^{CONTROL}{SPACE}]");
    format!(
        "^[{SPACE}]*{edge}(?:[^{CONTROL}]{{0,{}}}{edge})?[{SPACE}]*$",
        max.saturating_sub(2)
    )
}

/// `EventName::parse`: 1 to 64 characters once trimmed, no control characters.
pub fn event_name() -> String {
    trimmed_text(CONTROL, Some(crate::core::event::MAX_EVENT_NAME_LEN), false)
}

/// `EventId::parse`: 1 to 128 printable characters once trimmed (bytes, exactly for ASCII).
pub fn event_id(blank_ok: bool) -> String {
    trimmed_text(CONTROL, Some(crate::core::ids::MAX_EVENT_ID_LEN), blank_ok)
}

/// `input::bounded`: text of at most `max` characters once trimmed; controls refused, except
/// tabs and line breaks in `multiline` text. Blank is absent.
pub fn text(max: usize, multiline: bool) -> String {
    let forbidden = if multiline {
        CONTROL_BUT_LINES
    } else {
        CONTROL
    };
    trimmed_text(forbidden, Some(max), true)
}

/// `input::visitor_id`: the `pc_vid` cookie's value, 1 to 128 of `A-Z a-z 0-9 . _ - :`.
pub fn visitor_id() -> String {
    let max = crate::core::input::MAX_VISITOR_ID_LEN;
    format!("^[{TRIM}]*(?:[A-Za-z0-9._:-]{{1,{max}}})?[{TRIM}]*$")
}

/// A page URL as `input::page_url` takes it, stated as its plain form: an http(s) URL with a host
/// name (its last label starting with a letter), an optional port, path, query and fragment of
/// URL characters; blank is absent. (The WHATWG parser behind it takes more.)
pub fn page_url() -> String {
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let top = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let chars = "[A-Za-z0-9._~%!$&'()*+,;=:@-]";
    format!(
        "^[{TRIM}]*(?:https?://(?:{label}\\.)*{top}(?::[0-9]{{1,4}})?(?:/{chars}*)*(?:\\?(?:{chars}|/|\\?)*)?(?:#(?:{chars}|/|\\?)*)?)?[{TRIM}]*$"
    )
}

/// `word` in any ASCII letter case: `[Dd][Ee][Nn][Ii][Ee][Dd]`.
pub fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            c if c.is_ascii_alphabetic() => {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            }
            c if c.is_ascii_alphanumeric() => c.to_string(),
            c => format!("\\{c}"),
        })
        .collect()
}

/// One of `words` in any ASCII letter case and nothing around it, or blank (the parsers'
/// default): `webhook.method`, which `parse_connector` compares without trimming.
pub fn any_case_or_blank(words: &[&str]) -> String {
    let alternatives: Vec<String> = words.iter().map(|w| any_case(w)).collect();
    format!("^(?:{}|[{TRIM}]*)$", alternatives.join("|"))
}

/// One of `words` in any ASCII letter case, trimmed; blank too with `blank_ok`.
pub fn words(words: &[&str], blank_ok: bool) -> String {
    let alternatives: Vec<String> = words.iter().map(|w| any_case(w)).collect();
    let optional = if blank_ok { "?" } else { "" };
    format!(
        "^[{TRIM}]*(?:{}){optional}[{TRIM}]*$",
        alternatives.join("|")
    )
}

/// `ConsentSignal::parse_word`: granted, true, 1, denied, false or 0, any case; blank is absent.
pub fn consent_word() -> String {
    words(&["granted", "true", "1", "denied", "false", "0"], true)
}

/// `input::boolean` on text: true, 1, yes, false, 0 or no, any case; blank is absent.
pub fn boolean_word() -> String {
    words(&["true", "1", "yes", "false", "0", "no"], true)
}

/// `Amount::parse`: a decimal number from 0 to below 10^12, with `.` or `,` as the separator;
/// blank too with `blank_ok` (where the caller reads blank as absent). Leading zeros are free:
/// `000049.90` is 49.90. A comma before exactly three digits (`1,250`) is ambiguous and refused,
/// so after a comma come any number of digits but three.
pub fn amount(blank_ok: bool) -> String {
    let optional = if blank_ok { "?" } else { "" };
    let comma = "(?:[0-9]{0,2}|[0-9]{4,})";
    format!(
        r"^[{TRIM}]*(?:0*(?:[0-9]{{1,12}}(?:\.[0-9]*|,{comma})?|\.[0-9]+|,(?:[0-9]{{1,2}}|[0-9]{{4,}}))){optional}[{TRIM}]*$"
    )
}

/// `Currency::parse`: an ISO 4217 code in any letter case; blank too with `blank_ok` (where the
/// parser reads blank as absent).
pub fn currency(blank_ok: bool) -> String {
    words(crate::core::money::ISO_4217, blank_ok)
}

/// `ClickValue::read`: at most 512 bytes once trimmed, no controls; inner spaces, `/`, `+` and
/// any letters are kept. Blank, and for a click id an unfilled macro (`{clickid}`, `%%CID%%`,
/// `[[cid]]`, `undefined`, `null`), is refused without damage: the webhooks read it as absent.
pub fn click_value(identifies_click: bool) -> String {
    let max = crate::core::clicks::MAX_CLICK_VALUE_BYTES;
    if !identifies_click {
        return trimmed_text(CONTROL, Some(max), true);
    }
    let any = r"[\s\S]";
    let edge = format!("[^{CONTROL}{TRIM}]");
    let value = format!("{edge}(?:[^{CONTROL}]{{0,{}}}{edge})?", max - 2);
    let garbage = format!(
        r"\{{{any}*\}}|%%|%%%|%%{any}*%%|\[\[{any}*\]\]|{}|{}",
        any_case("undefined"),
        any_case("null")
    );
    format!("^[{TRIM}]*(?:{value}|{garbage})?[{TRIM}]*$")
}

/// `Birthday::parse`: a real calendar date written `YYYY-MM-DD`; blank is absent.
pub fn birthday() -> String {
    let leap_year = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
    let any_year = "[0-9]{4}";
    let month_day = "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)";
    format!("^[{TRIM}]*(?:{any_year}-{month_day}|{leap_year}-02-29)?[{TRIM}]*$")
}

/// The whole numbers from `lo` to `hi`, as alternatives without leading zeros, each with its
/// digit count: a standard digit-by-digit construction.
pub fn integer_range(lo: u64, hi: u64) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = lo;
    while start <= hi {
        let digits = start.to_string().len();
        let top = 10u64.saturating_pow(digits as u32).saturating_sub(1);
        let end = hi.min(top);
        out.push((digits, same_length(&start.to_string(), &end.to_string())));
        match end.checked_add(1) {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

fn same_length(lo: &str, hi: &str) -> String {
    if lo == hi {
        return lo.to_string();
    }
    let (a, b) = (&lo[..1], &hi[..1]);
    let (rest_lo, rest_hi) = (&lo[1..], &hi[1..]);
    let n = rest_lo.len();
    if n == 0 {
        return format!("[{a}-{b}]");
    }
    if a == b {
        return format!("{a}{}", same_length(rest_lo, rest_hi));
    }
    let all_low = rest_lo.bytes().all(|c| c == b'0');
    let all_high = rest_hi.bytes().all(|c| c == b'9');
    if all_low && all_high {
        return format!("[{a}-{b}][0-9]{{{n}}}");
    }
    let (a_digit, b_digit) = (a.as_bytes()[0] - b'0', b.as_bytes()[0] - b'0');
    let mut parts = vec![format!("{a}{}", same_length(rest_lo, &"9".repeat(n)))];
    if b_digit - a_digit > 1 {
        parts.push(format!("[{}-{}][0-9]{{{n}}}", a_digit + 1, b_digit - 1));
    }
    parts.push(format!("{b}{}", same_length(&"0".repeat(n), rest_hi)));
    format!("(?:{})", parts.join("|"))
}

/// The tracklution parser's session timestamp: unix seconds or milliseconds (up to 16 digits)
/// between 2000 and 2100, or an RFC 3339 time (stated here for 2001 to 2089 in UTC offsets of
/// whole hours and minutes); blank is absent.
pub fn timestamp() -> String {
    let mut numbers = Vec::new();
    for (lo, hi) in [
        (946_684_800, 4_102_444_799),
        (946_684_800_000, 4_102_444_799_999),
    ] {
        for (digits, pattern) in integer_range(lo, hi) {
            numbers.push(format!("0{{0,{}}}{pattern}", 16 - digits));
        }
    }
    let date = "20(?:0[1-9]|[1-8][0-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])";
    let time = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?";
    let offset = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
    format!(
        "^[{TRIM}]*(?:{}|{date}T{time}{offset})?[{TRIM}]*$",
        numbers.join("|")
    )
}

/// A variants list as text (`emailVariants=a@x.com,b@x.com`): comma-separated items, each of at
/// most 256 characters without controls once trimmed, at most 10 of them not blank, and the
/// whole not opening a JSON array; blank is absent. (Repeated items count once on the server, so
/// it takes more than ten when some repeat.)
pub fn variants() -> String {
    let max = crate::core::user_data::MAX_USER_TEXT_BYTES;
    let n = crate::core::user_data::MAX_VARIANTS;
    let item = |first: &str| {
        format!(
            "[{TRIM}]*[^{CONTROL}{TRIM},{first}](?:[^{CONTROL},]{{0,{}}}[^{CONTROL}{TRIM},])?[{TRIM}]*",
            max - 2
        )
    };
    let (first, other) = (item("\\["), item(""));
    let blank = format!("[{TRIM}]*");
    let tail = |k: usize| format!("(?:,{blank})*(?:,{other}(?:,{blank})*){{0,{k}}}");
    format!("^(?:{first}{}|{blank}{})$", tail(n - 1), tail(n))
}

/// One `{{NAME}}` or `{{NAME|filter|...}}` of the template engine (`template::placeholder`):
/// an UPPER_SNAKE_CASE name of at most 64 characters, filters `sha256`, `lower`, `upper` and
/// `default:TEXT` (stated here without `|`, `{` and `}` in TEXT), none of it in `forbidden`
/// (empty, or a one-line value's line breaks and NUL).
fn placeholder(forbidden: &str) -> String {
    let space = match forbidden {
        "" => TRIM,
        _ => TRIM_BUT_LINES,
    };
    let filter = format!("(?:sha256|lower|upper|default:[^|{{}}{forbidden}]{{0,256}})");
    format!(
        r"\{{\{{[{space}]*[A-Z][A-Z0-9_]{{0,63}}[{space}]*(?:\|[{space}]*{filter}[{space}]*)*\}}\}}"
    )
}

/// Template text (`TextTemplate::parse`, and the syntax `PixelTemplate::parse` adds its context
/// rules to): any text in which every `{{` opens a well-formed placeholder, and no character
/// is in the class body `forbidden` (a header value's line breaks).
pub fn template(forbidden: &str) -> String {
    format!(
        r"^(?:[^{{{forbidden}]|\{{[^{{{forbidden}]|{})*\{{?$",
        placeholder(forbidden)
    )
}

/// `eventAttributes` as JSON text in a query or form, stated as its simplest form: blank, or an
/// object of up to 50 string attributes with plain keys and values.
pub fn attributes_json() -> String {
    let ws = r"[ \t\n\r]*";
    let key = "\"[A-Za-z0-9_]{1,64}\"";
    let value = "\"[A-Za-z0-9 ._-]{0,256}\"";
    let pair = format!("{key}{ws}:{ws}{value}");
    format!("^[{TRIM}]*(?:\\{{{ws}(?:{pair}(?:{ws},{ws}{pair}){{0,49}})?{ws}\\}})?[{TRIM}]*$")
}

/// `parse_signing_secret`: `whsec_` and the standard base64 (padded, no stray bits) of 24 to
/// 64 bytes; blank is none.
pub fn signing_secret() -> String {
    let quad = "[A-Za-z0-9+/]{4}";
    let one = "[A-Za-z0-9+/][AQgw]==";
    let two = "[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=";
    format!(
        "^(?:[{TRIM}]*|whsec_(?:(?:{quad}){{8,20}}(?:{one}|{two})?|(?:{quad}){{21}}(?:{one})?))$"
    )
}

/// The connector's `click_id.param` and `source_param` (`query_param_name`): 1 to 64 of
/// letters, digits, `_ - . [ ]` once trimmed; blank is none.
pub fn query_param_name() -> String {
    format!(r"^[{TRIM}]*(?:[A-Za-z0-9_.\[\]-]{{1,64}})?[{TRIM}]*$")
}

#[cfg(test)]
mod tests;

/// The identifiers `Subject::parse` (erasure and export) takes, in a plain form the fuzzer can
/// draw: each is one `Subject::parse` finds usable. By field: a visitor id as `pc_vid` holds
/// it; an email that normalises (local part, `@`, a dotted domain); a phone of 7 to 15 digits
/// with its country code; an external id of 1 to 256 printable characters.
pub fn subject_identifier(field: &str) -> String {
    match field {
        "visitor_id" => format!(r"^[{TRIM}]*[A-Za-z0-9._:-]{{1,128}}[{TRIM}]*$"),
        "email" => format!(
            r"^[{TRIM}]*[A-Za-z0-9._%+-]{{1,64}}@[A-Za-z0-9-]{{1,40}}(?:\.[A-Za-z0-9-]{{1,40}}){{1,2}}[{TRIM}]*$"
        ),
        "phone" => format!(r"^[{TRIM}]*\+?[1-9][0-9]{{6,14}}[{TRIM}]*$"),
        _ => trimmed_text(
            CONTROL,
            Some(crate::core::user_data::MAX_USER_TEXT_BYTES),
            false,
        ),
    }
}
