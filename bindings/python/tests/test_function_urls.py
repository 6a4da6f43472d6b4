"""Function URL configurations, recursive loop detection and runtime
management through Broker.call, with the shapes and errors boto3 shows.
The URL is recorded, not served."""
import re
import unittest

from awsevents import Broker, ClientError, create_function

ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"


class FunctionSettings(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=7)
        create_function(self.b, "fn", lambda e, c: e)
        self.b.call("lambda", "PublishVersion", FunctionName="fn")
        self.b.call("lambda", "CreateAlias", FunctionName="fn", Name="live", FunctionVersion="1")

    def tearDown(self):
        self.b.close()

    def call(self, action, **req):
        r = self.b.call("lambda", action, **req)
        r.pop("ResponseMetadata", None)
        return r

    def error(self, action, **req):
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", action, **req)
        return cm.exception.response["Error"]

    def test_url_config_lifecycle(self):
        created = self.call("CreateFunctionUrlConfig", FunctionName="fn",
                            Qualifier="live", AuthType="NONE",
                            Cors={"AllowOrigins": ["https://example.com"], "MaxAge": 60})
        self.assertRegex(created["FunctionUrl"],
                         r"^https://[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws/$")
        self.assertEqual(created["FunctionArn"], ARN + ":live")
        self.assertEqual(created["InvokeMode"], "BUFFERED")
        self.assertEqual(created["Cors"], {"AllowOrigins": ["https://example.com"], "MaxAge": 60})
        err = self.error("CreateFunctionUrlConfig", FunctionName="fn", Qualifier="live",
                         AuthType="NONE")
        self.assertEqual(err["Code"], "ResourceConflictException")
        updated = self.b.call("lambda", "UpdateFunctionUrlConfig", FunctionName="fn",
                              Qualifier="live", AuthType="AWS_IAM")
        self.assertEqual(updated["AuthType"], "AWS_IAM")
        self.assertEqual(updated["FunctionUrl"], created["FunctionUrl"])
        listed = self.b.call("lambda", "ListFunctionUrlConfigs", FunctionName="fn")
        self.assertEqual([c["FunctionArn"] for c in listed["FunctionUrlConfigs"]], [ARN + ":live"])
        self.b.call("lambda", "DeleteFunctionUrlConfig", FunctionName="fn", Qualifier="live")
        err = self.error("GetFunctionUrlConfig", FunctionName="fn", Qualifier="live")
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"], "The resource you requested does not exist.")

    def test_url_config_refuses_versions(self):
        err = self.error("CreateFunctionUrlConfig", FunctionName="fn", Qualifier="1",
                         AuthType="NONE")
        self.assertEqual(err["Code"], "ValidationException")
        self.assertIn("Value '1' at 'qualifier'", err["Message"])
        self.assertEqual(self.b.call("lambda", "ListFunctionUrlConfigs",
                                     FunctionName="fn")["FunctionUrlConfigs"], [])

    def test_recursion_config(self):
        get = lambda: self.b.call("lambda", "GetFunctionRecursionConfig", FunctionName="fn")
        self.assertEqual(get()["RecursiveLoop"], "Terminate")
        self.b.call("lambda", "PutFunctionRecursionConfig", FunctionName="fn", RecursiveLoop="Allow")
        self.assertEqual(get()["RecursiveLoop"], "Allow")
        err = self.error("PutFunctionRecursionConfig", FunctionName="fn", RecursiveLoop="Maybe")
        self.assertEqual(err["Code"], "ValidationException")
        self.assertEqual(get()["RecursiveLoop"], "Allow")

    def test_runtime_management_config(self):
        rt = "arn:aws:lambda:us-east-1::runtime:" + "ab" * 32
        got = self.call("GetRuntimeManagementConfig", FunctionName="fn")
        self.assertEqual(got, {"UpdateRuntimeOn": "Auto", "FunctionArn": ARN})
        put = self.call("PutRuntimeManagementConfig", FunctionName="fn",
                        Qualifier="1", UpdateRuntimeOn="Manual", RuntimeVersionArn=rt)
        self.assertEqual(put, {"UpdateRuntimeOn": "Manual", "FunctionArn": ARN + ":1",
                               "RuntimeVersionArn": rt})
        err = self.error("PutRuntimeManagementConfig", FunctionName="fn", UpdateRuntimeOn="Manual")
        self.assertEqual(err["Code"], "InvalidParameterValueException")
        self.assertEqual(self.b.call("lambda", "GetRuntimeManagementConfig", FunctionName="fn",
                                     Qualifier="1")["RuntimeVersionArn"], rt)


if __name__ == "__main__":
    unittest.main()
