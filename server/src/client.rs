//! Who is asking: the client's address behind trusted reverse proxies, whether it came
//! over HTTPS, and the operator once authenticated — kept per request for the public
//! limiter, the `Secure` cookie flag and the request log.

use std::fmt::Display;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use warp::http::HeaderMap;

/// One `--trusted-proxy` entry: an address, or a network as `ADDR/BITS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    bits: u8,
}

impl FromStr for Net {
    type Err = String;

    fn from_str(s: &str) -> Result<Net, String> {
        let bad = || format!("indirizzo di proxy non valido: {s} (es. 127.0.0.1, ::1, 10.0.0.0/8)");
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return Err(bad());
        }
        Ok(Net { addr, bits })
    }
}

impl Net {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix(u32::from(net).into(), 32, self.bits)
                    == prefix(u32::from(ip).into(), 32, self.bits)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix(net.into(), 128, self.bits) == prefix(ip.into(), 128, self.bits)
            }
            _ => false,
        }
    }
}

fn prefix(value: u128, width: u32, bits: u8) -> u128 {
    let drop = width - u32::from(bits);
    if drop >= 128 {
        0
    } else {
        value >> drop
    }
}

/// `::ffff:a.b.c.d` (a v4 client on a dual-stack socket) is the v4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose forwarding headers are believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies(Vec<Net>);

impl FromStr for Proxies {
    type Err = String;

    /// `ADDR[,ADDR…]`; an empty string trusts no one.
    fn from_str(s: &str) -> Result<Proxies, String> {
        s.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Proxies)
    }
}

impl std::fmt::Display for Proxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, n) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(f, "{sep}{}/{}", n.addr, n.bits)?;
        }
        Ok(())
    }
}

impl Proxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy, else the
    /// right-most address of the forwarding chain that is not a trusted proxy (anything
    /// left of it was written by the client and proves nothing).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in chain(headers).into_iter().rev() {
            match hop {
                Some(ip) if self.trusts(ip) => client = ip,
                Some(ip) => return ip,
                // `unknown` or an obfuscated name: nothing further left can be believed.
                None => return client,
            }
        }
        client
    }

    /// Whether the request reached the trusted proxy over HTTPS (what it says in
    /// `X-Forwarded-Proto` or the last `Forwarded` element's `proto=`).
    pub fn forwarded_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        if !self.trusts(canonical(peer)) {
            return false;
        }
        let last = |name: &str| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
                .map(str::to_string)
        };
        if let Some(element) = last("forwarded") {
            if let Some(proto) = params(&element).find(|(k, _)| k == "proto") {
                return proto.1.eq_ignore_ascii_case("https");
            }
        }
        last("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
    }
}

/// The forwarding chain, client first: `Forwarded`'s `for=` if that header is present
/// (RFC 7239), else `X-Forwarded-For`. `None` for a hop that is not an address.
fn chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .filter_map(|element| {
                params(element)
                    .find(|(k, _)| k == "for")
                    .map(|(_, v)| node(&v))
            })
            .collect();
    }
    values("x-forwarded-for").iter().map(|v| node(v)).collect()
}

