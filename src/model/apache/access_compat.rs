//! mod_access_compat: `Order`, `Allow` and `Deny` (the 2.2-style host rules).

use super::ApacheModel;
use super::config::DirectiveRef;
use super::merge::MergedConfig;

impl MergedConfig {
    /// mod_access_compat's host check for a client no Allow/Deny names specifically.
    pub fn hosts_allow_everyone(&self, m: &ApacheModel) -> bool {
        let matches_all = |r: &DirectiveRef| {
            let d = &m.dir(*r).dir;
            d.args
                .iter()
                .skip(1)
                .any(|a| a.value.eq_ignore_ascii_case("all"))
        };
        let allow = self.allows.iter().any(matches_all);
        let deny = self.denies.iter().any(matches_all);
        // `Order` as mod_access_compat reads it: case and spaces do not matter.
        let deny_first = self.value(m, self.order).is_none_or(|o| {
            o.bytes()
                .filter(|&b| b != b' ')
                .map(|b| b.to_ascii_lowercase())
                .eq(b"deny,allow".iter().copied())
        });
        if deny_first {
            !deny || allow
        } else {
            allow && !deny
        }
    }
}
