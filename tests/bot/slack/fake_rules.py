"""What the fake Slack refuses, as Slack does: its `ok: false` failure and Block Kit limits.

slack_sdk checks some limits only in its block models' `to_dict()` and never for plain dicts, so
code that renders dicts learns of a limit from Slack alone: `invalid_blocks` (messages) or
`invalid_arguments` (views) with one `[ERROR] ... [json-pointer:...]` line per problem in
`response_metadata.messages`. The numbers are those of the table in shared/slack/README.md.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

# (block type, path to a text inside the block) -> longest text allowed
_TEXT_LIMITS = {
    ("section", ("text", "text")): 3000,
    ("header", ("text", "text")): 150,
    ("markdown", ("text",)): 12000,
}
# block type -> (list field, most items)
_COUNT_LIMITS = {
    "section": ("fields", 10),
    "context": ("elements", 10),
    "actions": ("elements", 25),
}
_BUTTON_LIMITS = ((("text", "text"), 75), (("value",), 2000), (("action_id",), 255))
_VIEW_TEXT_LIMITS = ((("title", "text"), 24), (("submit", "text"), 24), (("close", "text"), 24))


class SlackFailure(Exception):
    """An `ok: false` answer: Slack's error name and, for invalid input, its `[ERROR]` lines."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.extra = {"response_metadata": {"messages": messages}} if messages else {}


def truthy(value: Any) -> bool:
    """A Slack boolean argument: JSON true, or "true"/"1" in a form or query."""
    return value is True or str(value).lower() in ("true", "1")


def json_arg(args: dict[str, Any], name: str) -> Any:
    """An argument that is JSON in a JSON body and a JSON string in a form (blocks, view...)."""
    value = args.get(name)
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        errors = {"blocks": "invalid_blocks_format", "attachments": "invalid_attachments"}
        raise SlackFailure(errors.get(name, "invalid_arguments")) from None


def _dig(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _too_long(value: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _too_many(items: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]"]
    return []


def _button_errors(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict) or element.get("type") != "button":
        return []
    errors: list[str] = []
    for path, limit in _BUTTON_LIMITS:
        errors += _too_long(_dig(element, path), limit, pointer + "/" + "/".join(path))
    return errors


def _one_block_errors(block: dict[str, Any], at: str) -> list[str]:
    kind = block["type"]
    errors = _too_long(block.get("block_id"), 255, at + "/block_id")
    for (limited, path), limit in _TEXT_LIMITS.items():
        if kind == limited:
            errors += _too_long(_dig(block, path), limit, at + "/" + "/".join(path))
    if kind in _COUNT_LIMITS:
        field, limit = _COUNT_LIMITS[kind]
        errors += _too_many(block.get(field), limit, f"{at}/{field}")
    if kind == "section":
        for i, item in enumerate(block.get("fields") or []):
            errors += _too_long(_dig(item, ("text",)), 2000, f"{at}/fields/{i}/text")
        errors += _button_errors(block.get("accessory"), at + "/accessory")
    if kind == "actions":
        for i, element in enumerate(block.get("elements") or []):
            errors += _button_errors(element, f"{at}/elements/{i}")
    if kind == "table":
        rows = block.get("rows") or []
        errors += _too_many(rows, 100, at + "/rows")
        for i, row in enumerate(rows):
            errors += _too_many(row, 20, f"{at}/rows/{i}")
    return errors


def block_errors(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Slack's complaints about a list of blocks (empty when Slack would accept it)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    errors = _too_many(blocks, max_blocks, pointer)
    block_ids: set[str] = set()
    tables = 0
    for i, block in enumerate(blocks):
        at = f"{pointer}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"[ERROR] missing required field: type [json-pointer:{at}]")
            continue
        block_id = block.get("block_id")
        if block_id in block_ids:
            errors.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{at}/block_id]")
        if isinstance(block_id, str):
            block_ids.add(block_id)
        tables += block["type"] == "table"
        if tables == 2:
            errors.append(f"[ERROR] only one table block is allowed [json-pointer:{at}]")
        errors += _one_block_errors(block, at)
    return errors


def view_errors(view: Any, *, kind: str) -> list[str]:
    """Slack's complaints about a view of `kind` ("modal" or "home")."""
    if not isinstance(view, dict):
        return ["[ERROR] missing required field: view [json-pointer:/view]"]
    if view.get("type") != kind:
        return [f"[ERROR] must be '{kind}' [json-pointer:/view/type]"]
    errors: list[str] = []
    if kind == "modal" and not isinstance(view.get("title"), dict):
        errors.append("[ERROR] missing required field: title [json-pointer:/view/title]")
    for path, limit in _VIEW_TEXT_LIMITS:
        errors += _too_long(_dig(view, path), limit, "/view/" + "/".join(path))
    errors += _too_long(view.get("private_metadata"), 3000, "/view/private_metadata")
    errors += _too_long(view.get("callback_id"), 255, "/view/callback_id")
    return errors + block_errors(
        view.get("blocks", []), max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks"
    )
