"""A DWS target: where one region/project of the service lives and how to authenticate to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator


class DwsTarget(BaseModel):
    """One named DWS target (a region and project) with its credentials.

    Either ``ak``/``sk`` (request signing) or ``iam_endpoint``/``username``/``password``/``domain``
    (IAM token) must be given.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "default"
    region: str = ""
    endpoint: str
    project_id: str
    ak: SecretStr | None = None
    sk: SecretStr | None = None
    iam_endpoint: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    domain: str | None = None

    @field_validator("endpoint", "iam_endpoint")
    @classmethod
    def _usable_url(cls, url: str | None) -> str | None:
        if url is not None:
            _check_url(url)
        return url

    @model_validator(mode="after")
    def _check(self) -> DwsTarget:
        object.__setattr__(self, "endpoint", self.endpoint.rstrip("/"))
        if not self.project_id:
            raise ValueError("project_id is required")
        has_aksk = self.ak is not None and self.sk is not None
        has_iam = all(
            v is not None for v in (self.iam_endpoint, self.username, self.password, self.domain)
        )
        if not (has_aksk or has_iam):
            raise ValueError(
                "credentials are required: ak and sk, "
                "or iam_endpoint, username, password and domain"
            )
        return self

    @property
    def uses_aksk(self) -> bool:
        """True when requests are signed with AK/SK rather than an IAM token."""
        return self.ak is not None and self.sk is not None

    @property
    def insecure(self) -> bool:
        """True when the endpoint is plain http:// (only sensible for the simulator)."""
        return self.endpoint.startswith("http://")


def _check_url(url: str) -> None:
    """An http(s) URL with a host and a valid port, and no credentials in it.

    A ``user:password@`` part is refused without echoing the URL (it would show the password):
    credentials go in the target's own fields.
    """
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when out of range or not a number
    except ValueError:
        raise ValueError("not a valid URL (check the host and port)") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError(
            "must not hold credentials (user:password@): give them as ak/sk or username/password"
        )
    if parts.scheme not in ("https", "http"):
        raise ValueError(f"must start with https:// (got {url!r})")
    if not parts.hostname or port == 0:
        raise ValueError(f"needs a host (got {url!r})")