/// `for=1.2.3.4;proto=https` → `("for", "1.2.3.4")`, `("proto", "https")`.
fn params(element: &str) -> impl Iterator<Item = (String, String)> + '_ {
    element.split(';').filter_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        Some((
            k.trim().to_ascii_lowercase(),
            v.trim().trim_matches('"').to_string(),
        ))
    })
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`,
/// `[2001:db8::1]:443`.
fn node(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest
            .split(']')
            .next()?
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| canonical(IpAddr::V6(ip)));
    }
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    v.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// The limiter's key for a client: the address, or for IPv6 its /64 (one home or
/// phone holds a whole /64, so keying on single addresses would be no limit at all).
pub fn limit_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        v4 => v4.to_string(),
    }
}

/// What one request's handlers may ask about the request itself.
#[derive(Debug)]
pub struct Context {
    pub client: IpAddr,
    /// The browser reached us over HTTPS (directly configured or through the proxy).
    pub https: bool,
    operator: Mutex<Option<String>>,
}

impl Context {
    pub fn new(client: IpAddr, https: bool) -> Context {
        Context {
            client,
            https,
            operator: Mutex::new(None),
        }
    }

    pub fn operator(&self) -> Option<String> {
        self.operator
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

tokio::task_local! {
    static CONTEXT: Arc<Context>;
}

/// Runs one request's future with its context readable by [`current`].
pub async fn scope<F: Future>(context: Arc<Context>, f: F) -> F::Output {
    CONTEXT.scope(context, f).await
}

/// The running request's context; `None` outside a request (CLI, tests, blocking
/// threads).
pub fn current() -> Option<Arc<Context>> {
    CONTEXT.try_with(Arc::clone).ok()
}

/// Records which operator the running request authenticated as, for its log line (an
/// id only: never a name or a token).
pub fn note_operator(id: impl Display) {
    if let Some(c) = current() {
        *c.operator.lock().unwrap_or_else(|p| p.into_inner()) = Some(id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warp::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let proxies: Proxies = "10.0.0.1".parse().unwrap();
        let spoof = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("forwarded", "for=2.2.2.2;proto=https"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            proxies.client(ip("198.51.100.7"), &spoof),
            ip("198.51.100.7")
        );
        assert!(!proxies.forwarded_https(ip("198.51.100.7"), &spoof));
        assert_eq!(
            Proxies::default().client(ip("127.0.0.1"), &spoof),
            ip("127.0.0.1"),
            "no proxy configured: headers ignored"
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() {
        let proxies: Proxies = "127.0.0.1,10.0.0.0/8".parse().unwrap();
        // The client prepended a lie; the proxies appended what they saw.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.2.3")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        // Two header lines count as one list.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        // An address that is not one stops the walk at the last trusted hop.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, garbage")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn forwarded_syntax_with_quotes_ports_and_ipv6() {
        let proxies: Proxies = "::1".parse().unwrap();
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http, For=\"[2001:db8:cafe::17]:4711\";proto=https",
        )]);
        assert_eq!(proxies.client(ip("::1"), &h), ip("2001:db8:cafe::17"));
        assert!(proxies.forwarded_https(ip("::1"), &h));
        let h = headers(&[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(proxies.client(ip("::1"), &h), ip("192.0.2.60"));
        // Forwarded wins over X-Forwarded-For when both are present.
        let h = headers(&[
            ("forwarded", "for=192.0.2.61"),
            ("x-forwarded-for", "192.0.2.62"),
        ]);
        assert_eq!(proxies.client(ip("::1"), &h), ip("192.0.2.61"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(proxies.client(ip("::1"), &h), ip("::1"));
    }

    #[test]
    fn https_is_believed_only_from_the_proxy() {
        let proxies: Proxies = "127.0.0.1".parse().unwrap();
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert!(proxies.forwarded_https(ip("127.0.0.1"), &h));
        assert!(
            proxies.forwarded_https(ip("::ffff:127.0.0.1"), &h),
            "v4-mapped"
        );
        assert!(!proxies.forwarded_https(ip("127.0.0.2"), &h));
        let h = headers(&[("x-forwarded-proto", "http")]);
        assert!(!proxies.forwarded_https(ip("127.0.0.1"), &h));
    }

    #[test]
    fn proxy_lists_parse_and_refuse_clearly() {
        let p: Proxies = " 10.0.0.0/8 , fd00::/8".parse().unwrap();
        assert!(p.trusts(ip("10.200.0.1")) && !p.trusts(ip("11.0.0.1")));
        assert!(p.trusts(ip("fd12::1")) && !p.trusts(ip("fe80::1")));
        assert_eq!("".parse::<Proxies>().unwrap(), Proxies::default());
        assert!("10.0.0.0/33"
            .parse::<Proxies>()
            .unwrap_err()
            .contains("proxy"));
        assert!("proxy.local".parse::<Proxies>().is_err());
        let all: Proxies = "0.0.0.0/0".parse().unwrap();
        assert!(all.trusts(ip("8.8.8.8")));
    }

    #[test]
    fn ipv6_clients_share_a_key_per_64() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }

    #[tokio::test]
    async fn the_context_is_visible_inside_its_request_only() {
        assert!(current().is_none());
        let ctx = Arc::new(Context::new(ip("192.0.2.1"), true));
        let seen = scope(ctx.clone(), async {
            note_operator("a000000000000001");
            current().map(|c| (c.client, c.https))
        })
        .await;
        assert_eq!(seen, Some((ip("192.0.2.1"), true)));
        assert_eq!(ctx.operator().as_deref(), Some("a000000000000001"));
    }
}
