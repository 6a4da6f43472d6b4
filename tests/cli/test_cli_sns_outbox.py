"""`awsevents script` reads SNS's outbox through the tool's "awsevents"
pseudo-service: ReadSnsOutbox answers the SMS, email and push deliveries
(and clears them unless Keep), OptOutPhoneNumber plays a STOP reply."""
import json
import unittest

from cli_support import run


def script(lines):
    """`awsevents script --seed 7` over lines: the parsed output lines."""
    code, out, err = run("script", "--seed", "7",
                         stdin="".join(json.dumps(l) + "\n" for l in lines))
    assert code == 0, err
    return [json.loads(l) for l in out.splitlines()]


def outbox(keep=False):
    return {"service": "awsevents", "action": "ReadSnsOutbox", "request": {"Keep": keep}}


class SnsOutbox(unittest.TestCase):
    def test_read_keep_and_clear(self):
        out = script([
            {"service": "sns", "action": "Publish",
             "request": {"PhoneNumber": "+15551234567", "Message": "hello"}},
            outbox(keep=True),
            outbox(),
            outbox(),
        ])
        msg_id = out[0]["MessageId"]
        for read in out[1:3]:
            [sms] = read["Deliveries"]
            self.assertEqual((sms["Protocol"], sms["Destination"], sms["Message"],
                              sms["MessageId"]), ("sms", "+15551234567", "hello", msg_id))
            self.assertEqual(read["Dropped"], 0)
        self.assertEqual(out[3], {"Deliveries": [], "Dropped": 0})

    def test_opt_out_and_errors(self):
        out = script([
            {"service": "awsevents", "action": "OptOutPhoneNumber",
             "request": {"phoneNumber": "+15550001111"}},
            {"service": "sns", "action": "Publish",
             "request": {"PhoneNumber": "+15550001111", "Message": "m"}},
            outbox(),
            {"service": "awsevents", "action": "OptOutPhoneNumber",
             "request": {"phoneNumber": "x"}},
            {"service": "awsevents", "action": "ReadSnsOutbox",
             "request": {"Keep": "yes"}},
            {"service": "awsevents", "action": "Nope"},
        ])
        self.assertIn("MessageId", out[1])
        self.assertEqual(out[2]["Deliveries"], [])
        self.assertEqual(out[3]["__type"], "InvalidParameter")
        self.assertEqual(out[4]["__type"], "SerializationException")
        self.assertEqual(out[5]["__type"], "InvalidAction")

    def test_help_documents_it(self):
        code, out, err = run("script", "--help")
        self.assertIn("ReadSnsOutbox", out + err)


if __name__ == "__main__":
    unittest.main()
