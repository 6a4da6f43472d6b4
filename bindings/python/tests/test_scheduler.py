"""EventBridge Scheduler through Broker.call("scheduler", ...): a schedule
that sends to a queue on the manual clock, cron() in a time zone, groups,
and Scheduler's error codes."""
import datetime
import time
import unittest

from awsevents import Broker, ClientError

ACCT = "us-east-1:000000000000"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/000000000000/q"


class Scheduler(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.b.call("sqs", "CreateQueue", QueueName="q")

    def tearDown(self):
        self.b.close()

    def bodies(self):
        r = self.b.call("sqs", "ReceiveMessage", QueueUrl=QUEUE_URL,
                        MaxNumberOfMessages=10)
        return [m["Body"] for m in r.get("Messages", [])]

    def schedule(self, name, expression, **extra):
        return self.b.call(
            "scheduler", "CreateSchedule", Name=name,
            ScheduleExpression=expression,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:sqs:%s:q" % ACCT,
                    "RoleArn": "arn:aws:iam::000000000000:role/r",
                    "Input": "<aws.scheduler.scheduled-time>"},
            **extra)

    def test_rate_schedule_sends_to_a_queue(self):
        r = self.schedule("tick", "rate(10 minutes)")
        self.assertEqual(r["ScheduleArn"],
                         "arn:aws:scheduler:%s:schedule/default/tick" % ACCT)
        self.b.advance(20 * 60 * 1000)
        self.assertEqual(self.bodies(), ["2024-01-01T00:00:00Z",
                                         "2024-01-01T00:10:00Z",
                                         "2024-01-01T00:20:00Z"])
        got = self.b.call("scheduler", "GetSchedule", Name="tick")
        self.assertEqual(got["State"], "ENABLED")
        self.assertEqual(got["Target"]["RetryPolicy"],
                         {"MaximumEventAgeInSeconds": 86400,
                          "MaximumRetryAttempts": 185})

    def test_cron_in_a_time_zone(self):
        self.schedule("tokyo", "cron(0 9 * * ? *)",
                      ScheduleExpressionTimezone="Asia/Tokyo")
        self.b.advance(24 * 3600 * 1000)
        self.assertEqual(self.bodies(), ["2024-01-02T00:00:00Z"])

    def test_errors(self):
        with self.assertRaises(ClientError) as cm:
            self.schedule("bad", "rate(10 seconds)")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Invalid Schedule Expression rate(10 seconds).")
        self.schedule("one", "rate(1 day)")
        with self.assertRaises(ClientError) as cm:
            self.schedule("one", "rate(1 day)")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ConflictException")
        self.assertEqual(
            cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        with self.assertRaises(ClientError) as cm:
            self.b.call("scheduler", "DeleteSchedule", Name="none")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")
        self.assertEqual(
            cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_dates_are_datetimes_as_boto3_gives_them(self):
        self.schedule("d", "rate(1 day)")
        got = self.b.call("scheduler", "GetSchedule", Name="d")
        self.assertEqual(got["CreationDate"],
                         datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
        listed = self.b.call("scheduler", "ListSchedules")["Schedules"][0]
        self.assertIsInstance(listed["LastModificationDate"], datetime.datetime)

    def test_groups(self):
        arn = self.b.call("scheduler", "CreateScheduleGroup",
                          Name="g")["ScheduleGroupArn"]
        self.assertEqual(arn, "arn:aws:scheduler:%s:schedule-group/g" % ACCT)
        self.schedule("s", "rate(1 hour)", GroupName="g")
        names = [g["Name"] for g in
                 self.b.call("scheduler", "ListScheduleGroups")["ScheduleGroups"]]
        self.assertEqual(names, ["default", "g"])
        self.b.call("scheduler", "DeleteScheduleGroup", Name="g")
        self.assertEqual(
            self.b.call("scheduler", "ListSchedules")["Schedules"], [])


class RealClock(unittest.TestCase):
    def test_every_at_schedule_fires_on_the_wall_clock(self):
        # A schedule's timer is set on the monotonic clock for a wall-clock
        # instant; checked on firing against the wall clock, it must never
        # find itself early (and then never fire at all).
        with Broker(clock="real", workers=2) as b:
            url = b.call("sqs", "CreateQueue", QueueName="q")["QueueUrl"]
            when = datetime.datetime.fromtimestamp(
                int(b.now_ms / 1000) + 3, datetime.timezone.utc)
            at = "at(%s)" % when.strftime("%Y-%m-%dT%H:%M:%S")
            names = {"once%d" % i for i in range(20)}
            for name in names:
                b.call("scheduler", "CreateSchedule", Name=name,
                       ScheduleExpression=at,
                       FlexibleTimeWindow={"Mode": "OFF"},
                       Target={"Arn": "arn:aws:sqs:%s:q" % ACCT,
                               "RoleArn": "arn:aws:iam::000000000000:role/r",
                               "Input": name})
            got = set()
            # A long poll returns as soon as one message is there, and on a
            # busy machine the 20 firings trickle in: poll until all came
            # or a minute passed, far past the at() time.
            give_up = time.monotonic() + 60
            while got != names and time.monotonic() < give_up:
                r = b.call("sqs", "ReceiveMessage", QueueUrl=url,
                           MaxNumberOfMessages=10, WaitTimeSeconds=20)
                for m in r.get("Messages", []):
                    got.add(m["Body"])
                    b.call("sqs", "DeleteMessage", QueueUrl=url,
                           ReceiptHandle=m["ReceiptHandle"])
            self.assertEqual(got, names)


if __name__ == "__main__":
    unittest.main()
