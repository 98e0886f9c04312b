"""Default identity of the simulator: project id, demo credentials, port and region.

These values are printed by `dwsbot simulator` and used by the console when nothing is configured.
They are demo credentials of a local fake, not secrets.
"""

from __future__ import annotations

PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
AK = "SIMULATORACCESSKEY0001"
SK = "simulator-secret-key"
IAM_USER = "dwsbot"
IAM_PASSWORD = "simulator-password"
IAM_DOMAIN = "dwsbot-demo"
DEFAULT_PORT = 8089
REGION = "sim-region-1"
