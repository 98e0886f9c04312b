"""AK/SK request signing (SDK-HMAC-SHA256), byte-equal to huaweicloudsdkcore's ``Signer``.

Used by the client (``dws.auth.AkSkAuth``) to sign requests and by the simulator to verify them,
so it works on plain strings, mappings and bytes and knows nothing about httpx or ASGI.

The canonical request is::

    METHOD \\n URI \\n QUERY \\n HEADERS \\n SIGNED_HEADERS \\n sha256hex(body)

URI: every segment of the percent-decoded path re-quoted with ``safe='~'``, always ending in
``/``. QUERY: the ``(key, value)`` pairs sorted, both quoted with ``safe='~'``, repeated keys as
repeated pairs. HEADERS: ``name:value.strip()`` per signed header. The string to sign is
``SDK-HMAC-SHA256 \\n X-Sdk-Date \\n sha256hex(canonical request)``, signed with HMAC-SHA256 and
the SK. See ../shared/dws-api/SIGNING.md.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlsplit

__all__ = [
    "ALGORITHM",
    "CONTENT_SHA256_HEADER",
    "DATE_HEADER",
    "UNSIGNED_PAYLOAD",
    "SignatureError",
    "canonical_query",
    "canonical_uri",
    "needs_unsigned_payload",
    "query_pairs",
    "sdk_date",
    "sign",
    "verify",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
_PREFIX = ALGORITHM + " "


class SignatureError(Exception):
    """A request's AK/SK signature was refused; ``reason`` is short and never holds a secret."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def sdk_date(now: datetime) -> str:
    """The ``X-Sdk-Date`` value for ``now`` (``%Y%m%dT%H%M%SZ`` in UTC; naive means UTC)."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return now.strftime(_DATE_FORMAT)


def _q(text: str) -> str:
    return quote(text, safe="~")


def canonical_query(pairs: Sequence[tuple[str, str]]) -> str:
    """The canonical query string: pairs sorted by (key, value), both quoted with ``safe='~'``."""
    if not pairs:
        return ""
    return "&".join([f"{_q(k)}={_q(v)}" for k, v in sorted(pairs)])


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs of a raw query string, as a server decodes them.

    Repeated keys give repeated pairs, ``a`` and ``a=`` both give an empty value, ``+`` is a
    space (the canonical query the signer sends always encodes a literal plus as ``%2B``).
    """
    if not query:
        return []
    return parse_qsl(query, keep_blank_values=True)


def canonical_uri(path: str) -> str:
    """The canonical URI of a (percent-encoded) request path, as the SDK computes it."""
    url_path = "/".join([_q(segment) for segment in unquote(path).split("/")])
    if not url_path.endswith("/"):
        url_path += "/"
    return url_path


