"""Lambda layers through Broker.call: PublishLayerVersion with the
package's bytes as boto3 sends them, GetLayerVersion, ListLayerVersions,
a function's Layers, and AWS's error for a missing layer version."""
import base64
import hashlib
import io
import unittest
import zipfile

from awsevents import Broker, ClientError, create_function

ARN = "arn:aws:lambda:us-east-1:000000000000:layer:"


def package():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("python/lib.py", (2024, 1, 1, 0, 0, 0)), "X = 1\n")
    return buf.getvalue()


class Layers(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)

    def tearDown(self):
        self.b.close()

    def test_publish_get_list_and_use(self):
        data = package()
        v1 = self.b.call("lambda", "PublishLayerVersion", LayerName="deps",
                         Content={"ZipFile": data}, CompatibleRuntimes=["python3.12"])
        self.assertEqual(v1["Version"], 1)
        self.assertEqual(v1["LayerVersionArn"], ARN + "deps:1")
        self.assertEqual(v1["Content"]["CodeSize"], len(data))
        self.assertEqual(v1["Content"]["CodeSha256"],
                         base64.b64encode(hashlib.sha256(data).digest()).decode())
        self.b.call("lambda", "PublishLayerVersion", LayerName="deps", Content={"ZipFile": data})
        got = self.b.call("lambda", "GetLayerVersion", LayerName="deps", VersionNumber=1)
        self.assertEqual(got["CompatibleRuntimes"], ["python3.12"])
        listed = self.b.call("lambda", "ListLayerVersions", LayerName="deps")["LayerVersions"]
        self.assertEqual([v["Version"] for v in listed], [2, 1])

        create_function(self.b, "f", lambda e, c: e)
        conf = self.b.call("lambda", "UpdateFunctionConfiguration", FunctionName="f",
                           Layers=[ARN + "deps:2"])
        self.assertEqual(conf["Layers"], [{"Arn": ARN + "deps:2", "CodeSize": len(data)}])

    def test_missing_layer_version_changes_nothing(self):
        create_function(self.b, "f", lambda e, c: e)
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "UpdateFunctionConfiguration", FunctionName="f",
                        Layers=[ARN + "nope:1"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValueException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         f"Layer version {ARN}nope:1 does not exist.")
        conf = self.b.call("lambda", "GetFunctionConfiguration", FunctionName="f")
        self.assertNotIn("Layers", conf)


if __name__ == "__main__":
    unittest.main()
