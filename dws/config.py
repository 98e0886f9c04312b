"""A DWS target: where one region/project of the service lives and how to authenticate to it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator


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

    @model_validator(mode="after")
    def _check(self) -> DwsTarget:
        if not self.endpoint.startswith(("https://", "http://")):
            raise ValueError(f"endpoint must start with https:// (got {self.endpoint!r})")
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
