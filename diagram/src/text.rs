//! Escaping text for SVG/HTML.

/// Escapes text for an XML attribute value or text node.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// ` name="value"` for each pair, names kept to attribute-name characters
/// and values escaped.
pub(crate) fn attributes(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
            .collect();
        if name.is_empty() {
            continue;
        }
        out.push(' ');
        out.push_str(&name);
        out.push_str("=\"");
        out.push_str(&escape(value));
        out.push('"');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn attribute_names_cannot_break_out() {
        let pairs = vec![
            (
                "data-x\" onload=\"x".to_string(),
                "1\"><script>".to_string(),
            ),
            ("\"".to_string(), "dropped".to_string()),
        ];
        assert_eq!(
            attributes(&pairs),
            " data-xonloadx=\"1&quot;&gt;&lt;script&gt;\""
        );
    }
}
