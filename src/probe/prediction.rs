//! What the configuration predicts for one probe request (`--config`): the status the
//! request evaluator answers, the line that decides it, and a hop that drops the
//! credentials on the way, if any.

use crate::source::Span;

/// The configuration's answer to one exchange's request.
#[derive(Clone, Debug, Default)]
pub struct Prediction {
    /// A configured server listens where the request went.
    pub listens: bool,
    /// The predicted status; None when the configuration cannot tell (a backend decides,
    /// no configured server listens there).
    pub status: Option<u16>,
    /// The answer in a few words (`401 from <Location /admin>`), for messages.
    pub summary: String,
    /// The line that decided the status.
    pub decided_by: Option<Span>,
    /// A line in front of the server that asks that removes or blanks the credentials
    /// (`proxy_set_header Authorization "";`), when the request carried some.
    pub credentials_dropped_at: Option<Span>,
    /// The line that sets up the login for this URL (`auth_basic`, `AuthType`), if any.
    pub login_at: Option<Span>,
    /// Causes of a rejected password the configuration confirms (user absent, hash
    /// malformed…), each with its line.
    pub rejection_causes: Vec<(String, Option<Span>)>,
}
