//! Money as the product accepts it: an ISO 4217 currency and a finite, non-negative value.

use super::error::Invalid;
use serde::{Deserialize, Serialize};

/// Active ISO 4217 alphabetic codes (2024 list, plus widely used funds codes).
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// An ISO 4217 currency code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Currency([u8; 3]);

impl TryFrom<String> for Currency {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
    }
}

impl Currency {
    /// Accepts any letter case (`eur` is EUR) but only codes on the ISO 4217 list.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim().to_ascii_uppercase();
        match ISO_4217.binary_search(&code.as_str()) {
            Ok(_) => {
                let b = code.as_bytes();
                Ok(Self([b[0], b[1], b[2]]))
            }
            Err(_) => Err(Invalid::field(
                "invalid_currency",
                "currency",
                format!("{raw:?} is not an ISO 4217 currency code such as EUR or USD"),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        // The bytes were copied from a valid ASCII code.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

/// A monetary amount: finite, not negative, below 10^12.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64")]
pub struct Amount(f64);

impl TryFrom<f64> for Amount {
    type Error = Invalid;

    fn try_from(value: f64) -> Result<Self, Invalid> {
        Self::from_f64(value, "value")
    }
}

const MAX_AMOUNT: f64 = 1e12;

impl Amount {
    pub fn from_f64(value: f64, field: &str) -> Result<Self, Invalid> {
        if !value.is_finite() || !(0.0..MAX_AMOUNT).contains(&value) {
            return Err(Invalid::field(
                "invalid_value",
                field,
                "must be a finite number, zero or more and below 10^12",
            ));
        }
        Ok(Self(value))
    }

    /// Parses a decimal string. The accepted forms:
    /// - digits with an optional point and fraction: `49`, `49.90`, `.5`, `1250.000`;
    /// - the same with a comma as the decimal separator, as shops and CRMs in many locales send
    ///   it: `49,90`, `12,5`, `0,1234`.
    ///
    /// Refused, naming `field`: grouping separators (`1,234.56`, `1.234,56`), signs, exponents
    /// and anything that is not a digit, and a comma followed by exactly three digits (`1,250`),
    /// which reads as 1250 with a thousands separator in one locale and as 1.25 in another:
    /// guessing would pay a partner a thousand times too much or too little.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        if let Some((_, fraction)) = trimmed.split_once(',') {
            if fraction.len() == 3 && fraction.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Invalid::field(
                    "ambiguous_value",
                    field,
                    format!(
                        "{raw:?} is ambiguous: a comma before exactly three digits may be a \
                         thousands separator; send the value with a decimal point, e.g. 1250.00"
                    ),
                ));
            }
        }
        let normalised = trimmed.replace(',', ".");
        let ok = !normalised.is_empty()
            && normalised.chars().all(|c| c.is_ascii_digit() || c == '.')
            && normalised.matches('.').count() <= 1;
        let value = ok.then(|| normalised.parse::<f64>().ok()).flatten();
        match value {
            Some(v) => Self::from_f64(v, field),
            None => Err(Invalid::field(
                "invalid_value",
                field,
                format!("{raw:?} is not a decimal number such as 49.90"),
            )),
        }
    }

    /// Accepts a JSON number or a numeric string.
    pub fn from_json(value: &serde_json::Value, field: &str) -> Result<Self, Invalid> {
        match value {
            serde_json::Value::Number(n) => match n.as_f64() {
                Some(v) => Self::from_f64(v, field),
                None => Err(Invalid::field("invalid_value", field, "is not a number")),
            },
            serde_json::Value::String(s) => Self::parse(s, field),
            _ => Err(Invalid::field("invalid_value", field, "must be a number")),
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// Whether two amounts are the same money: equal to the ten-thousandth, finer than any
    /// currency's minor unit (at most four decimals in ISO 4217), so 49.9 and 49.90 sent as
    /// different binary fractions are the same while 49.90 and 49.91 are not.
    pub fn same_as(self, other: Amount) -> bool {
        (self.0 * 10_000.0).round() == (other.0 * 10_000.0).round()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_before_exactly_three_digits_is_ambiguous_and_refused_naming_the_field() {
        for raw in ["1,250", " 1,250 ", "0,125", "12,000"] {
            let err = Amount::parse(raw, "value").unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                ("ambiguous_value", Some("value")),
                "{raw:?}"
            );
        }
        for grouped in ["1,234.56", "1.234,56", "1,234,567"] {
            assert!(Amount::parse(grouped, "value").is_err(), "{grouped:?}");
        }
    }

    #[test]
    fn the_same_money_is_equal_to_the_ten_thousandth() {
        let amount = |v: f64| Amount::from_f64(v, "value").unwrap();
        assert!(amount(0.1 + 0.2).same_as(amount(0.3)));
        assert!(amount(49.9).same_as(Amount::parse("49,90", "value").unwrap()));
        assert!(!amount(49.90).same_as(amount(49.91)));
        assert!(!amount(100.0).same_as(amount(9999.0)));
        assert!(!amount(1.0).same_as(amount(500.0)));
    }

    #[test]
    fn the_currency_list_is_sorted_so_binary_search_works() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn currency_accepts_iso_codes_in_any_case() {
        assert_eq!(Currency::parse("eur").unwrap().as_str(), "EUR");
        assert_eq!(Currency::parse(" USD ").unwrap().as_str(), "USD");
    }

    #[test]
    fn currency_refuses_unknown_and_malformed_codes() {
        for bad in ["", "EU", "EURO", "XYZ", "€", "usd;", "U\u{0}D"] {
            let err = Currency::parse(bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("currency"), "{bad:?}");
        }
    }

    #[test]
    fn amounts_must_be_finite_and_not_negative() {
        assert_eq!(Amount::parse("49.90", "value").unwrap().get(), 49.9);
        assert_eq!(Amount::parse("49,90", "value").unwrap().get(), 49.9);
        assert_eq!(Amount::parse("12,50", "value").unwrap().get(), 12.5);
        assert_eq!(Amount::parse("0,1234", "value").unwrap().get(), 0.1234);
        assert_eq!(Amount::parse("1250.000", "value").unwrap().get(), 1250.0);
        assert_eq!(Amount::from_f64(0.0, "value").unwrap().get(), 0.0);
        for bad in ["-1", "NaN", "inf", "1e400", "1.2.3", "", "12abc", "1e3"] {
            assert!(Amount::parse(bad, "value").is_err(), "{bad:?}");
        }
        assert!(Amount::from_f64(f64::NAN, "value").is_err());
        assert!(Amount::from_f64(-0.5, "value").is_err());
        assert!(Amount::from_json(&serde_json::json!(true), "value").is_err());
        assert_eq!(
            Amount::from_json(&serde_json::json!("10"), "value")
                .unwrap()
                .get(),
            10.0
        );
    }
}
