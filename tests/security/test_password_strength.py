"""Issue 12 point 9: `password1234` was accepted for an account that unwraps the database key.
New passwords are held to zxcvbn's estimate, with the login, the name and common French words
counted as known to an attacker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_site
from verifier.domain.errors import ValidationError
from verifier.services import auth
from verifier.store import database
from verifier.store.engine import Location


@pytest.mark.parametrize(
    "password",
    ["password1234", "azertyuiop123", "motdepasse2024", "comptoir2024", "bernadette.dupont1", "dupont.bernadette"],
)
def test_guessable_passwords_are_refused_with_a_sentence(password: str, tmp_path: Path) -> None:
    location = Location(sqlite_path=tmp_path / "site.db")
    with pytest.raises(ValidationError) as refused:
        auth.initialise(location, auth.SiteInput("Pharmacie"), "bdupont", "Bernadette Dupont", password)
    (problem,) = refused.value.problems
    assert problem.code == "password.guessable" and problem.field == "password"
    assert "se devine trop facilement" in problem.message()
    assert not database.exists(location)  # nothing created


def test_a_long_unrelated_phrase_is_accepted_and_the_check_holds_for_new_users(location: Location) -> None:
    ctx = make_site(location)
    try:
        with pytest.raises(ValidationError) as refused:
            auth.add_user(ctx, "mlefevre", "Martine Lefèvre", "counter", "martine.lefevre2024")
        assert [p.code for p in refused.value.problems] == ["password.guessable"]
        auth.add_user(ctx, "mlefevre", "Martine Lefèvre", "counter", "pluie verte sur le quai")
        auth.sign_in(location, "mlefevre", "pluie verte sur le quai").close()
    finally:
        ctx.close()
    assert PASSWORD  # the factories' password passes the same check
