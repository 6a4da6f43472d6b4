"""Order events through a bus, the Python twin of order_events.c: big
orders go to a queue reshaped by an input transformer; every order reaches
a Python function (a callable target) that publishes a notification to a
topic, whose queue subscriber receives it. Manual clock: same output every
run."""
import json

from awsevents import Broker
from awsevents.topic import Topic


def main():
    with Broker(clock="manual", workers=0, seed=2024) as b:
        bus = b.create_bus("shop")
        big = b.create_queue("big-orders")
        emails = b.create_queue("emails")
        topic = Topic.create(b, "order-notifications")
        topic.subscribe(emails, raw=True, protocol="sqs")

        bus.put_rule("big-orders", event_pattern={
            "source": ["shop"], "detail-type": ["Order Placed"],
            "detail": {"total": [{"numeric": [">", 100]}]}})
        bus.put_targets("big-orders", [{
            "Id": "queue", "Arn": big.arn,
            "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.id",
                                  "total": "$.detail.total"},
                "InputTemplate": '{"order": <id>, "total": <total>}'}}])

        def notify(detail):
            topic.publish("order event received: " + detail)

        bus.put_rule("all-orders", event_pattern={"source": ["shop"]})
        bus.add_callback_target("all-orders", "notify", notify,
                                InputPath="$.detail")

        result = bus.put_events([
            {"Source": "shop", "DetailType": "Order Placed",
             "Detail": {"id": "o-1", "total": 250}},
            {"Source": "shop", "DetailType": "Order Placed",
             "Detail": {"id": "o-2", "total": 20}}])
        print("PutEvents:", json.dumps(result))
        b.advance(1000)

        got = [m.text for m in big.receive(max=10)]
        for text in got:
            print("big-orders:", text)
        mails = [m.text for m in emails.receive(max=10)]
        for text in mails:
            print("emails:", text)
        assert [json.loads(t) for t in got] == [{"order": "o-1", "total": 250}]
        assert len(mails) == 2
        for thing in (big, emails, topic, bus):
            thing.close()


if __name__ == "__main__":
    main()
