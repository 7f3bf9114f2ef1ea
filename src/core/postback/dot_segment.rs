//! Dot segments in a rendered postback URL: a path segment that holds a value and is `.` or
//! `..` in any spelling, which the URL parser (WHATWG URL, "single-dot" and "double-dot path
//! segment") would resolve away, sending the request to another path.

/// Whether the value at `start..end` of a rendered URL stands in a path segment that is `.` or
/// `..` in any spelling (`%2e`, in any case), as the WHATWG URL parser reads dot segments.
pub(super) fn in_dot_segment(text: &str, start: usize, end: usize) -> bool {
    let path_end = text.find(['?', '#']).unwrap_or(text.len());
    if start >= path_end {
        return false;
    }
    let is_separator = |c: char| c == '/' || c == '\\';
    let segment_start = text[..start].rfind(is_separator).map_or(0, |i| i + 1);
    let segment_end = text[end..path_end]
        .find(is_separator)
        .map_or(path_end, |i| end + i);
    let segment = text[segment_start..segment_end].to_ascii_lowercase();
    matches!(segment.replace("%2e", ".").as_str(), "." | "..")
}
