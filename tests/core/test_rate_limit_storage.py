"""Rate limits live in Redis when configured, so several instances share them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from orientamento.extensions import db
from tests.conftest import is_postgres, make_app

REDIS_URL = os.environ.get("ORIENTAMENTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    client.flushdb()
    return client


def test_login_limits_are_shared_through_redis(
    redis_client: redis.Redis, database_url: str, _postgres_schema: None, tmp_path: Path
) -> None:
    if not is_postgres():  # both instances must see one database
        database_url = f"sqlite:///{tmp_path / 'shared.db'}"
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
              "LOGIN_RATE_LIMIT_IP": "3 per minute", "LOGIN_RATE_LIMIT_ACCOUNT": "10 per minute"}
    first, second = make_app(database_url, **config), make_app(database_url, **config)
    with first.app_context():
        if not is_postgres():
            db.create_all()
        form = {"login": "someone@example.org", "password": "guess"}
        # Two app instances, as two gunicorn workers or hosts would be.
        statuses = [first.test_client().post("/account/login", data=form).status_code,
                    second.test_client().post("/account/login", data=form).status_code,
                    first.test_client().post("/account/login", data=form).status_code,
                    second.test_client().post("/account/login", data=form).status_code]
        db.session.remove()
        if not is_postgres():
            db.drop_all()
    assert statuses == [401, 401, 401, 429]
    assert redis_client.keys("*")
    redis_client.flushdb()
