"""The menu is grouped by what people do, and each role sees only entries it may open."""

import re

import pytest

from mobility.core.roles import ALL_ROLES
from mobility.templating import NAV_GROUPS, nav_item, navigation_for
from tests.factories import create_user, login


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_every_menu_entry_of_a_role_opens(client, role):
    user = create_user(role)
    login(client, user)
    html = client.get("/dashboard", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    nav = html[html.index('<nav aria-label="Menu principal"'):html.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)"', nav)
    expected = {entry for _, _, entries in navigation_for(role) for entry, _ in entries}
    assert len(links) == len(expected) + 1  # and the dashboard
    for link in links:
        assert client.get(link).status_code == 200, link


def test_groups_keep_their_order_and_drop_empty_ones(app):
    advisor = [key for key, _, _ in navigation_for("advisor")]
    assert advisor == [key for key in NAV_GROUPS if key in advisor]
    assert advisor[:2] == ["person", "fleet"] and "admin" not in advisor
    assert "admin" in [key for key, _, _ in navigation_for("admin")]
    assert [key for key, _, _ in navigation_for("beneficiary")] == ["self"]
    assert navigation_for(None) == []


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        nav_item("dashboard.home", "x", {"advisor"}, group="elsewhere")
