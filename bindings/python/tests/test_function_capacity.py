"""Lambda Managed Instances through Broker.call: a capacity provider's
states on the broker clock, a function on it, its version's scaling
configuration, with the statuses and errors boto3 shows."""
import unittest

from awsevents import Broker, ClientError, register_handler

ROLE = "arn:aws:iam::000000000000:role/operator"
CP_ARN = "arn:aws:lambda:us-east-1:000000000000:capacity-provider:cp"


class CapacityProviders(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=7)
        self.events = []
        register_handler(self.b, "app.handler", lambda e, c: self.events.append(e) or e)

    def tearDown(self):
        self.b.close()

    def error(self, action, **req):
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", action, **req)
        return cm.exception.response["Error"]

    def test_provider_function_and_scaling(self):
        created = self.b.call("lambda", "CreateCapacityProvider", CapacityProviderName="cp",
                              VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": []},
                              PermissionsConfig={"CapacityProviderOperatorRoleArn": ROLE})
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(created["CapacityProvider"]["State"], "Pending")
        self.b.call("lambda", "CreateFunction", FunctionName="fn", Handler="app.handler",
                    Runtime="python3.13", Role="arn:aws:iam::000000000000:role/r",
                    CapacityProviderConfig={"LambdaManagedInstancesCapacityProviderConfig": {
                        "CapacityProviderArn": CP_ARN}})
        self.b.call("lambda", "PublishVersion", FunctionName="fn")
        err = self.error("Invoke", FunctionName="fn", Qualifier="1", Payload=b"{}")
        self.assertEqual(err["Code"], "ResourceConflictException")
        self.b.advance(60000)
        got = self.b.call("lambda", "GetCapacityProvider", CapacityProviderName="cp")
        self.assertEqual(got["CapacityProvider"]["State"], "Active")
        err = self.error("Invoke", FunctionName="fn", Payload=b"{}")
        self.assertEqual(err["Code"], "NoPublishedVersionException")
        self.assertEqual(self.b.call("lambda", "Invoke", FunctionName="fn", Qualifier="1",
                                     Payload=b'{"a": 1}')["StatusCode"], 200)
        self.assertEqual(self.events, [{"a": 1}])
        put = self.b.call("lambda", "PutFunctionScalingConfig", FunctionName="fn", Qualifier="1",
                          FunctionScalingConfig={"MinExecutionEnvironments": 0,
                                                 "MaxExecutionEnvironments": 4})
        self.assertEqual((put["ResponseMetadata"]["HTTPStatusCode"], put["FunctionState"]),
                         (202, "Active"))
        scaling = self.b.call("lambda", "GetFunctionScalingConfig", FunctionName="fn",
                              Qualifier="1")
        self.assertEqual(scaling["RequestedFunctionScalingConfig"],
                         {"MinExecutionEnvironments": 0, "MaxExecutionEnvironments": 4})
        versions = self.b.call("lambda", "ListFunctionVersionsByCapacityProvider",
                               CapacityProviderName="cp")["FunctionVersions"]
        self.assertEqual(len(versions), 2)
        err = self.error("DeleteCapacityProvider", CapacityProviderName="cp")
        self.assertEqual(err["Code"], "ResourceConflictException")
        self.b.call("lambda", "DeleteFunction", FunctionName="fn")
        deleted = self.b.call("lambda", "DeleteCapacityProvider", CapacityProviderName="cp")
        self.assertEqual(deleted["CapacityProvider"]["State"], "Deleting")
        self.b.advance(30000)
        self.assertEqual(self.b.call("lambda", "ListCapacityProviders")["CapacityProviders"], [])

    def test_timeout_up_to_90_minutes_on_a_provider(self):
        self.b.call("lambda", "CreateCapacityProvider", CapacityProviderName="cp",
                    VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": []},
                    PermissionsConfig={"CapacityProviderOperatorRoleArn": ROLE})
        on_provider = {"LambdaManagedInstancesCapacityProviderConfig": {
            "CapacityProviderArn": CP_ARN}}
        fn = self.b.call("lambda", "CreateFunction", FunctionName="fn", Handler="app.handler",
                         Runtime="python3.13", Role="arn:aws:iam::000000000000:role/r",
                         Timeout=5400, CapacityProviderConfig=on_provider)
        self.assertEqual(fn["Timeout"], 5400)
        err = self.error("CreateFunction", FunctionName="plain", Handler="app.handler",
                         Runtime="python3.13", Role="arn:aws:iam::000000000000:role/r",
                         Timeout=901)
        self.assertEqual(err["Code"], "ValidationException")
        self.assertIn("Member must have value less than or equal to 900", err["Message"])
        err = self.error("UpdateFunctionConfiguration", FunctionName="fn", Timeout=5401)
        self.assertIn("Member must have value less than or equal to 5400", err["Message"])
        self.assertEqual(self.b.call("lambda", "GetFunctionConfiguration",
                                     FunctionName="fn")["Timeout"], 5400)

    def test_validation_errors_together(self):
        err = self.error("CreateCapacityProvider", CapacityProviderName="bad name",
                         VpcConfig={"SubnetIds": [], "SecurityGroupIds": []},
                         PermissionsConfig={"CapacityProviderOperatorRoleArn": "role"})
        self.assertEqual(err["Code"], "ValidationException")
        self.assertTrue(err["Message"].startswith("3 validation errors detected"))
        self.assertEqual(self.b.call("lambda", "ListCapacityProviders")["CapacityProviders"], [])


if __name__ == "__main__":
    unittest.main()
