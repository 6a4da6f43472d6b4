"""An order saga on Step Functions (Python twin of order_saga.c): reserve
stock -> charge the card -> ship, each step a Python function. A step that
raises is caught (its exception's class name is Lambda's errorType) and the
steps already done are undone in reverse (refund, release) before the
execution fails with OrderFailed. A transient PaymentTimeout is retried
after 2 s of broker time: the manual clock jumps over the wait."""
import sys

from awsevents import Broker, create_function


class PaymentTimeout(Exception):
    pass


class CardDeclined(Exception):
    pass


class NoCourier(Exception):
    pass


def task(fn, **fields):
    return dict({"Type": "Task", "Resource": fn.arn}, **fields)


def main():
    with Broker(clock="manual", workers=0) as broker:
        visited = []
        attempts = {}

        def step(name, body):
            def handler(event, context):
                visited.append(name)
                undoing = event.get("error", {}).get("Error")
                print("  %-8s %s%s" % (name, event["id"], " (undoing after %s)" % undoing
                                       if undoing else ""))
                return body(event)
            return handler

        def charge(order):
            attempts[order["id"]] = attempts.get(order["id"], 0) + 1
            if order["card"] == "flaky" and attempts[order["id"]] == 1:
                raise PaymentTimeout("the card processor did not answer")
            if order["card"] == "declined":
                raise CardDeclined("insufficient funds")
            return {"charged": True}

        def ship(order):
            if order["country"] == "AQ":
                raise NoCourier("no courier delivers to AQ")
            return {"tracking": "TRK-1"}

        fns = {name: create_function(broker, name, step(name, body)) for name, body in [
            ("reserve", lambda order: {"held": True}), ("charge", charge), ("ship", ship),
            ("refund", lambda order: {}), ("release", lambda order: {})]}
        catch_all = lambda undo: [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                   "Next": undo}]
        saga = broker.create_state_machine("order-saga", {
            "StartAt": "Reserve",
            "States": {
                "Reserve": task(fns["reserve"], ResultPath="$.reservation", Next="Charge"),
                "Charge": task(fns["charge"], ResultPath="$.payment", Next="Ship",
                               Retry=[{"ErrorEquals": ["PaymentTimeout"], "IntervalSeconds": 2,
                                       "MaxAttempts": 2}],
                               Catch=catch_all("Release")),
                "Ship": task(fns["ship"], ResultPath="$.shipment", End=True,
                             Catch=catch_all("Refund")),
                "Refund": task(fns["refund"], ResultPath=None, Next="Release"),
                "Release": task(fns["release"], ResultPath=None, Next="Failed"),
                "Failed": {"Type": "Fail", "Error": "OrderFailed",
                           "Cause": "the order was rolled back"}}})

        ok = True
        for order, want, steps in [
                ({"id": "o1", "card": "flaky", "country": "DE"}, "SUCCEEDED",
                 ["reserve", "charge", "charge", "ship"]),
                ({"id": "o2", "card": "declined", "country": "DE"}, "FAILED",
                 ["reserve", "charge", "release"]),
                ({"id": "o3", "card": "ok", "country": "AQ"}, "FAILED",
                 ["reserve", "charge", "ship", "refund", "release"])]:
            print("order %s" % order)
            visited.clear()
            started = broker.now_ms
            e = saga.start(order)
            status = e.wait()
            print("  -> %s after %d s of broker time" % (status, (broker.now_ms - started) // 1000))
            if status == "FAILED":
                print("     %s: %s" % (e.error, e.cause))
            ok &= status == want and visited == steps
            ok &= status != "FAILED" or e.error == "OrderFailed"
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
