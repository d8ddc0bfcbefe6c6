//! Showing a hash in output without giving it away.

/// Show a secret (a hash) without giving it away: a scheme prefix and a few characters.
pub fn redact_hash(hash: &str) -> String {
    let keep = if hash.starts_with('$') {
        // `$2y$10$abcd…`: keep the id and params plus 4 characters.
        let mut dollars = 0;
        let mut cut = hash.len();
        for (i, c) in hash.char_indices() {
            if c == '$' {
                dollars += 1;
                if dollars == 3 || (dollars == 4 && hash[..i].contains("rounds=")) {
                    cut = i + 1;
                }
            }
        }
        if cut == hash.len() { 4 } else { cut + 4 }
    } else if let Some(end) = hash.find('}') {
        end + 1 + 4
    } else {
        4
    };
    let cut = hash
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(hash.len()))
        .find(|i| *i >= keep.min(hash.len()))
        .unwrap_or(hash.len());
    if cut >= hash.len() && hash.chars().count() <= 4 {
        // Too short to show any of it safely.
        return "…".to_string();
    }
    format!("{}…", &hash[..cut.min(hash.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_a_prefix() {
        assert_eq!(
            redact_hash("$2y$10$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMN"),
            "$2y$10$abcd…"
        );
        assert_eq!(
            redact_hash("{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M="),
            "{SHA}qUqP…"
        );
        assert_eq!(redact_hash("abcdefghijklm"), "abcd…");
        assert_eq!(redact_hash("$apr1$salt$hashhashhash"), "$apr1$salt$hash…");
        assert_eq!(redact_hash("ab"), "…");
    }
}
