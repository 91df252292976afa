"""Which URLs a webhook may call: https to the public internet, nothing inside our network.

A URL is checked when it is registered and again at each delivery (a name can
resolve elsewhere later). At delivery the connection goes to the address that was
checked, not to a second lookup's answer, so DNS rebinding cannot slip in between.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from app.errors import InvalidInput

LOOPBACK_NAMES = ("localhost", "localhost.localdomain")
MAX_URL_LENGTH = 2000


class UnsafeAddress(Exception):
    """The URL's host is (or has become) one the server must not call."""


def private_urls_allowed() -> bool:
    setting = current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"]
    if setting is None:
        return current_app.debug or current_app.testing
    return bool(setting)


# The URLs the service takes, written out so that a client (and schemathesis) knows
# beforehand: https, a host name or IPv4 address, maybe a port, a path and a query of
# visible ASCII, no #fragment and no user:password@; or plain http to this machine,
# which only a server in development takes. Whether the host is on the internet is
# the server's to check (400 when it is not).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LOOPBACK = rf"(?:localhost|127(?:\.{_OCTET}){{3}}|\[::1\])"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
URL_PATTERN = (
    rf"^(?:https://{_LABEL}(?:\.{_LABEL})*|http://{_LOOPBACK})"
    rf'(?::{_PORT})?(?:[/?][!-"$-~]*)?$'
)


def check_url(url: str) -> str:
    """The URL as it will be stored, or InvalidInput saying what is wrong with it."""
    url = url.strip()
    if problem := url_form_problem(url):
        raise InvalidInput(problem)
    if not private_urls_allowed():
        parts = urlsplit(url)
        try:
            public_address(parts.hostname, parts.port or 443)
        except UnsafeAddress as problem:
            raise InvalidInput(str(problem)) from None
    if problem := url_pattern_problem(url):
        raise InvalidInput(problem)
    return url


def url_form_problem(url: str) -> str | None:
    """What is wrong with how the URL is written, or None; where it leads is not looked up.

    The page's form and the API's body say the same through this.
    """
    if not url:
        return _("Ange webhookens adress.")
    if len(url) > MAX_URL_LENGTH:
        return _("Adressen får vara högst %(n)s tecken.", n=MAX_URL_LENGTH)
    if any(c.isspace() or not c.isprintable() for c in url):
        return _("Adressen får inte innehålla mellanslag eller styrtecken.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (read for its check: a port that is no number raises)
    except ValueError:
        return _("Det är ingen giltig adress.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Adressen ska börja med https:// och ett värdnamn.")
    if parts.username is not None or parts.password is not None:
        return _("Adressen får inte innehålla användarnamn eller lösenord.")
    if parts.fragment:
        return _("Adressen får inte sluta med ett #-fragment.")
    if parts.scheme == "http" and not (
        private_urls_allowed() and _is_loopback_name(parts.hostname)
    ):
        return _("Adressen måste börja med https://.")
    return None


def url_pattern_problem(url: str) -> str | None:
    """Said when the URL is not of the form the API's document promises its clients
    (URL_PATTERN, in openapi.json): the page takes no URL the API would refuse."""
    if re.match(URL_PATTERN, url):
        return None
    return _(
        "Adressen ska ha ett värdnamn (eller en IPv4-adress), kanske en port 1–65535, "
        "och en sökväg av tecknen a–z, 0–9 och vanliga skiljetecken (å, ä, ö kodade "
        "som i webbläsarens adressfält)."
    )


def public_address(host: str, port: int) -> str:
    """An address of `host` that is on the public internet, to connect to; or UnsafeAddress.

    Every address the name has must be public: one that is not could be picked by the
    next lookup.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeAddress(_("Adressens värdnamn %(host)s finns inte.", host=host)) from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not _is_public(address):
            raise UnsafeAddress(
                _(
                    "Adressen pekar in i ett privat eller lokalt nät (%(address)s). "
                    "Webhookar skickas bara till adresser på internet.",
                    address=address,
                )
            )
    return addresses[0]


def connect_address(host: str, port: int) -> str:
    """Where a delivery connects: any address when private ones are allowed, else a public one."""
    if private_urls_allowed():
        return host
    return public_address(host, port)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _is_loopback_name(host: str) -> bool:
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
