"""Step Functions activities from Python: Broker.create_activity, a Task
state with the activity's ARN, Activity.get_task and the SendTask* calls,
Catch of a worker's failure, and on a real clock a long poll that wakes
when the task is scheduled."""
import threading
import time
import unittest

from awsevents import Activity, Broker, ClientError


def machine_for(activity):
    return {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": activity.arn, "HeartbeatSeconds": 30,
              "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.err",
                         "Next": "Undo"}],
              "End": True},
        "Undo": {"Type": "Pass", "End": True}}}


class ManualClockActivities(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)

    def tearDown(self):
        self.b.close()

    def test_worker_completes_and_fails_tasks(self):
        a = self.b.create_activity("pack")
        self.assertIsInstance(a, Activity)
        self.assertEqual(a.arn, "arn:aws:states:us-east-1:000000000000:activity:pack")
        self.assertEqual(a.describe()["name"], "pack")
        self.assertIsNone(a.get_task("w"))  # manual clock: no waiting
        m = self.b.create_state_machine("m", machine_for(a))
        ok = m.start({"n": 1})
        self.b.drain()
        token, task_input = a.get_task("w")
        self.assertEqual(task_input, {"n": 1})
        self.b.send_task_heartbeat(token)
        self.b.send_task_success(token, {"packed": True})
        self.assertEqual(ok.wait(), "SUCCEEDED")
        self.assertEqual(ok.output, {"packed": True})
        types = [ev["type"] for ev in ok.history]
        self.assertIn("ActivityScheduled", types)
        self.assertIn("ActivityStarted", types)
        self.assertIn("ActivitySucceeded", types)
        bad = m.start({"n": 2})
        self.b.drain()
        token, _ = a.get_task("w")
        self.b.send_task_failure(token, "Rejected", "no box")
        self.assertEqual(bad.wait(), "SUCCEEDED")
        self.assertEqual(bad.output["err"], {"Error": "Rejected", "Cause": "no box"})
        a.delete()
        with self.assertRaises(ClientError) as cm:
            self.b.get_activity("pack")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ActivityDoesNotExist")


class RealClockActivities(unittest.TestCase):
    def test_long_poll_wakes_on_schedule(self):
        b = Broker(clock="real", workers=1)
        try:
            a = b.create_activity("live")
            got = []
            worker = threading.Thread(target=lambda: got.append(a.get_task("w", wait_seconds=20)))
            t0 = time.monotonic()
            worker.start()
            time.sleep(0.2)
            e = b.create_state_machine("m", machine_for(a)).start({"x": 1})
            worker.join()
            self.assertLess(time.monotonic() - t0, 10)
            token, task_input = got[0]
            self.assertEqual(task_input, {"x": 1})
            b.send_task_success(token, '"done"')  # JSON text
            self.assertEqual(e.wait(), "SUCCEEDED")
            self.assertEqual(e.output, "done")
        finally:
            b.close()


if __name__ == "__main__":
    unittest.main()