def needs_unsigned_payload(content_type: str | None) -> bool:
    """True when the SDK would add ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` before signing.

    That is any Content-Type other than JSON or BSON; the header then stands in for the body hash.
    """
    if not content_type:
        return False
    return not content_type.startswith(("application/json", "application/bson"))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (the first match, as the SDK does)."""
    value = headers.get(name)
    if value is not None:
        return value
    lower = name.lower()
    for key in headers:
        if key.lower() == lower:
            return headers[key]
    return None


def _payload_hash(body: bytes, content_sha256: str | None) -> str:
    if not body:
        return _EMPTY_HASH
    if content_sha256:
        return content_sha256
    return hashlib.sha256(body).hexdigest()


def _signature(
    method: str,
    url: str,
    canonical_headers: Sequence[tuple[str, str]],
    signed: str,
    body: bytes,
    date: str,
    sk: str,
) -> str:
    """Hex HMAC-SHA256 of the string to sign; ``canonical_headers`` are (lower name, value)."""
    parts = urlsplit(url)
    content_sha256 = None
    for name, value in canonical_headers:
        if name == "x-sdk-content-sha256":
            content_sha256 = value
    canonical_request = "\n".join(
        (
            method.upper(),
            canonical_uri(parts.path or "/"),
            canonical_query(query_pairs(parts.query)),
            "".join([f"{name}:{value}\n" for name, value in canonical_headers]),
            signed,
            _payload_hash(body, content_sha256),
        )
    )
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{date}\n{digest}"
    return hmac.new(sk.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def sign(method: str, url: str, headers: Mapping[str, str], body: bytes, ak: str, sk: str) -> str:
    """The ``Authorization`` value for a request, equal to what huaweicloudsdkcore computes.

    ``url`` is the full URL (``scheme://host[:port]/path?query``) with the path as sent on the
    wire; ``headers`` must already hold ``X-Sdk-Date``, ``Host`` and everything else to sign:
    every header whose name has no ``_`` is signed, as the SDK does.
    """
    date = _header(headers, DATE_HEADER)
    if not date:
        raise ValueError("the X-Sdk-Date header is required to sign a request")
    names: list[str] = []
    values: dict[str, str] = {}
    for key, value in headers.items():
        lower = key.lower()
        values[lower] = str(value).strip()
        if "_" not in key:
            names.append(lower)
    names.sort()
    signed = ";".join(names)
    signature = _signature(
        method, url, [(name, values[name]) for name in names], signed, body, date.strip(), sk
    )
    return f"{ALGORITHM} Access={ak}, SignedHeaders={signed}, Signature={signature}"


def _parse_authorization(value: str) -> tuple[str, list[str], str]:
    """(access key, signed header names, signature) of an ``Authorization`` value."""
    if not value.startswith(_PREFIX):
        raise SignatureError("unsupported signing algorithm")
    fields: dict[str, str] = {}
    for part in value[len(_PREFIX) :].split(","):
        name, sep, field = part.strip().partition("=")
        if sep:
            fields[name] = field
    ak, signed, signature = (fields.get(k) for k in ("Access", "SignedHeaders", "Signature"))
    if not ak or not signed or not signature:
        raise SignatureError("malformed Authorization")
    return ak, signed.split(";"), signature


def _check_date(value: str | None, now: datetime, max_skew: timedelta) -> None:
    if not value:
        raise SignatureError("missing X-Sdk-Date")
    # Hand-parsed: strptime would be most of the cost of a verification.
    digits = value[0:8] + value[9:15]
    if (
        len(value) != 16
        or value[8] != "T"
        or value[15] != "Z"
        or not (digits.isascii() and digits.isdigit())
    ):
        raise SignatureError("malformed X-Sdk-Date")
    try:
        when = datetime(
            int(digits[0:4]), int(digits[4:6]), int(digits[6:8]),
            int(digits[8:10]), int(digits[10:12]), int(digits[12:14]), tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        raise SignatureError("malformed X-Sdk-Date") from None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if abs(now - when) > max_skew:
        raise SignatureError("stale X-Sdk-Date")


def _check_payload(lower: Mapping[str, str], signed: list[str], body: bytes) -> None:
    """Refuse a body that the signature does not cover (or covers with a wrong hash)."""
    if not body or "x-sdk-content-sha256" not in signed:
        return
    claimed = lower["x-sdk-content-sha256"].strip()
    if claimed == UNSIGNED_PAYLOAD:
        if not needs_unsigned_payload(lower.get("content-type")):
            raise SignatureError("unsigned payload refused")
    elif not hmac.compare_digest(claimed, hashlib.sha256(body).hexdigest()):
        raise SignatureError("payload hash mismatch")


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
    now: datetime,
    max_skew: timedelta = timedelta(minutes=15),
) -> str:
    """Check a signed request as the service does; return its access key.

    ``url`` carries the path and query as received on the wire (percent-encoded), with or
    without ``scheme://host``. Raises `SignatureError` with a short reason when the request is
    unsigned, malformed, too old or too new, signed with an unknown key or signed wrongly.
    """
    authorization = _header(headers, "Authorization")
    if not authorization:
        raise SignatureError("missing Authorization")
    ak, signed, given = _parse_authorization(authorization.strip())
    lower = {key.lower(): value for key, value in headers.items()}
    if "host" not in signed or "x-sdk-date" not in signed:
        raise SignatureError("Host and X-Sdk-Date must be signed")
    if any(name not in lower for name in signed):
        raise SignatureError("missing signed header")
    date = lower["x-sdk-date"].strip()
    _check_date(date, now, max_skew)
    sk = secret_for(ak)
    if sk is None:
        raise SignatureError("unknown access key")
    _check_payload(lower, signed, body)
    canonical_headers = [(name, str(lower[name]).strip()) for name in signed]
    expected = _signature(method, url, canonical_headers, ";".join(signed), body, date, sk)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError("signature mismatch")
    return ak
