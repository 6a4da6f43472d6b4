"""Step Functions' HTTP Task (arn:aws:states:::http:invoke) from Python: a
Python callable stands for the endpoint (Broker.register_endpoint); the
request carries the connection's authorization and parameters merged over
the task's (the connection's win); the answer is the task's result
(StatusCode, StatusText, Headers, ResponseBody); a non-2xx answer fails as
States.Http.StatusCode.NNN, caught by name; an unreachable URL is
States.Http.Socket; TestState's TRACE shows the request and response,
what the connection adds only with revealSecrets."""
import json
import unittest

from awsevents import Broker


def http_task(conn_arn, **params):
    params = dict({"ApiEndpoint": "https://api.example/orders", "Method": "POST",
                   "Authentication": {"ConnectionArn": conn_arn}}, **params)
    return {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                 "Parameters": params,
                 "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404", "States.Http.Socket"],
                            "Next": "Caught"}],
                 "End": True},
        "Caught": {"Type": "Pass", "End": True}}}


class HttpTasks(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.requests = []
        self.answer = (200, {"id": "o7"}, {"Content-Type": "application/json"})

        def serve(request):
            self.requests.append(request)
            return self.answer
        self.b.register_endpoint("https://api.example/", serve)
        self.conn = self.b.call(
            "events", "CreateConnection", Name="c", AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                     "ApiKeyValue": "s3cr3t"},
                            "InvocationHttpParameters": {
                                "QueryStringParameters": [{"Key": "v", "Value": "conn"}],
                                "BodyParameters": [{"Key": "source", "Value": "conn"}]}})

    def tearDown(self):
        self.b.close()

    def run_task(self, **params):
        m = self.b.create_state_machine("m%d" % len(self.requests),
                                        http_task(self.conn["ConnectionArn"], **params))
        e = m.start({})
        e.wait()
        return e

    def test_request_and_result(self):
        e = self.run_task(QueryParameters={"v": "task", "page": 2},
                          RequestBody={"item": "book", "source": "task"})
        self.assertEqual(e.status, "SUCCEEDED")
        [r] = self.requests
        self.assertEqual((r.method, r.url), ("POST", "https://api.example/orders?v=conn&page=2"))
        self.assertEqual(r.headers["x-api-key"], "s3cr3t")
        self.assertEqual(r.headers["User-Agent"], "Amazon|StepFunctions|HttpInvoke|us-east-1")
        self.assertEqual(json.loads(r.body), {"item": "book", "source": "conn"})
        self.assertEqual(e.output["StatusCode"], 200)
        self.assertEqual(e.output["StatusText"], "OK")
        self.assertEqual(e.output["ResponseBody"], {"id": "o7"})
        self.assertEqual(e.output["Headers"]["Content-Type"], ["application/json"])

    def test_status_error_caught_by_name(self):
        self.answer = (404, "gone")
        e = self.run_task()
        self.assertEqual(e.status, "SUCCEEDED")
        self.assertEqual(e.output["Error"], "States.Http.StatusCode.404")
        self.assertEqual(json.loads(e.output["Cause"])["ResponseBody"], "gone")

    def test_unreachable_endpoint(self):
        e = self.run_task(ApiEndpoint="https://elsewhere.example/")
        self.assertEqual(e.output["Error"], "States.Http.Socket")
        self.assertEqual(self.requests, [])

    def test_test_state_trace(self):
        state = http_task(self.conn["ConnectionArn"], RequestBody={"item": "book"})["States"]["Call"]
        hidden = self.b.test_state(state, input={}, inspectionLevel="TRACE",
                                   roleArn="arn:aws:iam::000000000000:role/r")
        self.assertEqual(hidden["status"], "SUCCEEDED")
        request = hidden["inspectionData"]["request"]
        self.assertEqual(request["url"], "https://api.example/orders")
        self.assertNotIn("x-api-key", request["headers"])
        self.assertEqual(json.loads(request["body"]), {"item": "book"})
        response = hidden["inspectionData"]["response"]
        self.assertEqual((response["statusCode"], response["statusMessage"]), ("200", "OK"))
        shown = self.b.test_state(state, input={}, inspectionLevel="TRACE", revealSecrets=True,
                                  roleArn="arn:aws:iam::000000000000:role/r")
        request = shown["inspectionData"]["request"]
        self.assertEqual(request["url"], "https://api.example/orders?v=conn")
        self.assertIn("x-api-key: s3cr3t", request["headers"])
        self.assertEqual(json.loads(request["body"]), {"item": "book", "source": "conn"})


if __name__ == "__main__":
    unittest.main()
