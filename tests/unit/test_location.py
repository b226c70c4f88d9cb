"""A database URL shown or saved never carries its secret, whatever characters it holds
(parsed as SQLAlchemy, which connects with it, reads it)."""

from __future__ import annotations

import pytest

from verifier.location import Location, hide_password, url_has_password, url_ssl_mode, without_password

BASE = "postgresql+psycopg://"


@pytest.mark.parametrize(
    ("url", "shown", "saved"),
    [
        ("u:s3cret@h:5432/db?sslmode=require", "u:***@h:5432/db?sslmode=require", "u@h:5432/db?sslmode=require"),
        ("u:pa/ss@h/db", "u:***@h/db", "u@h/db"),
        ("u:pa#ss@h/db", "u:***@h/db", "u@h/db"),
        ("u:pa?ss@h/db", "u:***@h/db", "u@h/db"),
        ("u:p@[::1]:5432/db", "u:***@[::1]:5432/db", "u@[::1]:5432/db"),
        (
            "u@h/db?password=zz&sslmode=verify-full",
            "u@h/db?password=***&sslmode=verify-full",
            "u@h/db?sslmode=verify-full",
        ),
        (
            "u@h/db?sslpassword=key&application_name=",
            "u@h/db?sslpassword=***&application_name=",
            "u@h/db?application_name=",
        ),
    ],
)
def test_every_secret_is_hidden_when_shown_and_left_out_when_saved(url: str, shown: str, saved: str) -> None:
    assert url_has_password(BASE + url)
    assert hide_password(BASE + url) == BASE + shown
    assert Location(url=BASE + url).describe() == BASE + shown
    assert without_password(BASE + url) == BASE + saved
    assert not url_has_password(without_password(BASE + url))


def test_a_url_without_a_secret_is_shown_exactly_as_given() -> None:
    for url in ("postgres@127.0.0.1:5432/verifier", "h/db", "u%40x@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem"):
        assert not url_has_password(BASE + url)
        assert hide_password(BASE + url) == BASE + url == without_password(BASE + url)
    assert url_ssl_mode(BASE + "h/db?sslmode=verify-full") == "verify-full"
    assert url_ssl_mode(BASE + "h/db") is None
