//! Sinks: calls and properties that turn a string into markup, code or a URL the page loads
//! (`document.write`, `innerHTML`, `eval`, `setTimeout`, `Function`, `import()`, `location`, and
//! `.src`, `.href`, `.action`, `.data` of an element). A string literal that starts a sink's
//! argument is read in that inner context; any other placeholder in a sink's argument is
//! refused, since what it becomes part of is unknown.

/// What a sink makes of its string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SinkKind {
    Markup,
    Url,
    /// Code (or CSS) run or parsed from the string: no placeholder at all.
    Code,
}

/// Calls that are sinks: (name, must be a member like `document.write`, object it must be a
/// member of, kind).
const CALLS: [(&str, bool, Option<&str>, SinkKind); 18] = [
    ("write", true, None, SinkKind::Markup),
    ("writeln", true, None, SinkKind::Markup),
    ("insertAdjacentHTML", true, None, SinkKind::Markup),
    ("createContextualFragment", true, None, SinkKind::Markup),
    ("setHTMLUnsafe", true, None, SinkKind::Markup),
    ("parseFromString", true, None, SinkKind::Markup),
    ("eval", false, None, SinkKind::Code),
    ("setTimeout", false, None, SinkKind::Code),
    ("setInterval", false, None, SinkKind::Code),
    ("setImmediate", false, None, SinkKind::Code),
    ("execScript", false, None, SinkKind::Code),
    ("Function", false, None, SinkKind::Code),
    ("import", false, None, SinkKind::Url),
    ("importScripts", false, None, SinkKind::Url),
    ("open", true, None, SinkKind::Url),
    ("assign", true, Some("location"), SinkKind::Url),
    ("replace", true, Some("location"), SinkKind::Url),
    ("setAttribute", true, None, SinkKind::Url),
];

/// Properties that are sinks when assigned: (name, kind). Assigning `location` itself, bare or
/// as a member, is one too.
const PROPERTIES: [(&str, SinkKind); 13] = [
    ("innerHTML", SinkKind::Markup),
    ("outerHTML", SinkKind::Markup),
    ("srcdoc", SinkKind::Markup),
    ("src", SinkKind::Url),
    ("href", SinkKind::Url),
    ("action", SinkKind::Url),
    ("formAction", SinkKind::Url),
    ("data", SinkKind::Url),
    ("location", SinkKind::Url),
    ("text", SinkKind::Code),
    ("textContent", SinkKind::Code),
    ("innerText", SinkKind::Code),
    ("cssText", SinkKind::Code),
];

/// The sink a call to `name` (a member of `object`, if any) is.
pub(super) fn call_sink(name: &str, object: Option<&str>, member: bool) -> Option<SinkKind> {
    CALLS
        .iter()
        .find(|(n, needs_member, of, _)| {
            *n == name && (member || !needs_member) && of.is_none_or(|o| object == Some(o))
        })
        .map(|(_, _, _, kind)| *kind)
}

/// The sink an assignment to `name` is: a member property, or bare `location`.
pub(super) fn property_sink(name: &str, member: bool) -> Option<SinkKind> {
    if !member {
        return (name == "location").then_some(SinkKind::Url);
    }
    PROPERTIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, kind)| *kind)
}

/// A sink's argument being read: a call's parentheses, or the right-hand side of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SinkScope {
    pub kind: SinkKind,
    /// How the sink reads in a message: `document.write`, `.innerHTML`...
    pub name: String,
    /// The bracket depth inside the argument.
    pub depth: usize,
    /// An assignment's right-hand side, which ends at `;` or `,` at its depth.
    pub assignment: bool,
}
