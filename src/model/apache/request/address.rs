//! Client addresses as httpd matches them: `apr_ipsubnet_create`/`apr_ipsubnet_test`
//! (`Require ip`, `Allow from`, `-ipmatch`), `Require local`, and host names by double
//! reverse lookup (`Require host`, `Allow from name`) from the hosts file.

use crate::model::request::Files;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// An address or network as `apr_ipsubnet_create` parses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subnet {
    V4 { net: u32, mask: u32 },
    V6 { net: u128, mask: u128 },
}

/// Why a word is not an address (`apr_ipsubnet_create`'s APR_EINVAL / other errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubnetError {
    /// Looks nothing like an IP address (a host name to mod_access_compat).
    NotAnAddress,
    /// Looks like one but is not valid ("ip address '…' appears to be invalid").
    Invalid,
}

/// apr's `looks_like_ip`: a colon, or only digits and dots.
fn looks_like_ip(s: &str) -> bool {
    !s.is_empty() && (s.contains(':') || s.bytes().all(|b| b == b'.' || b.is_ascii_digit()))
}

/// `apr_ipsubnet_create(ip, mask)`; `mask` is the text after `/`, if any.
pub fn parse_subnet(ip: &str, mask: Option<&str>) -> Result<Subnet, SubnetError> {
    if !looks_like_ip(ip) {
        return Err(SubnetError::NotAnAddress);
    }
    let base = match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(a)) if a.to_ipv4_mapped().is_some() => return Err(SubnetError::Invalid),
        Ok(IpAddr::V6(a)) => Subnet::V6 {
            net: u128::from(a),
            mask: u128::MAX,
        },
        Ok(IpAddr::V4(a)) => Subnet::V4 {
            net: u32::from(a),
            mask: u32::MAX,
        },
        // The legacy network form (`10.1` is 10.1.0.0/16) only without a mask.
        Err(_) if mask.is_none() => return partial_network(ip),
        Err(_) => return Err(SubnetError::Invalid),
    };
    let Some(mask) = mask else {
        return Ok(base);
    };
    let bits = mask.parse::<u32>().ok();
    Ok(match (base, bits) {
        (Subnet::V4 { net, .. }, Some(b @ 1..=32)) => {
            let mask = u32::MAX << (32 - b);
            Subnet::V4 {
                net: net & mask,
                mask,
            }
        }
        (Subnet::V6 { net, .. }, Some(b @ 1..=128)) => {
            let mask = u128::MAX << (128 - b);
            Subnet::V6 {
                net: net & mask,
                mask,
            }
        }
        (Subnet::V4 { net, .. }, None) => match mask.parse::<Ipv4Addr>() {
            Ok(m) => Subnet::V4 {
                net: net & u32::from(m),
                mask: u32::from(m),
            },
            Err(_) => return Err(SubnetError::Invalid),
        },
        _ => return Err(SubnetError::Invalid),
    })
}

/// apr's `parse_network`: `a`, `a.b`, `a.b.c` (a trailing dot allowed).
fn partial_network(s: &str) -> Result<Subnet, SubnetError> {
    let (mut net, mut mask) = (0u32, 0u32);
    let mut shift: i32 = 24;
    for part in s.strip_suffix('.').unwrap_or(s).split('.') {
        if shift < 0 || part.is_empty() || part.len() > 3 {
            return Err(SubnetError::Invalid);
        }
        let octet: u32 = part.parse().map_err(|_| SubnetError::Invalid)?;
        if octet > 255 {
            return Err(SubnetError::Invalid);
        }
        net |= octet << shift;
        mask |= 0xff << shift;
        shift -= 8;
    }
    Ok(Subnet::V4 { net, mask })
}

impl Subnet {
    /// `apr_ipsubnet_test`: IPv4 networks also match IPv4-mapped IPv6 clients.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self, addr) {
            (Subnet::V4 { net, mask }, IpAddr::V4(a)) => u32::from(a) & mask == *net,
            (Subnet::V4 { net, mask }, IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .is_some_and(|v4| u32::from(v4) & mask == *net),
            (Subnet::V6 { net, mask }, IpAddr::V6(a)) => u128::from(a) & mask == *net,
            (Subnet::V6 { .. }, IpAddr::V4(_)) => false,
        }
    }
}

/// One `Require ip`/`Allow from` word (`a.b.c.d`, `net/bits`, `net/mask`, `10.1`).
pub fn parse_word(word: &str) -> Result<Subnet, SubnetError> {
    match word.split_once('/') {
        Some((ip, mask)) => parse_subnet(ip, Some(mask)),
        None => parse_subnet(word, None),
    }
}

