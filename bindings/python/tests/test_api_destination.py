"""EventBridge API destinations from Python: a rule whose target is an API
destination delivers to a Python callable standing for the HTTP endpoint
(Broker.register_endpoint), with the request AWS sends; 429 is retried, 400
goes straight to the dead-letter queue; an OAuth connection asks its token
endpoint; connections never show their secrets back."""
import email.utils
import json
import threading
import unittest

from awsevents import Broker, ClientError, HttpRequest


class ApiDestinations(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.bus = self.b.get_bus()
        self.dlq = self.b.create_queue("dlq")
        self.requests = []

    def tearDown(self):
        self.dlq.close()
        self.bus.close()
        self.b.close()

    def destination(self, auth_type, auth, endpoint="https://api.example/orders/*"):
        conn = self.b.call("events", "CreateConnection", Name="c",
                           AuthorizationType=auth_type, AuthParameters=auth)
        dest = self.b.call("events", "CreateApiDestination", Name="d",
                           ConnectionArn=conn["ConnectionArn"], HttpMethod="POST",
                           InvocationEndpoint=endpoint)
        self.bus.put_rule("r", event_pattern={"source": ["shop"]})
        self.b.call("events", "PutTargets", Rule="r", Targets=[{
            "Id": "api", "Arn": dest["ApiDestinationArn"],
            "HttpParameters": {"PathParameterValues": ["$.detail.id"],
                               "QueryStringParameters": {"v": "2"}},
            "RetryPolicy": {"MaximumRetryAttempts": 3},
            "DeadLetterConfig": {"Arn": self.dlq.arn}}])
        return dest

    def endpoint(self, *answers):
        answers = list(answers)

        def serve(request):
            self.requests.append(request)
            return answers.pop(0) if answers else 200
        self.b.register_endpoint("https://api.example/", serve)

    def test_request_as_aws_sends_it(self):
        self.destination("API_KEY", {"ApiKeyAuthParameters": {
            "ApiKeyName": "x-api-key", "ApiKeyValue": "s3cr3t"}})
        self.endpoint((201, {"ok": True}))
        self.bus.put_event("shop", "order", {"id": "o7"})
        self.b.drain()
        [r] = self.requests
        self.assertIsInstance(r, HttpRequest)
        self.assertEqual((r.method, r.url), ("POST", "https://api.example/orders/o7?v=2"))
        self.assertEqual(r.headers["x-api-key"], "s3cr3t")
        self.assertEqual(r.headers["User-Agent"], "Amazon/EventBridge/ApiDestinations")
        self.assertEqual(r.headers["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(json.loads(r.body)["detail"], {"id": "o7"})
        self.assertEqual(self.dlq.receive(max=10), [])

    def test_429_is_retried(self):
        self.destination("BASIC", {"BasicAuthParameters": {
            "Username": "u", "Password": "p"}})
        self.endpoint(429, 429, (200, "fine"))
        self.bus.put_event("shop", "order", {"id": "o1"})
        self.b.advance(60 * 1000)
        self.assertEqual(len(self.requests), 3)
        self.assertEqual(self.requests[0].headers["Authorization"], "Basic dTpw")
        self.assertEqual(self.dlq.receive(max=10), [])

    def test_retry_after_waits_longer_than_the_backoff(self):
        self.destination("BASIC", {"BasicAuthParameters": {
            "Username": "u", "Password": "p"}})
        times = []

        def busy(request):
            times.append(self.b.now_ms)
            return (503, "busy", {"Retry-After": "300"}) if len(times) == 1 else 200
        self.b.register_endpoint("https://api.example/", busy)
        self.bus.put_event("shop", "order", {"id": "o5"})
        self.b.advance(600 * 1000)
        self.assertEqual(len(times), 2)
        self.assertEqual(times[1] - times[0], 300 * 1000)

    def test_retry_after_as_an_http_date(self):
        self.destination("BASIC", {"BasicAuthParameters": {
            "Username": "u", "Password": "p"}})
        times = []

        def busy(request):
            times.append(self.b.now_ms)
            when = email.utils.formatdate(self.b.now_ms / 1000 + 90, usegmt=True)
            return (503, "busy", {"Retry-After": when}) if len(times) == 1 else 200
        self.b.register_endpoint("https://api.example/", busy)
        self.bus.put_event("shop", "order", {"id": "o6"})
        self.b.advance(600 * 1000)
        self.assertEqual(len(times), 2)
        self.assertEqual(times[1] - times[0], 90 * 1000)

    def test_connection_body_parameters_join_the_event(self):
        self.destination("API_KEY", {
            "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"},
            "InvocationHttpParameters": {"BodyParameters": [
                {"Key": "tenant", "Value": "t1"},
                {"Key": "token", "Value": "hidden", "IsValueSecret": True}]}})
        self.endpoint()
        self.bus.put_event("shop", "order", {"id": "o8"})
        self.b.drain()
        [r] = self.requests
        body = json.loads(r.body)
        self.assertEqual((body["tenant"], body["token"]), ("t1", "hidden"))
        self.assertEqual(body["detail"], {"id": "o8"})
        described = self.b.call("events", "DescribeConnection", Name="c")
        self.assertNotIn("hidden", json.dumps(described, default=str))

    def test_400_goes_to_the_dead_letter_queue(self):
        dest = self.destination("BASIC", {"BasicAuthParameters": {
            "Username": "u", "Password": "p"}})
        self.endpoint(400)
        self.bus.put_event("shop", "order", {"id": "o2"})
        self.b.advance(60 * 1000)
        self.assertEqual(len(self.requests), 1)
        [m] = self.dlq.receive(max=10)
        attrs = m.message_attributes
        self.assertEqual(attrs["TARGET_ARN"]["StringValue"], dest["ApiDestinationArn"])
        self.assertEqual(attrs["ERROR_CODE"]["StringValue"], "ERROR_FROM_TARGET")
        self.assertEqual(attrs["RETRY_ATTEMPTS"]["StringValue"], "0")
        self.assertEqual(json.loads(m.body)["detail"], {"id": "o2"})

    def test_raising_callable_answers_500_and_is_retried(self):
        self.destination("BASIC", {"BasicAuthParameters": {
            "Username": "u", "Password": "p"}})
        calls = []

        def broken(request):
            calls.append(request)
            raise RuntimeError("down")
        self.b.register_endpoint("https://api.example/", broken)
        self.bus.put_event("shop", "order", {"id": "o3"})
        self.b.advance(3600 * 1000)
        self.assertEqual(len(calls), 4)
        [m] = self.dlq.receive(max=10)
        self.assertEqual(m.message_attributes["EXHAUSTED_RETRY_CONDITION"]["StringValue"],
                         "MaximumRetryAttempts")

    def test_oauth_token_endpoint_and_secrets(self):
        tokens = []

        def token(request):
            tokens.append(request)
            return 200, {"access_token": "T0K", "token_type": "Bearer"}
        self.b.register_endpoint("https://auth.example/", token)
        self.endpoint()
        self.destination("OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": {
            "AuthorizationEndpoint": "https://auth.example/token",
            "HttpMethod": "POST",
            "ClientParameters": {"ClientID": "id", "ClientSecret": "very-secret"}}})
        self.b.drain()
        self.assertEqual(len(tokens), 1)
        described = self.b.call("events", "DescribeConnection", Name="c")
        self.assertEqual(described["ConnectionState"], "AUTHORIZED")
        self.assertNotIn("very-secret", json.dumps(described, default=str))
        self.bus.put_event("shop", "order", {"id": "o4"})
        self.b.drain()
        self.assertEqual(self.requests[0].headers["Authorization"], "Bearer T0K")

    def test_errors(self):
        with self.assertRaises(ClientError) as cm:
            self.b.call("events", "DescribeApiDestination", Name="nope")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")
        with self.assertRaises(ClientError) as cm:
            self.b.remove_endpoint("https://nowhere/")
        with self.assertRaises(TypeError):
            self.b.register_endpoint("https://x/", "not callable")


class RealClock(unittest.TestCase):
    def test_endpoint_called_on_a_handler_thread(self):
        called = threading.Event()
        seen = []

        def serve(request):
            seen.append((threading.current_thread() is threading.main_thread(),
                         request.url))
            called.set()
            return 204
        with Broker(clock="real", workers=2) as b:
            b.register_endpoint("https://api.example/", serve)
            conn = b.call("events", "CreateConnection", Name="c",
                          AuthorizationType="API_KEY", AuthParameters={
                              "ApiKeyAuthParameters": {"ApiKeyName": "k",
                                                       "ApiKeyValue": "v"}})
            dest = b.call("events", "CreateApiDestination", Name="d",
                          ConnectionArn=conn["ConnectionArn"], HttpMethod="POST",
                          InvocationEndpoint="https://api.example/hook")
            b.call("events", "PutRule", Name="r", EventPattern='{"source":["s"]}')
            b.call("events", "PutTargets", Rule="r", Targets=[
                {"Id": "t", "Arn": dest["ApiDestinationArn"]}])
            b.call("events", "PutEvents", Entries=[
                {"Source": "s", "DetailType": "d", "Detail": "{}"}])
            self.assertTrue(called.wait(10))
        self.assertEqual(seen, [(False, "https://api.example/hook")])


if __name__ == "__main__":
    unittest.main()
