"""The tasks (công việc) screens in a real browser against the whole running system;
the scenario is in scenarios_tasks.py and runs in a process of its own through
runner.py, like those of test_web_ui.py. Screenshots: /tmp/ui-tasks-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_task_with_a_sub_task_from_giving_to_done(run_scenario):
    """vanthu.stc registers an incoming document; lanhdao.stc gives chuyenvien.stc a task
    from it (the specialist found by the person search, the document by the full-text
    search; a past deadline is refused next to its field) and splits off a sub-task for
    him (a deadline after the task's is refused); the document's "Công việc" section
    lists both, linking to them, and its "Giao việc từ văn bản này" opens the form with
    the document chosen; the tab counts come with the list (one request); the
    specialist's notification of the task opens the task; he records 40 % with a note,
    is not offered completing the task while the sub-task is open, completes the sub-task
    and then the task (lanhdao.stc, signed in meanwhile, gets a toast whose "Xem"
    opens the task), then adds a task of his own (to himself only) and cancels it with
    a reason; lanhdao.stc finds his task among those he gave that are done, with the
    names from the API and its real history: given, sub-task added, progress 40 % with
    its note, completed, each by whom; the task, the list and the form fit a 360 px
    screen, and the task reads in English too."""
    run_scenario("tasks", timeout=300)
