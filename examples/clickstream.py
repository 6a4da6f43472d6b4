"""Clickstream in Python: page views into a Kinesis stream, a Firehose
delivery stream that upper-cases them with a Python transform and writes
S3-style objects under a directory, and a checkpointing reader that reads
every view once, in order per user, and resumes where it stopped."""
import json
import os
import sys
import tempfile

from awsevents import Broker

directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()

with Broker(clock="manual", workers=0) as b:
    clicks = b.create_stream("clicks", shards=2)
    archive = b.create_delivery_stream(
        "clicks-archive",
        {"DeliveryStreamType": "KinesisStreamAsSource",
         "KinesisStreamSourceConfiguration": {"KinesisStreamARN": clicks.arn},
         "ExtendedS3DestinationConfiguration": {
             "BucketARN": "arn:aws:s3:::clicks", "LocalDirectory": directory,
             "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}},
        transform=lambda records: [
            {"recordId": r["recordId"], "result": "Ok",
             "data": r["data"].upper()} for r in records])

    for i, user in enumerate(["ana", "bo", "cy", "di"] * 2):
        view = json.dumps({"user": user, "page": "/p/%d" % i}) + "\n"
        print("put", user, "->", clicks.put(view, user)["ShardId"])

    reader = clicks.reader()
    views = [json.loads(r.data) for r in reader]
    print("read", len(views), "views; checkpoints:", reader.checkpoints)

    b.advance(60 * 1000)  # the buffering interval passes
    for root, _, files in os.walk(directory):
        for f in files:
            print("object:", os.path.relpath(os.path.join(root, f), directory))
    metrics = archive.metrics()
    print("metrics:", metrics)
    assert metrics["DeliveredRecords"] == 8 and len(views) == 8
