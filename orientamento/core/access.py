"""Access decorators for views; each records its rule for the access-matrix tests.

Every view must carry exactly one of ``public``, ``login_required`` or
``role_required``: the tests walk ``app.url_map`` and fail on a view without
a recorded rule, so a new route cannot escape the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from flask_login import login_required as _flask_login_required

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "access_rule"


def public(view: F) -> F:
    """Mark a view as open to everyone, logged in or not."""
    setattr(view, ACCESS_ATTRIBUTE, ("public", frozenset()))
    return view


def login_required(view: F) -> F:
    """Require any logged-in user."""
    wrapped = _flask_login_required(view)
    setattr(wrapped, ACCESS_ATTRIBUTE, ("login", frozenset()))
    return wrapped


def role_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in user with one of ``roles`` (403 otherwise)."""
    allowed = frozenset(str(role) for role in roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded = _flask_login_required(wrapper)
        setattr(guarded, ACCESS_ATTRIBUTE, ("roles", allowed))
        return guarded

    return decorator


def acting_user() -> Any:
    """The logged-in user as a real model instance (not Flask-Login's proxy)."""
    return current_user._get_current_object()
