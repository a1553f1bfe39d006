"""A family of event handlers made by handlers_of keeps the names (and so the queues) a
hand-written handler would have, and each calls the service's method with its name."""
import eventlet

eventlet.monkey_patch()  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402

from services.common.handlers import RetriedEventHandler, handlers_of  # noqa: E402


class Recorder(handlers_of("workflow", ("task_assigned", "deadline_missed"), "_record")):
    name = "recorder"

    def __init__(self):
        self.seen = []

    def _record(self, message, handler):
        self.seen.append((message, handler))
        return handler


def test_each_event_type_gets_a_retried_handler_named_after_its_source_and_type():
    container = ServiceContainer(Recorder, {"AMQP_URI": "memory://"})
    handlers = {e.method_name: e for e in container.entrypoints}
    assert set(handlers) == {"on_workflow_task_assigned", "on_workflow_deadline_missed"}
    assert all(isinstance(h, RetriedEventHandler) for h in handlers.values())
    assert handlers["on_workflow_task_assigned"].event_type == "task_assigned"
    assert handlers["on_workflow_task_assigned"].source_service == "workflow"


def test_a_handler_passes_the_message_and_its_own_name_to_the_services_method():
    service = Recorder()
    assert service.on_workflow_deadline_missed({"data": 1}) == "on_workflow_deadline_missed"
    assert service.seen == [({"data": 1}, "on_workflow_deadline_missed")]
