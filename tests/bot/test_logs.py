"""bot.logs: JSON lines with the request's context, and no secret in any part of a line."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from bot.logs import QUIET_LOGGERS, bind_request, configure_logging, note_dws_call, register_secret
from dws.client import CallRecord

TOKEN = "xoxb-2048-4096-ZyXwVuTsRqPoNmLk"
APP_TOKEN = "xapp-1-A0123-4567-abcdef0123456789"
BOLT = "slack_bolt.AsyncApp"


class Captured:
    """The configured logging's output, read back as JSON objects."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines()]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in (*QUIET_LOGGERS, BOLT)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.fixture
def captured(restore_logging: None) -> Captured:
    stream = io.StringIO()
    configure_logging("json", "debug", stream=stream)
    return Captured(stream)


@pytest.fixture
def secret() -> str:
    value = f"sk-{uuid.uuid4().hex}"
    register_secret(value)
    return value


def test_stdlib_records_are_json_lines_with_the_bound_request(captured: Captured) -> None:
    log = logging.getLogger("dwsbot.commands")
    with bind_request(team="T1", user="U1", channel="C1", command="restart"):
        log.info("planned %s", "restart")
    log.warning("outside")
    inside, outside = captured.lines()
    assert inside["event"] == "planned restart"
    assert (inside["level"], inside["logger"]) == ("info", "dwsbot.commands")
    assert inside["timestamp"].endswith("Z")
    fields = {k: inside[k] for k in ("team", "user", "channel", "command")}
    assert fields == {"team": "T1", "user": "U1", "channel": "C1", "command": "restart"}
    assert (outside["level"], outside["event"]) == ("warning", "outside")
    assert not {"team", "user", "channel", "command"} & set(outside)


def test_structlog_records_and_extras_come_out_the_same_way(captured: Captured) -> None:
    structlog.get_logger("dwsbot.slack").info("acked", kind="command", ms=3)
    logging.getLogger("dwsbot.slack").info("failed", extra={"slack_error": "not_in_channel"})
    native, extra = captured.lines()
    assert (native["event"], native["logger"], native["kind"], native["ms"]) == (
        "acked",
        "dwsbot.slack",
        "command",
        3,
    )
    assert (extra["event"], extra["slack_error"]) == ("failed", "not_in_channel")


def test_nested_requests_restore_the_outer_context(captured: Captured) -> None:
    log = logging.getLogger("dwsbot")
    with bind_request(team="T1", user="U1"):
        with bind_request(user="U2", command="approve"):
            note_dws_call(CallRecord("list_clusters", "GET", 200, 0.01, "req-7", None))
            log.info("inner")
        log.info("outer")
    dws, inner, outer = captured.lines()
    assert (dws["logger"], dws["dws_request_id"]) == ("dwsbot.dws", "req-7")
    assert "list_clusters" in dws["event"] and dws["level"] == "debug"
    assert (inner["team"], inner["user"], inner["command"], inner["dws_request_id"]) == (
        "T1",
        "U2",
        "approve",
        "req-7",
    )
    assert (outer["team"], outer["user"]) == ("T1", "U1")
    assert "command" not in outer and "dws_request_id" not in outer


def test_tokens_secrets_and_bearer_headers_are_masked_everywhere(
    captured: Captured, secret: str
) -> None:
    log = logging.getLogger("dwsbot.commands")
    bearer = f"Authorization: Bearer {TOKEN[::-1]}"
    log.info(f"in the message {TOKEN} {secret} {bearer}")
    log.info("in the arguments %s %s %r", APP_TOKEN, secret, {"headers": bearer})
    structlog.get_logger("dwsbot").info("as fields", token=TOKEN, nested={"sk": [secret]})
    try:
        raise ValueError(f"refused {secret} with {TOKEN} and {bearer}")
    except ValueError:
        log.exception("in an exception")
    with bind_request(user=secret):
        log.info("in the context")
    text = captured.text()
    for leak in (TOKEN, APP_TOKEN, secret, TOKEN[::-1]):
        assert leak not in text
    message, arguments, fields, failure, context = captured.lines()
    assert message["event"] == "in the message *** *** Authorization: Bearer ***"
    assert arguments["event"] == "in the arguments *** *** {'headers': 'Authorization: Bearer ***'}"
    assert (fields["token"], fields["nested"]) == ("***", {"sk": ["***"]})
    assert failure["event"] == "in an exception"
    assert (
        "Traceback" in failure["exception"]
        and "ValueError: refused *** with ***" in (failure["exception"])
    )
    assert context["user"] == "***"


def test_registering_a_short_or_empty_value_masks_nothing(captured: Captured) -> None:
    register_secret("")
    register_secret("abc")
    logging.getLogger("dwsbot").info("abc is fine")
    [line] = captured.lines()
    assert line["event"] == "abc is fine"


def test_slack_debug_payloads_stay_out_even_at_debug(captured: Captured) -> None:
    sdk = logging.getLogger("slack_sdk.web.async_base_client")
    bolt = logging.getLogger(BOLT)
    bolt.setLevel(logging.DEBUG)  # as bolt does, copying the root's level onto its logger
    sdk.debug("Sending a request - json: {'text': 'hello'}")
    bolt.debug("Received the following response - body: {...}")
    sdk.warning("a warning still shows")
    logging.getLogger("dwsbot").debug("ours still shows")
    lines = captured.lines()
    assert [line["event"] for line in lines] == ["a warning still shows", "ours still shows"]
    assert logging.getLogger("slack_sdk").getEffectiveLevel() == logging.INFO


def test_text_format_is_one_redacted_line_and_configuring_again_replaces_the_handler(
    restore_logging: None,
) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("json", logging.INFO, stream=first)
    configure_logging("text", logging.INFO, stream=second)
    with bind_request(channel="C9"):
        logging.getLogger("dwsbot").info("posted %s", TOKEN)
    logging.getLogger("dwsbot").debug("not shown at info")
    assert first.getvalue() == ""
    [line] = second.getvalue().splitlines()
    assert "posted ***" in line and "channel=C9" in line and "[info" in line
    assert TOKEN not in line
