"""The JSON-valued CostAndPrice keys: DefaultPrice and the per-language DefaultPriceText,<lang>.

Both are JSON objects in the config file and JSON text on the wire.
"""

from __future__ import annotations

import json

from everest_ocpp.v16.configuration.model import InvalidValue, JsonValue, Parser, ValidationContext

PRICE_TEXT_PREFIX = "DefaultPriceText,"


def dump_json(value: JsonValue) -> str:
    """Compact JSON as reported in GetConfiguration (keeps within the 500 character limit longer)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _text(obj: dict[str, JsonValue], field: str, *, required: bool, min_length: int = 1) -> None:
    if field not in obj:
        if required:
            raise InvalidValue(f"{field!r} is missing")
        return
    value = obj[field]
    if not isinstance(value, str) or len(value) < min_length:
        raise InvalidValue(f"{field!r} must be a string of at least {min_length} character(s)")


def check_default_price(value: JsonValue) -> None:
    """DefaultPrice: {priceText, priceTextOffline?, chargingPrice?: {kWhPrice?, hourPrice?, flatFee?}}."""
    if not isinstance(value, dict):
        raise InvalidValue("DefaultPrice must be a JSON object")
    _text(value, "priceText", required=True)
    _text(value, "priceTextOffline", required=False)
    if "chargingPrice" in value:
        price = value["chargingPrice"]
        if not isinstance(price, dict):
            raise InvalidValue("'chargingPrice' must be an object")
        for field in ("kWhPrice", "hourPrice", "flatFee"):
            if field in price and (
                isinstance(price[field], bool) or not isinstance(price[field], int | float)
            ):
                raise InvalidValue(f"'chargingPrice.{field}' must be a number")


def _check_price_text_entry(entry: JsonValue) -> None:
    if not isinstance(entry, dict):
        raise InvalidValue("every price text must be a JSON object")
    _text(entry, "priceText", required=True)
    _text(entry, "priceTextOffline", required=False)
    _text(entry, "language", required=True, min_length=2)


def check_default_price_text(value: JsonValue) -> None:
    """DefaultPriceText: {priceTexts?: [{priceText, priceTextOffline?, language}, ...]}."""
    if not isinstance(value, dict):
        raise InvalidValue("DefaultPriceText must be a JSON object")
    texts = value.get("priceTexts", [])
    if not isinstance(texts, list):
        raise InvalidValue("'priceTexts' must be an array")
    for entry in texts:
        _check_price_text_entry(entry)


def parse_default_price(text: str, _ctx: ValidationContext) -> JsonValue:
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidValue("DefaultPrice is not valid JSON") from None
    check_default_price(value)
    return value


def price_text_parser(language: str) -> Parser:
    """Parses the JSON text for ``DefaultPriceText,<language>`` into one ``priceTexts`` entry."""

    def parse(text: str, ctx: ValidationContext) -> JsonValue:
        if language.strip() not in ctx.supported_languages:
            raise InvalidValue(f"language {language!r} is not in SupportedLanguages")
        try:
            entry = json.loads(text)
        except ValueError:
            raise InvalidValue("price text is not valid JSON") from None
        if not isinstance(entry, dict):
            raise InvalidValue("price text must be a JSON object")
        entry = {**entry, "language": language}
        _check_price_text_entry(entry)
        return entry

    return parse


def price_text_entries(value: JsonValue) -> list[dict[str, JsonValue]]:
    texts = value.get("priceTexts") if isinstance(value, dict) else None
    if isinstance(texts, list):
        return [entry for entry in texts if isinstance(entry, dict)]
    return []


def find_price_text(value: JsonValue, language: str) -> dict[str, JsonValue] | None:
    for entry in price_text_entries(value):
        if entry.get("language") == language:
            return entry
    return None


def format_price_text(entry: dict[str, JsonValue]) -> str:
    """The reported value leaves the language out: it is part of the key name."""
    return dump_json({field: entry[field] for field in ("priceText", "priceTextOffline") if field in entry})


def merge_price_text(current: JsonValue, entry: JsonValue) -> JsonValue:
    """A new DefaultPriceText object with ``entry`` replacing the one of its language (or appended)."""
    assert isinstance(entry, dict)
    base: dict[str, JsonValue] = dict(current) if isinstance(current, dict) else {}
    texts: list[JsonValue] = [dict(e) for e in price_text_entries(base)]
    for index, existing in enumerate(texts):
        if isinstance(existing, dict) and existing.get("language") == entry["language"]:
            texts[index] = entry
            break
    else:
        texts.append(entry)
    base["priceTexts"] = texts
    check_default_price_text(base)
    return base
