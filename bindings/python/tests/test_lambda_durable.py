"""A Lambda durable function through Broker.call: a Python handler plays
the durable execution SDK (reads InitialExecutionState, replays, calls
CheckpointDurableExecution), waits for a callback sent from outside, and
the execution's reads come back as boto3 shapes them."""
import datetime
import json
import unittest

from awsevents import Broker, ClientError, create_function, register_handler


class DurableFunction(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)
        self.calls = []
        self.callback_id = None
        register_handler(self.b, "sdk", self.handler)
        self.b.call("lambda", "CreateFunction", FunctionName="approve", Handler="sdk",
                    DurableConfig={"ExecutionTimeout": 3600})

    def tearDown(self):
        self.b.close()

    def checkpoint(self, event, token, *updates):
        r = self.b.call("lambda", "CheckpointDurableExecution",
                        DurableExecutionArn=event["DurableExecutionArn"],
                        CheckpointToken=token, Updates=list(updates))
        return r["CheckpointToken"], r["NewExecutionState"]["Operations"]

    def handler(self, event, context):
        ops = {op["Id"]: op for op in event["InitialExecutionState"]["Operations"]}
        self.calls.append(sorted(ops))
        token = event["CheckpointToken"]
        order = json.loads(event["InitialExecutionState"]["Operations"][0]
                           ["ExecutionDetails"]["InputPayload"])
        if "price" not in ops:
            token, _ = self.checkpoint(
                event, token,
                {"Id": "price", "Type": "STEP", "Action": "START"},
                {"Id": "price", "Type": "STEP", "Action": "SUCCEED",
                 "Payload": json.dumps(order["qty"] * 5)})
        if "approval" not in ops:
            token, new = self.checkpoint(
                event, token,
                {"Id": "approval", "Type": "CALLBACK", "Action": "START",
                 "CallbackOptions": {"TimeoutSeconds": 300}})
            self.callback_id = new[0]["CallbackDetails"]["CallbackId"]
            return {"Status": "PENDING"}
        price = json.loads(ops["price"]["StepDetails"]["Result"])
        who = json.loads(ops["approval"]["CallbackDetails"]["Result"])
        return {"Status": "SUCCEEDED", "Result": json.dumps({"price": price, "by": who})}

    def test_callback_flow(self):
        started = self.b.call("lambda", "Invoke", FunctionName="approve",
                              InvocationType="Event", DurableExecutionName="order-7",
                              Payload=json.dumps({"qty": 3}))
        self.assertEqual(started["StatusCode"], 202)
        arn = started["DurableExecutionArn"]
        self.assertRegex(arn, r"^arn:aws:lambda:us-east-1:000000000000:function:approve:"
                              r"\$LATEST/durable-execution/order-7/[0-9a-f-]{36}$")
        self.b.drain()
        self.assertEqual(len(self.calls), 1)
        self.assertEqual(len(self.calls[0]), 1)  # the EXECUTION operation alone
        running = self.b.call("lambda", "GetDurableExecution", DurableExecutionArn=arn)
        self.assertEqual(running["Status"], "RUNNING")
        self.assertIsInstance(running["StartTimestamp"], datetime.datetime)
        self.b.advance(60_000)
        self.b.call("lambda", "SendDurableExecutionCallbackSuccess",
                    CallbackId=self.callback_id, Result=b'"ana"')
        self.b.drain()
        self.assertEqual(len(self.calls), 2)
        self.assertIn("price", self.calls[1])
        done = self.b.call("lambda", "GetDurableExecution", DurableExecutionArn=arn)
        self.assertEqual(done["Status"], "SUCCEEDED")
        self.assertEqual(json.loads(done["Result"]), {"price": 15, "by": "ana"})
        self.assertEqual(done["EndTimestamp"] - done["StartTimestamp"],
                         datetime.timedelta(seconds=60))
        history = self.b.call("lambda", "GetDurableExecutionHistory", DurableExecutionArn=arn)
        self.assertEqual([e["EventType"] for e in history["Events"]],
                         ["ExecutionStarted", "StepStarted", "StepSucceeded", "CallbackStarted",
                          "InvocationCompleted", "CallbackSucceeded", "InvocationCompleted",
                          "ExecutionSucceeded"])
        listed = self.b.call("lambda", "ListDurableExecutionsByFunction", FunctionName="approve",
                             Statuses=["SUCCEEDED"])
        self.assertEqual([e["DurableExecutionName"] for e in listed["DurableExecutions"]],
                         ["order-7"])
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "SendDurableExecutionCallbackSuccess",
                        CallbackId=self.callback_id, Result=b"1")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")


class DurableSyncInvoke(unittest.TestCase):
    """Function.invoke (the typed synchronous invoke) of a durable function
    waits for its durable execution and answers its result."""

    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.inputs = []

    def tearDown(self):
        self.b.close()

    def handler(self, event, context):
        self.inputs.append(event)
        state = event["InitialExecutionState"]["Operations"]
        order = json.loads(state[0]["ExecutionDetails"]["InputPayload"])
        if order["qty"] < 0:
            raise ValueError("no such quantity")
        self.b.call("lambda", "CheckpointDurableExecution",
                    DurableExecutionArn=event["DurableExecutionArn"],
                    CheckpointToken=event["CheckpointToken"],
                    Updates=[{"Id": "price", "Type": "STEP", "Action": "START"},
                             {"Id": "price", "Type": "STEP", "Action": "SUCCEED",
                              "Payload": json.dumps(order["qty"] * 5)}])
        return {"Status": "SUCCEEDED", "Result": json.dumps({"price": order["qty"] * 5})}

    def test_typed_invoke(self):
        fn = create_function(self.b, "price", self.handler,
                             DurableConfig={"ExecutionTimeout": 600})
        self.assertEqual(fn.invoke({"qty": 3}), ({"price": 15}, None, "$LATEST"))
        self.assertIn("DurableExecutionArn", self.inputs[0])
        listed = self.b.call("lambda", "ListDurableExecutionsByFunction", FunctionName="price")
        self.assertEqual([e["Status"] for e in listed["DurableExecutions"]], ["SUCCEEDED"])
        self.assertEqual(listed["DurableExecutions"][0]["DurableExecutionArn"],
                         self.inputs[0]["DurableExecutionArn"])
        result, error, _ = fn.invoke({"qty": -1})
        self.assertEqual(error, "Unhandled")
        self.assertEqual(result, {"errorType": "ValueError",
                                  "errorMessage": "no such quantity"})


if __name__ == "__main__":
    unittest.main()