/// `Require local`: the client is the server's own address, or a loopback address.
pub fn is_local(client: IpAddr, local: IpAddr) -> bool {
    same_address(client, local)
        || Subnet::V4 {
            net: 0x7f00_0000,
            mask: 0xff00_0000,
        }
        .contains(client)
        || client == IpAddr::V6(Ipv6Addr::LOCALHOST)
}

fn same_address(a: IpAddr, b: IpAddr) -> bool {
    let canon = |x: IpAddr| match x {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(x, IpAddr::V4),
        v4 => v4,
    };
    canon(a) == canon(b)
}

/// What a double-reverse lookup of the client gives, from the hosts file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientName {
    /// The name the hosts file gives the address, confirmed by its forward entry.
    Known(String),
    /// Not in the hosts file: the answer comes from DNS, which htguard does not ask.
    FromDns,
}

/// The client's name as httpd's `REMOTE_DOUBLE_REV` lookup finds it when the hosts file
/// answers (`files` before `dns` in nsswitch): the first name of the address's first line.
pub fn client_name(client: IpAddr, files: &dyn Files) -> ClientName {
    let hosts = files.read(Path::new("/etc/hosts")).unwrap_or_default();
    let text = String::from_utf8_lossy(&hosts);
    let entries: Vec<(IpAddr, Vec<&str>)> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let addr = words.next()?.parse::<IpAddr>().ok()?;
            Some((addr, words.collect()))
        })
        .collect();
    let Some(name) = entries
        .iter()
        .find(|(a, names)| same_address(*a, client) && !names.is_empty())
        .map(|(_, names)| names[0])
    else {
        return ClientName::FromDns;
    };
    // The forward lookup of that name must give the client's address back.
    let confirmed = entries.iter().any(|(a, names)| {
        same_address(*a, client) && names.iter().any(|n| n.eq_ignore_ascii_case(name))
    });
    if confirmed {
        ClientName::Known(name.to_string())
    } else {
        ClientName::FromDns
    }
}

/// mod_access_compat's / mod_authz_host's `in_domain`: `what` is `domain` or ends in
/// `.domain` (a leading dot in `domain` also matches a bare suffix).
pub fn in_domain(domain: &str, what: &str) -> bool {
    let (d, w) = (domain.len(), what.len());
    if w < d || !what.is_char_boundary(w - d) || !what[w - d..].eq_ignore_ascii_case(domain) {
        return false;
    }
    w == d || domain.starts_with('.') || what.as_bytes()[w - d - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn subnets_parse_as_apr_does() {
        let full = parse_word("127.0.0.1").unwrap();
        assert!(full.contains(ip("127.0.0.1")) && !full.contains(ip("127.0.0.2")));
        let partial = parse_word("10.1").unwrap();
        assert!(partial.contains(ip("10.1.200.3")) && !partial.contains(ip("10.2.0.1")));
        assert!(parse_word("10.1.").unwrap().contains(ip("10.1.0.9")));
        let cidr = parse_word("192.168.0.0/16").unwrap();
        assert!(cidr.contains(ip("192.168.7.7")));
        assert!(
            cidr.contains(ip("::ffff:192.168.7.7")),
            "IPv4-mapped clients"
        );
        let mask = parse_word("10.0.0.0/255.0.0.0").unwrap();
        assert!(mask.contains(ip("10.9.9.9")));
        assert!(parse_word("::1").unwrap().contains(ip("::1")));
        assert!(parse_word("fe80::/10").unwrap().contains(ip("fe80::1")));
        assert_eq!(parse_word("example.com"), Err(SubnetError::NotAnAddress));
        assert_eq!(parse_word("10.0.0.0/0"), Err(SubnetError::Invalid));
        assert_eq!(parse_word("1.2.3.4.5"), Err(SubnetError::Invalid));
        assert_eq!(parse_word("300.1"), Err(SubnetError::Invalid));
        assert_eq!(parse_word("10.1/8"), Err(SubnetError::Invalid));
    }

    #[test]
    fn local_is_loopback_or_the_server_address() {
        assert!(is_local(ip("127.0.0.2"), ip("127.0.0.1")));
        assert!(is_local(ip("::1"), ip("127.0.0.1")));
        assert!(is_local(ip("192.0.2.5"), ip("192.0.2.5")));
        assert!(!is_local(ip("192.0.2.6"), ip("192.0.2.5")));
    }

    #[test]
    fn domains_match_whole_labels() {
        assert!(in_domain("example.com", "www.example.com"));
        assert!(in_domain("example.com", "EXAMPLE.com"));
        assert!(!in_domain("example.com", "badexample.com"));
        assert!(in_domain(".com", "x.com"));
        assert!(!in_domain("www.example.com", "example.com"));
    }
}
