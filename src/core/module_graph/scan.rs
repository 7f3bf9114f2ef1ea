//! Reading one source file for the module graph: code without comments, string contents or
//! `#[cfg(test)]` items; the `mod` declarations; and every path the code names (`use` trees
//! expanded, plus `crate::`, `super::` and `self::` paths written inline).

/// One source file, reduced to what the module graph needs.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Child modules declared under `#[cfg(test)]`: test code, left out of the graph.
    pub test_children: Vec<String>,
    /// `use` paths: (segments, the name the import binds, or `None` for a glob).
    pub uses: Vec<(Vec<String>, Option<String>)>,
    /// Paths written inline in the code (`crate::core::clicks::MAX_QUERY_PAIRS`).
    pub inline: Vec<Vec<String>>,
}

/// Code with comments removed and string and char literal contents blanked, so neither a doc
/// link nor a URL in a string reads as a path.
pub fn strip_comments_and_strings(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('#') | Some('"')) && !ident_before(&chars, i) {
            i = skip_raw_string(&chars, i, &mut out);
        } else if c == '"' {
            i = skip_string(&chars, i, &mut out);
        } else if c == '\'' {
            i = skip_char_literal(&chars, i, &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

fn skip_string(chars: &[char], start: usize, out: &mut String) -> usize {
    out.push('"');
    let mut i = start + 1;
    while i < chars.len() && chars[i] != '"' {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    out.push('"');
    i + 1
}

fn skip_raw_string(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start + 1;
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    if chars.get(i) != Some(&'"') {
        out.push('r');
        return start + 1;
    }
    i += 1;
    let closing: String = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    while i < chars.len() {
        let rest: String = chars[i..(i + closing.len()).min(chars.len())]
            .iter()
            .collect();
        if rest == closing {
            out.push_str("\"\"");
            return i + closing.len();
        }
        i += 1;
    }
    i
}

/// A char literal (`'a'`, `'\n'`, `'"'`) is blanked; a lifetime (`'a`) is kept.
fn skip_char_literal(chars: &[char], start: usize, out: &mut String) -> usize {
    let is_escape = chars.get(start + 1) == Some(&'\\');
    let closes_after_one = chars.get(start + 2) == Some(&'\'');
    if !is_escape && !closes_after_one {
        out.push('\'');
        return start + 1;
    }
    let mut i = start + 1;
    while i < chars.len() && chars[i] != '\'' {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    out.push_str("' '");
    i + 1
}

/// The index just after the item that starts at `from`: through its `;`, or through the brace
/// that closes its first `{`, whichever comes first.
fn item_end(code: &str, from: usize) -> usize {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    for (offset, b) in bytes[from..].iter().enumerate() {
        match b {
            b';' if depth == 0 => return from + offset + 1,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return from + offset + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Remove every `#[cfg(test)]` item, noting the names of test modules declared with `mod x;`.
fn strip_test_items(code: &str, test_children: &mut Vec<String>) -> String {
    const ATTRIBUTE: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(ATTRIBUTE) {
        out.push_str(&rest[..at]);
        let item = &rest[at + ATTRIBUTE.len()..];
        let end = item_end(item, 0);
        let words: Vec<&str> = item[..end]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ';'))
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(pos) = words.iter().position(|w| *w == "mod") {
            if let Some(name) = words.get(pos + 1) {
                test_children.push(name.trim_end_matches(';').to_string());
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Expand a `use` tree (the text between `use` and `;`) into full paths and bound names.
pub fn expand_use_tree(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    let compact: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    expand_into(&compact, &[], &mut out);
    out
}

fn expand_into(tree: &str, prefix: &[String], out: &mut Vec<(Vec<String>, Option<String>)>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = segments(&tree[..open]);
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let base: Vec<String> = prefix.iter().cloned().chain(head).collect();
        for part in split_top_level(inner) {
            expand_into(part, &base, out);
        }
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((path, alias)) => (path, Some(alias.trim().to_string())),
        None => (tree, None),
    };
    let mut full: Vec<String> = prefix.to_vec();
    full.extend(segments(path));
    if full.last().is_some_and(|s| s == "self") {
        full.pop();
    }
    if path.trim_end().ends_with('*') {
        out.push((full, None));
    } else if let Some(last) = full.last().cloned() {
        out.push((full, Some(alias.unwrap_or(last))));
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(|s| s.trim().trim_start_matches("::").to_string())
        .filter(|s| !s.is_empty() && s.chars().all(is_ident_char))
        .collect()
}

fn split_top_level(inner: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Scan one file's source.
pub fn scan(src: &str) -> Scanned {
    let mut scanned = Scanned::default();
    let code = strip_test_items(&strip_comments_and_strings(src), &mut scanned.test_children);
    let mut rest_code = String::with_capacity(code.len());
    let mut rest = code.as_str();
    while let Some(at) = find_use(rest) {
        rest_code.push_str(&rest[..at]);
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e);
        scanned.uses.extend(expand_use_tree(&rest[at + 4..end]));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    rest_code.push_str(rest);
    scanned.inline = inline_paths(&rest_code);
    scanned
}

/// The next `use` keyword that starts an item (after `pub`, `pub(crate)` or at a line start).
fn find_use(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = code[from..].find("use ").map(|i| from + i) {
        let before = code[..at].trim_end();
        let starts_item = before.is_empty()
            || before.ends_with(';')
            || before.ends_with('{')
            || before.ends_with('}')
            || before.ends_with(']')
            || before.ends_with("pub")
            || before.ends_with(')');
        if starts_item && !code[..at].ends_with(|c: char| is_ident_char(c)) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// Paths that start with `crate`, `super` or `self` written in the code itself.
fn inline_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_ident = is_ident_char(chars[i]) && (i == 0 || !is_ident_char(chars[i - 1]));
        if !starts_ident {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && (is_ident_char(chars[end]) || chars[end] == ':') {
            end += 1;
        }
        let text: String = chars[i..end].iter().collect();
        let path = segments(&text);
        let rooted = matches!(
            path.first().map(String::as_str),
            Some("crate" | "super" | "self")
        );
        if rooted && text.contains("::") {
            paths.push(path);
        }
        i = end.max(i + 1);
    }
    paths
}
