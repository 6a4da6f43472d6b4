"""The role a state machine made from Python runs as: create_state_machine's
role_arn, checked as CreateStateMachine's roleArn is and answered by
DescribeStateMachine, the execution's history and $$.Execution.RoleArn."""
import unittest

from awsevents import Broker, ClientError

ROLE = "arn:aws:iam::123456789012:role/sfn"
ECHO_ROLE = {"StartAt": "P", "States": {"P": {
    "Type": "Pass", "Parameters": {"role.$": "$$.Execution.RoleArn"},
    "End": True}}}


class StateMachineRole(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)

    def tearDown(self):
        self.b.close()

    def test_role_is_answered(self):
        m = self.b.create_state_machine("m", ECHO_ROLE, role_arn=ROLE)
        self.assertEqual(m.describe()["roleArn"], ROLE)
        described = self.b.call("states", "DescribeStateMachine",
                                stateMachineArn=m.arn)
        self.assertEqual(described["roleArn"], ROLE)
        e = m.start()
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output, {"role": ROLE})
        started = e.history[0]["executionStartedEventDetails"]
        self.assertEqual(started["roleArn"], ROLE)

    def test_default_role(self):
        m = self.b.create_state_machine("m", ECHO_ROLE)
        self.assertEqual(m.describe()["roleArn"],
                         "arn:aws:iam::000000000000:role/awsevents")

    def test_bad_role_creates_nothing(self):
        for role, code in (("admin", "InvalidArn"),
                           ("arn:aws:iam::aws:policy/AWSBatchFullAccess",
                            "InvalidArn"),
                           ("", "ValidationException")):
            with self.assertRaises(ClientError) as cm:
                self.b.create_state_machine("m", ECHO_ROLE, role_arn=role)
            self.assertEqual(cm.exception.response["Error"]["Code"], code)
        self.assertEqual(
            self.b.call("states", "ListStateMachines")["stateMachines"], [])
        with self.assertRaises(TypeError):
            self.b.create_state_machine("m", ECHO_ROLE, role_arn=b"bytes")

    def test_create_again_keeps_the_first_role(self):
        first = self.b.create_state_machine("m", ECHO_ROLE, role_arn=ROLE)
        again = self.b.create_state_machine(
            "m", ECHO_ROLE, role_arn="arn:aws:iam::123456789012:role/other")
        self.assertEqual(again.arn, first.arn)
        self.assertEqual(again.describe()["roleArn"], ROLE)


if __name__ == "__main__":
    unittest.main()
