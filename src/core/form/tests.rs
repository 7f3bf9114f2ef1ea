//! The strict decoder: refusals of bytes that are not UTF-8 and of a parameter given twice.

use super::*;

#[test]
fn percent_encoded_bytes_that_are_not_utf8_are_refused_naming_the_parameter() {
    for raw in [
        "eventId=u8q-%FF%FE",
        "eventId=u8q-%FE%FF",
        "a=1&eventId=%C3",
    ] {
        let refusal = parse_pairs(raw).unwrap_err();
        assert_eq!(refusal.code, INVALID_ENCODING, "{raw}");
        assert_eq!(refusal.field.as_deref(), Some("eventId"), "{raw}");
    }
    let refusal = single("eventId=u8q-%FF%FE", "eventId").unwrap_err();
    assert_eq!(refusal.code, INVALID_ENCODING);
    assert_eq!(refusal.field.as_deref(), Some("eventId"));
}

#[test]
fn a_name_that_is_not_utf8_is_refused_as_sent() {
    let refusal = parse_pairs("ev%FFt=1").unwrap_err();
    assert_eq!(refusal.code, INVALID_ENCODING);
    assert_eq!(refusal.field.as_deref(), Some("ev%FFt"));
}

#[test]
fn valid_utf8_decodes_with_plus_as_space_and_the_replacement_character_stays_itself() {
    let pairs =
        parse_pairs("eventId=u8q-%EF%BF%BD&name=Ada+Lovelace&e=%C3%A9&flag&&x=a%2Bb").unwrap();
    assert_eq!(
        pairs,
        [
            ("eventId", "u8q-\u{FFFD}"),
            ("name", "Ada Lovelace"),
            ("e", "é"),
            ("flag", ""),
            ("x", "a+b"),
        ]
        .map(|(n, v)| (n.to_string(), v.to_string()))
    );
    assert_eq!(decode("a+b", false).as_deref(), Some("a+b"));
    assert_eq!(decode("a+b", true).as_deref(), Some("a b"));
    assert_eq!(decode("%FF", false), None);
}

#[test]
fn single_reads_one_parameter_refuses_a_repeat_and_leaves_the_others_undecoded() {
    assert_eq!(
        single("id=c1&gclid=%FF", "id").unwrap().as_deref(),
        Some("c1")
    );
    assert_eq!(single("gclid=x", "id").unwrap(), None);
    assert_eq!(single("i%64=c1", "id").unwrap().as_deref(), Some("c1"));
    let twice = single("id=c1&id=c2", "id").unwrap_err();
    assert_eq!(twice.code, DUPLICATE_PARAMETER);
    assert_eq!(twice.field.as_deref(), Some("id"));
    let twice = single("id=c1&i%64=c1", "id").unwrap_err();
    assert_eq!(
        twice.code, DUPLICATE_PARAMETER,
        "the same value twice is still twice"
    );
}

#[test]
fn each_pair_decodes_the_others_when_one_pair_is_refused() {
    let pairs: Vec<_> = each_pair("k=key&eventId=%FF&track=Purchase").collect();
    assert_eq!(pairs.len(), 3);
    assert_eq!(pairs[0], Ok(("k".to_string(), "key".to_string())));
    assert_eq!(
        pairs[1].as_ref().unwrap_err().field.as_deref(),
        Some("eventId")
    );
    assert_eq!(pairs[2], Ok(("track".to_string(), "Purchase".to_string())));
}
