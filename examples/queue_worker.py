"""A queue worker to copy (Python twin of queue_worker.c): long-poll for up
to 10 messages, handle each, delete what succeeded and leave what failed so
the visibility timeout brings it back; after 3 failed receives a message
moves to the dead-letter queue. A producer thread sends while the worker
runs; the blocked receive does not hold the GIL."""
import sys
import threading

from awsevents import Broker

JOBS = 20


def handle(text):
    """The work itself; job 13 always fails."""
    if text == "job 13":
        raise RuntimeError("cannot do " + text)


def work(queue, wait):
    """Runs until a long poll of `wait` seconds finds nothing."""
    done = 0
    while True:
        messages = queue.receive(max=10, wait=wait)
        if not messages:
            return done
        for m in messages:
            try:
                handle(m.text)
            except RuntimeError as e:
                print("failed %s (receive #%s), it will come back: %s"
                      % (m.text, m.attributes["ApproximateReceiveCount"], e))
                continue
            m.delete()  # only after the work succeeded: at-least-once
            done += 1


def main():
    with Broker() as broker:
        dlq = broker.create_queue("jobs-dlq")
        queue = broker.create_queue("jobs", attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": '{"deadLetterTargetArn": "%s", '
                             '"maxReceiveCount": 3}' % dlq.arn})
        producer = threading.Thread(target=lambda: [
            queue.send("job %d" % i) for i in range(JOBS)])
        producer.start()
        done = work(queue, wait=2)
        producer.join()
        dead = [m.text for m in dlq.receive(max=10)]
        print("handled %d jobs; in the dead-letter queue: %s" % (done, dead))
        return 0 if done == JOBS - 1 and dead == ["job 13"] else 1


if __name__ == "__main__":
    sys.exit(main())
