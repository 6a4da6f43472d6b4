"""A topic fanning out to queues with different filter policies, and a Python
callable standing for an https endpoint that fails once and is retried on
SNS's schedule (Python twin of fanout.c). Runs on the manual clock."""
import json
import sys

from awsevents import Broker


def main():
    with Broker(clock="manual", workers=0) as broker:
        orders = broker.create_topic("orders")
        all_orders = broker.create_queue("all-orders")
        big = broker.create_queue("big-orders")
        eu = broker.create_queue("eu-orders")
        orders.subscribe(all_orders)
        orders.subscribe(big, raw=True,
                         filter_policy={"amount": [{"numeric": [">=", 100]}]})
        orders.subscribe(eu, raw=True, scope="MessageBody",
                         filter_policy={"region": [{"prefix": "eu-"}]})

        posts = []

        def webhook(body, message_type):
            posts.append(json.loads(body)["Message"])
            print("webhook: %s #%d" % (message_type, len(posts)))
            return 503 if len(posts) == 1 else 200

        orders.subscribe(webhook)  # confirmed automatically
        broker.drain()

        orders.publish(json.dumps({"id": 1, "region": "eu-west-1"}),
                       attributes={"amount": 250})
        orders.publish(json.dumps({"id": 2, "region": "us-east-1"}),
                       attributes={"amount": 20})
        broker.drain()
        broker.advance(20000)  # the failed POST is retried 20 s later

        got = {}
        for q in (all_orders, big, eu):
            got[q.name] = [m.text for m in q.receive(max=10)]
        # all-orders has SNS envelopes: the order is their Message.
        print("all-orders", [json.loads(e)["Message"] for e in got["all-orders"]])
        print("big-orders", got["big-orders"])
        print("eu-orders", got["eu-orders"])
        counters = orders.counters()
        print("delivered %d, filtered out %d" % (
            counters["NumberOfNotificationsDelivered"],
            counters["NumberOfNotificationsFilteredOut"]))
        ok = (len(got["all-orders"]) == 2 and len(got["big-orders"]) == 1
              and len(got["eu-orders"]) == 1 and len(posts) == 3)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
