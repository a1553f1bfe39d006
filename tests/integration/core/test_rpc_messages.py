"""RPC requests and replies go through the real broker as transient messages (not
written to its disk; services/common/rpc.py), while the calls still work end to end."""
import eventlet
import kombu
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.rpc import TimedRpc, rpc


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value


class CallerService:
    name = "caller"
    echo_rpc = TimedRpc("echo")

    @rpc
    def relay(self, value):
        return self.echo_rpc.echo(value)


def test_a_call_between_services_sends_its_request_and_replies_transient(
        container_factory, service_config):
    seen = []
    with kombu.Connection(service_config["AMQP_URI"]) as connection:
        # a queue of our own bound to the RPC exchange sees every request and reply
        exchange = kombu.Exchange("nameko-rpc", type="topic", durable=True)
        queue = kombu.Queue("rpc-messages-seen", exchange, routing_key="#",
                            auto_delete=True, durable=False)
        for factory in (EchoService, CallerService):
            container_factory(factory, service_config).start()
        with connection.Consumer(queue, callbacks=[lambda body, message: (
                seen.append((message.delivery_info["routing_key"],
                             message.properties.get("delivery_mode"))), message.ack())]):
            with ServiceRpcProxy("caller", service_config) as caller:
                assert caller.relay({"số": "12/QĐ"}) == {"số": "12/QĐ"}
            with eventlet.Timeout(5):
                while len(seen) < 4:
                    connection.drain_events(timeout=5)
    by_key = dict(seen)
    assert by_key["echo.echo"] == 1        # TimedRpc's request: transient
    replies = [mode for key, mode in seen if key not in ("echo.echo", "caller.relay")]
    assert replies == [1, 1]               # both services' replies: transient
    assert by_key["caller.relay"] == 2     # nameko's own standalone proxy: as nameko sends
