"""The audit log page: a manager sees that a call was opened and played; agents and coaches have no such page;
the page offers no way to change an entry."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_helpers import Open

pytest_plugins = ("tests.app_helpers",)


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def test_the_managers_audit_page_lists_the_call_they_opened(open_app: Open) -> None:
    at = open_app("manager")
    at.switch_page("pages/call_review.py").run()
    assert not _problems(at)
    call_id = at.query_params["call"]
    call_id = call_id[0] if isinstance(call_id, list) else call_id
    at.switch_page("pages/audit.py").run()
    assert not _problems(at)
    assert at.title[0].value == "Audit log"
    log = at.dataframe[0].value
    mine = log[(log["actor_id"] == "manager") & (log["object_id"] == call_id)]
    assert {"open", "play"} <= set(mine["action"])
    assert "import_surveys" in set(log["action"])  # the template's survey import is there too
    at.text_input(key="audit_object").set_value(call_id).run()
    assert set(at.dataframe[0].value["object_id"]) == {call_id}
    at.text_input(key="audit_object").set_value("").run()
    at.multiselect(key="audit_actions").set_value(["read_audit"]).run()
    assert set(at.dataframe[0].value["actor_id"]) == {"manager"}  # reading the log is recorded too
    assert len(at.get("download_button")) == 1  # the CSV export (recorded when clicked)
    assert not at.button and not at.get("form")  # nothing on the page edits or deletes an entry


def test_the_admin_has_the_audit_page(open_app: Open) -> None:
    at = open_app("admin")
    at.switch_page("pages/audit.py").run()
    assert not _problems(at)
    assert len(at.dataframe[0].value) > 0


@pytest.mark.parametrize("user_id", ["aino", "coach-north"])
def test_agents_and_coaches_have_no_audit_page(open_app: Open, user_id: str) -> None:
    at = open_app(user_id)
    with pytest.raises(Exception, match=r"(?i)page"):
        at.switch_page("pages/audit.py").run()
