//! What httpd answers an anonymous request at a place: open, a login prompt, 403 or 500
//! (`ap_process_request_internal`: access_compat first, then authz, then AuthType).

use super::ApacheModel;
use super::authz::{AuthzResult, apply, limited};
use super::merge::MergedConfig;

/// Why a place is open to everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenWhy {
    /// No `Require` at all and no AuthType.
    NoAuthz,
    /// A `Require` grants everyone (e.g. `Require all granted`).
    Granted,
    /// The `Require` lines are limited to other methods (`<Limit>`).
    NotLimited,
    /// `Satisfy Any` and the host rules let everyone in.
    SatisfyAny,
}

/// What httpd answers an anonymous request from an arbitrary remote client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Open(OpenWhy),
    /// 401 with a challenge: credentials are checked.
    Challenge,
    Forbidden,
    Error500(String),
}

impl Outcome {
    pub fn is_open(&self) -> bool {
        matches!(self, Outcome::Open(_))
    }
}

impl MergedConfig {
    /// What httpd answers an anonymous request with `method`.
    pub fn outcome(&self, m: &ApacheModel, method: &str) -> Outcome {
        if let Some((_, why)) = &self.broken {
            return Outcome::Error500(why.clone());
        }
        if m.has_module("access_compat_module") {
            let any = self
                .value(m, self.satisfy)
                .is_some_and(|v| v.eq_ignore_ascii_case("any"));
            let host_ok = self.hosts_allow_everyone(m);
            if any && host_ok {
                return Outcome::Open(OpenWhy::SatisfyAny);
            }
            if !any && !host_ok {
                return Outcome::Forbidden;
            }
        }
        let auth_type = self.auth_type_name(m);
        let Some(authz) = &self.authz else {
            return if auth_type.is_some() {
                Outcome::Error500(
                    "AuthType configured with no corresponding authorization directives (AH01627)"
                        .into(),
                )
            } else {
                Outcome::Open(OpenWhy::NoAuthz)
            };
        };
        if !limited(&authz.root, method) {
            return Outcome::Open(OpenWhy::NotLimited);
        }
        match apply(&authz.root, method, true) {
            AuthzResult::Granted => Outcome::Open(OpenWhy::Granted),
            AuthzResult::Denied | AuthzResult::Neutral => Outcome::Forbidden,
            AuthzResult::GeneralError => {
                Outcome::Error500("an authorization provider failed".into())
            }
            AuthzResult::DeniedNoUser => {
                let Some(written) = auth_type else {
                    return Outcome::Error500(
                        "Require needs a user but no AuthType is set (AH00027)".into(),
                    );
                };
                let known = [
                    ("basic", "auth_basic_module"),
                    ("digest", "auth_digest_module"),
                ]
                .into_iter()
                .find(|(t, _)| written.eq_ignore_ascii_case(t));
                match known {
                    Some((t, module)) if !m.has_module(module) => Outcome::Error500(format!(
                        "AuthType {t} configured without mod_auth_{t} loaded (AH01796)"
                    )),
                    Some(_) if self.auth_name.is_none() => {
                        Outcome::Error500("AuthType set without AuthName".into())
                    }
                    _ => Outcome::Challenge,
                }
            }
        }
    }
}
