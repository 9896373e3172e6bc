"""A dead letter is a typed value in code and the same JSON object in Redis as before."""

from __future__ import annotations

import json

import redis

from monitor import keys
from monitor.deliveries import read_dead_letters, record_failure
from monitor.errors import PermanentDeliveryError
from monitor.models import DeadLetter


def test_a_dead_letter_is_stored_with_the_same_keys_and_read_back_typed(
    redis_client: redis.Redis,
) -> None:
    alert = {"id": "a1", "rule": "big", "article": {"url": "https://x.example/1"}}
    record_failure(redis_client, alert, "hook", PermanentDeliveryError("channel hook", "410"), 2)
    (raw,) = redis_client.lrange(keys.dead_letters(), 0, -1)
    stored = json.loads(raw)
    assert list(stored) == ["id", "alert", "channel", "error", "error_type", "attempts", "at"]
    assert stored["id"] == keys.delivery_job_id("a1", "hook") and stored["alert"] == alert
    (letter,) = read_dead_letters(redis_client)
    assert isinstance(letter, DeadLetter) and letter.to_dict() == stored
    assert letter.rule == "big" and letter.article["url"] == "https://x.example/1"
    assert letter.error_type == "PermanentDeliveryError" and letter.attempts == 2
