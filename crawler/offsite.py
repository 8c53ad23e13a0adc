"""What a portal's crawler may fetch: only http(s), only the portal's own hosts, and never an
address inside our own network.

Policy (README, "Security"):
- A link that is not http(s) (`javascript:`, `mailto:`, `tel:`, `file:`, `ftp:` …) is never
  requested; page-script links are skipped silently, the others are refused and counted.
- A portal's hosts are those of its start URLs and its registry entry's `hosts`. A request may
  go to one of them, to another host of their registered domain (www.x.gov.cn → zwgk.x.gov.cn),
  or to the host that the portal's own redirect or attachment link leads to (a file host or CDN).
- Whatever the host, the address it resolves to — and the address a response actually came
  from, redirects included — must be public: loopback, private, link-local, multicast, reserved
  and unspecified addresses are refused. The one exception is a portal that is itself on such an
  address (the simulator, tests): exactly its own host:port pairs (start URLs and `hosts`), and
  nothing else on that network.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

log = logging.getLogger(__name__)

WEB_SCHEMES = ("http", "https")
# Links that run script or call an app: part of every page, never a document. Skipped silently.
SILENT_SCHEMES = ("javascript", "mailto", "tel", "sms", "data", "about", "vbscript", "#")


class Refused(IgnoreRequest):
    """A link outside what this portal's crawler may fetch."""


def scheme_of(url: str) -> str:
    """The scheme of a link as a browser reads it: spaces, tabs and line breaks inside it ignored
    (`java\nscript:`), any case; "" for a relative link."""
    url = "".join(url.split())
    if url.startswith("#"):
        return "#"
    head, sep, _ = url.partition(":")
    return head.lower() if sep and head.replace("+", "").replace("-", "").replace(".", "").isalnum() else ""


def is_silent(href: str) -> bool:
    """A link that is page machinery (`javascript:void(0)`, `mailto:`, `tel:`, `#top`)."""
    return scheme_of(href) in SILENT_SCHEMES


def public_address(ip: str) -> bool:
    """An address on the public Internet: not loopback, private, link-local, shared, reserved,
    unspecified or multicast (IPv4-mapped IPv6 judged as the IPv4 it maps)."""
    a = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    return a.is_global and not a.is_multicast


def host_port(url: str) -> tuple[str, int]:
    p = urlsplit(url)
    host = (p.hostname or "").lower().rstrip(".")
    try:
        port = p.port or (443 if p.scheme == "https" else 80)
    except ValueError:
        port = -1
    return host, port


def registered_domain(host: str) -> str:
    try:
        ipaddress.ip_address(host)
        return host  # an address is its own domain
    except ValueError:
        pass
    ext = _extract()(host)
    return ext.top_domain_under_public_suffix if hasattr(ext, "top_domain_under_public_suffix") else ext.registered_domain or host


_extractor = None


def _extract():
    # Bundled public suffix snapshot only: fetching the list would contact a site nobody asked for.
    global _extractor
    if _extractor is None:
        import tldextract

        _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return _extractor


class Policy:
    """The hosts one portal's crawler may fetch from."""

    def __init__(self, start_urls, extra_hosts=()):
        urls = list(start_urls or []) + [h if "://" in h else f"http://{h}" for h in (extra_hosts or [])]
        self.pairs = {host_port(u) for u in urls}
        self.hosts = {h for h, _ in self.pairs}
        self.domains = {registered_domain(h) for h in self.hosts if h}

    def own_host(self, host: str, port: int) -> bool:
        return (host, port) in self.pairs

    def local_portal(self, host: str, port: int) -> bool:
        """One of the portal's own host:port pairs, given as an inner address (127.0.0.1:8800,
        localhost): a portal that is itself local. A name that merely resolves to an inner
        address (rebinding) is not."""
        if (host, port) not in self.pairs:
            return False
        if host == "localhost":
            return True
        try:
            return not public_address(host)
        except ValueError:
            return False

    def in_domain(self, host: str) -> bool:
        return host in self.hosts or registered_domain(host) in self.domains


def refusal(policy: Policy, url: str, addresses: list[str], led_by_portal: bool) -> str | None:
    """Why `url` (resolving to `addresses`) may not be fetched, or None when it may."""
    scheme = scheme_of(url)
    if scheme not in WEB_SCHEMES:
        return f"not an http(s) link ({scheme or 'no'} scheme)"
    host, port = host_port(url)
    if not host or port < 0:
        return "no host in the link"
    if policy.local_portal(host, port):
        return None  # the portal itself, on an inner address (the simulator is on 127.0.0.1)
    inner = [a for a in addresses if not public_address(a)]
    if inner:
        if inner == [host]:
            return f"{host} is an address inside our own network"
        return f"{host} resolves to {inner[0]}, an address inside our own network"
    if policy.own_host(host, port) or policy.in_domain(host) or led_by_portal:
        return None
    return f"off-site: {host} is not one of the portal's hosts or their registered domain"


class OffsiteMiddleware:
    """Refuses, before it is sent and again when it is answered, any request outside the portal's
    policy. Each refusal is one log line and a count for the portal's status."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._dns: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def policy(self, spider) -> Policy:
        pol = getattr(spider, "_xxgk_policy", None)
        if pol is None:
            portal = getattr(spider, "portal", None) or {}
            pol = Policy(getattr(spider, "start_urls", []), portal.get("hosts") or [])
            spider._xxgk_policy = pol
        return pol

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self._dns:
            try:
                ipaddress.ip_address(host)
                self._dns[host] = [host]
            except ValueError:
                try:
                    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
                    self._dns[host] = sorted({i[4][0] for i in infos})
                except OSError:
                    self._dns[host] = []  # the download fails with its own DNS error
        return self._dns[host]

    @staticmethod
    def led_by_portal(request) -> bool:
        """A redirect of an allowed request, or an attachment linked from the portal's page."""
        return bool(request.meta.get("redirect_urls") or request.meta.get("xxgk_attachment"))

    def refuse(self, spider, url: str, reason: str):
        log.warning("%s: refused: %s", url, reason)
        outcome = getattr(spider, "outcome", None)
        if outcome is not None and hasattr(outcome, "refused"):
            outcome.refused.append((url, reason))
        self.crawler.stats.inc_value("xxgk/refused")
        raise Refused(f"refused: {reason}")

    async def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        scheme = scheme_of(request.url)
        if scheme not in WEB_SCHEMES:
            self.refuse(spider, request.url, f"not an http(s) link ({scheme or 'no'} scheme)")
        host, port = host_port(request.url)
        addresses = await self.resolve(host, port)
        why = refusal(self.policy(spider), request.url, addresses, self.led_by_portal(request))
        if why:
            self.refuse(spider, request.url, why)
        return None

    def process_response(self, request, response, spider=None):
        # The address the answer came from, whatever DNS said a moment before (rebinding).
        ip = getattr(response, "ip_address", None)
        if ip is not None:
            spider = spider or self.crawler.spider
            host, port = host_port(response.url)
            if not self.policy(spider).local_portal(host, port) and not public_address(str(ip)):
                self.refuse(spider, response.url, f"answered from {ip}, an address inside our own network")
        return response
