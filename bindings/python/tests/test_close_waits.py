"""Closing a Topic, Bus or Function handle (or the broker) while another
thread is inside a call on it: close() waits for that call, as it does for
queues, streams, machines, patterns and jsonata expressions, instead of
releasing the C handle under it."""
import threading
import unittest
import weakref
from unittest import mock

from awsevents import (Broker, ClientError, _lib, bus, create_function,
                       function, topic)


class _Blocking:
    """The ctypes library, except that `name` blocks until released and
    then answers 0 (without touching the handle it was given)."""

    def __init__(self, name):
        self.name = name
        self.entered = threading.Event()
        self.go = threading.Event()
        self.order = []

    def __getattr__(self, attr):
        if attr != self.name:
            return getattr(_lib.lib, attr)

        def blocked(*args):
            self.entered.set()
            self.go.wait()
            self.order.append("call returned")
            return 0
        return blocked


class CloseWaits(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0)

    def tearDown(self):
        self.b.close()

    def check_close_waits(self, module, name, handle, call):
        blocking = _Blocking(name)
        with mock.patch.object(module, "lib", blocking):
            caller = threading.Thread(target=call)
            caller.start()
            blocking.entered.wait()

            def close():
                handle.close()
                blocking.order.append("closed")
            closer = threading.Thread(target=close)
            closer.start()
            closer.join(0.2)
            self.assertTrue(closer.is_alive(), "close() did not wait")
            blocking.go.set()
            caller.join()
            closer.join()
        self.assertEqual(blocking.order, ["call returned", "closed"])
        with self.assertRaises(ValueError):
            call()

    def test_topic(self):
        t = self.b.create_topic("t")
        self.check_close_waits(topic, "aev_topic_delete", t, t.delete)

    def test_bus(self):
        b = self.b.create_bus("b")
        self.check_close_waits(bus, "aev_bus_delete", b, b.delete)

    def test_function(self):
        fn = create_function(self.b, "f", lambda event, context: event)
        self.check_close_waits(
            function, "aev_function_delete_provisioned_concurrency", fn,
            lambda: fn.delete_provisioned_concurrency("1"))


    def test_broker_under_a_subscription_call(self):
        """Subscription calls took the broker's handle and made the call
        outside the broker's count of calls in flight, so the broker's
        close() did not wait for them."""
        t = self.b.create_topic("t")
        sub = t.subscribe(lambda body, kind: None)
        self.check_close_waits(topic, "aev_subscription_unsubscribe", self.b,
                               sub.unsubscribe)

    def test_a_handler_closing_its_own_function(self):
        """close() from inside a call on the same handle, on the calling
        thread (a handler closing the function invoking it), waited for
        that call to end: a deadlock. The handle is now freed when the
        call returns, and later use says so."""
        holder = {}

        def handler(event, context):
            holder["fn"].close()
            return "closed inside"

        holder["fn"] = fn = create_function(self.b, "f", handler)
        result = {}
        caller = threading.Thread(
            target=lambda: result.setdefault("out", fn.invoke({})),
            daemon=True)
        caller.start()
        caller.join(10)
        self.assertFalse(caller.is_alive(), "invoke never returned")
        self.assertEqual(result["out"][0], "closed inside")
        with self.assertRaisesRegex(ValueError, "released"):
            fn.invoke({})

    def test_a_pattern_closed_while_matching_on_the_same_thread(self):
        """The same rule for every handle: Pattern shares it."""
        from awsevents import Pattern
        p = Pattern({"source": ["a"]})
        with p._handle:
            p.close()
            with self.assertRaisesRegex(ValueError, "closed"):
                p.matches({"source": "a"})
        self.assertIsNone(p._handle._orphan)



class BrokerClosedOnAWorkerThread(unittest.TestCase):
    """A broker closed (or collected) on one of the library's own threads,
    where aev_broker_destroy refuses to run: close() said nothing and the
    broker, its threads and handlers stayed alive for good."""

    def run_async(self, b, handler):
        done = threading.Event()

        def call(event, context):
            try:
                handler()
            finally:
                done.set()
        create_function(b, "f", call)
        b.call("lambda", "Invoke", FunctionName="f", InvocationType="Event",
               Payload="{}")
        self.assertTrue(done.wait(60), "the handler never ran")

    def test_close_in_an_async_handler_raises_and_leaves_it_open(self):
        b = Broker(clock="real", workers=2)
        errors = []

        def close():
            try:
                b.close()
            except ClientError as e:
                errors.append(e.response["Error"]["Code"])
        self.run_async(b, close)
        self.assertEqual(errors, ["InvalidState"])
        self.assertFalse(b.closed)
        b.close()
        self.assertTrue(b.closed)

    def test_a_broker_collected_on_a_worker_thread_is_destroyed(self):
        class Log:
            def __call__(self, level, message):
                pass
        log = Log()
        released = threading.Event()
        # Destroying the broker releases its log callback, and with it log.
        weakref.finalize(log, released.set)
        holder = {"b": Broker(clock="real", workers=2, log=log)}
        del log
        fn = create_function(holder["b"], "f", lambda e, c: holder.clear())
        fn._broker = None  # the handle alone would keep the broker alive
        holder["b"].call("lambda", "Invoke", FunctionName="f",
                         InvocationType="Event", Payload="{}")
        del fn
        self.assertTrue(released.wait(60), "the broker was never destroyed")


if __name__ == "__main__":
    unittest.main()
