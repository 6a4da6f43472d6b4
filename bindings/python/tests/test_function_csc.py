"""Code signing configurations and InvokeAsync through Broker.call, with
the shapes, statuses and errors boto3 shows."""
import unittest

from awsevents import Broker, ClientError, create_function

PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/test"
ZIP = ("UEsDBBQAAAAAAAAAIVg+YMYlBAAAAAQAAAANAAAAcHl0aG9uL2xpYi5weVg9MQpQSwECFAMUAAAAAAAAACFYPmDGJQQ"
       "AAAAEAAAADQAAAAAAAAAAAAAAgAEAAAAAcHl0aG9uL2xpYi5weVBLBQYAAAAAAQABADsAAAAvAAAAAAA=")


class CodeSigning(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=7)
        self.events = []
        self.fn = create_function(self.b, "fn", lambda e, c: self.events.append(e) or e)

    def tearDown(self):
        self.b.close()

    def error(self, action, **req):
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", action, **req)
        return cm.exception.response["Error"]

    def test_configuration_lifecycle(self):
        created = self.b.call("lambda", "CreateCodeSigningConfig",
                              AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
                              CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
                              Tags={"team": "a"})
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 201)
        csc = created["CodeSigningConfig"]
        self.assertRegex(csc["CodeSigningConfigArn"],
                         r"^arn:aws:lambda:us-east-1:000000000000:code-signing-config:"
                         r"csc-[a-z0-9]{17}$")
        arn = csc["CodeSigningConfigArn"]
        self.assertEqual(self.b.call("lambda", "ListTags", Resource=arn)["Tags"], {"team": "a"})
        put = self.b.call("lambda", "PutFunctionCodeSigningConfig", FunctionName="fn",
                          CodeSigningConfigArn=arn)
        self.assertEqual((put["CodeSigningConfigArn"], put["FunctionName"]), (arn, "fn"))
        err = self.error("UpdateFunctionCode", FunctionName="fn", ZipFile=ZIP)
        self.assertEqual(err["Code"], "CodeVerificationFailedException")
        err = self.error("DeleteCodeSigningConfig", CodeSigningConfigArn=arn)
        self.assertEqual(err["Code"], "ResourceConflictException")
        listed = self.b.call("lambda", "ListFunctionsByCodeSigningConfig",
                             CodeSigningConfigArn=arn)
        self.assertEqual(listed["FunctionArns"],
                         ["arn:aws:lambda:us-east-1:000000000000:function:fn"])
        warn = self.b.call("lambda", "CreateCodeSigningConfig",
                           AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})
        warn_arn = warn["CodeSigningConfig"]["CodeSigningConfigArn"]
        self.b.call("lambda", "PutFunctionCodeSigningConfig", FunctionName="fn",
                    CodeSigningConfigArn=warn_arn)
        self.assertEqual(self.b.call("lambda", "UpdateFunctionCode", FunctionName="fn",
                                     ZipFile=ZIP)["CodeSize"], 128)
        self.assertEqual(self.fn.metrics()["SignatureValidationErrors"], 1)
        removed = self.b.call("lambda", "DeleteFunctionCodeSigningConfig", FunctionName="fn")
        self.assertEqual(removed["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.b.call("lambda", "DeleteCodeSigningConfig", CodeSigningConfigArn=arn)
        err = self.error("GetCodeSigningConfig", CodeSigningConfigArn=arn)
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Message"],
                         "The Lambda code signing configuration %s can not be found." % arn)

    def test_invoke_async_takes_bytes_and_answers_202(self):
        r = self.b.call("lambda", "InvokeAsync", FunctionName="fn", InvokeArgs=b'{"n": 1}')
        self.assertEqual(r["Status"], 202)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(self.events, [])
        self.b.drain()
        self.assertEqual(self.events, [{"n": 1}])


if __name__ == "__main__":
    unittest.main()
