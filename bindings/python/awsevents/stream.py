"""Kinesis streams over the typed C API (ctypes): Stream, and a
checkpointing StreamReader that reads every shard in order across
resharding (parents before children), as the KCL does for its users.

    s = broker.create_stream("clicks", shards=4)
    s.put(b"hello", "user-1")
    it = s.iterator("shardId-000000000000", "TRIM_HORIZON")
    out = s.get_records(it)
    reader = s.reader()
    for rec in reader:            # every record so far, parents first
        handle(rec.data)
    saved = reader.checkpoints    # {shard id: last sequence number read}

Errors raise ClientError with Kinesis's codes (ResourceNotFoundException,
ProvisionedThroughputExceededException, ExpiredIteratorException, ...).
"""
import json
from ctypes import (byref, c_char_p, c_int64, c_size_t, c_void_p,
                    create_string_buffer, string_at)

from . import _lib
from ._handle import Handle, Owned
from .errors import checker

lib = _lib.lib

_SHARD_ID_SIZE = 21
_SEQ_SIZE = 57
ON_DEMAND = 0
SHARD_END = "SHARD_END"


_check = checker("kinesis")


def _take_json(ptr):
    try:
        return json.loads(string_at(ptr).decode())
    finally:
        lib.aev_free(ptr)


def _bytes(data):
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


class Record:
    """A record read from a shard: data (bytes), partition_key,
    sequence_number, arrival_ms, shard_id."""

    __slots__ = ("data", "partition_key", "sequence_number", "arrival_ms",
                 "shard_id")

    def __init__(self, shard_id, data, partition_key, sequence_number,
                 arrival_ms):
        self.shard_id = shard_id
        self.data = data
        self.partition_key = partition_key
        self.sequence_number = sequence_number
        self.arrival_ms = arrival_ms

    def __repr__(self):
        return "Record(%s, %r, key=%r)" % (self.shard_id, self.data,
                                           self.partition_key)


class Stream(Owned):
    """A Kinesis data stream of a Broker (Broker.create_stream /
    Broker.get_stream). The handle keeps the stream alive until close()."""

    def __init__(self, broker, ptr):
        self._broker = broker
        self._handle = Handle(ptr, lib.aev_stream_release, "Stream")
        with self._handle as s:
            self.name = lib.aev_stream_name(s).decode()
            self.arn = lib.aev_stream_arn(s).decode()

    def __repr__(self):
        return "Stream(%r)" % self.arn

    def _json(self, operation, fn, *args):
        out = c_void_p()
        with self._handle as s:
            _check(fn(s, *args, byref(out)), operation)
        return _take_json(out.value)

    # ---- administration ----

    def delete(self, enforce_consumer_deletion=False):
        with self._handle as s:
            _check(lib.aev_stream_delete(s, int(enforce_consumer_deletion)),
                   "DeleteStream")

    def describe(self):
        """DescribeStream's StreamDescription."""
        return self._json("DescribeStream", lib.aev_stream_describe)

    def summary(self):
        """DescribeStreamSummary's StreamDescriptionSummary."""
        return self._json("DescribeStreamSummary",
                          lib.aev_stream_describe_summary)

    def shards(self, shard_filter=None):
        """ListShards, every page: a list of AWS's Shard dicts."""
        req = {"ShardFilter": shard_filter} if shard_filter else {}
        shards = []
        while True:
            page = self._json("ListShards", lib.aev_stream_list_shards,
                              json.dumps(req).encode())
            shards += page["Shards"]
            if "NextToken" not in page:
                return shards
            req = {"NextToken": page["NextToken"]}

    def increase_retention(self, hours):
        with self._handle as s:
            _check(lib.aev_stream_increase_retention(
                s, _lib.integer(hours, "hours")),
                   "IncreaseStreamRetentionPeriod")

    def decrease_retention(self, hours):
        with self._handle as s:
            _check(lib.aev_stream_decrease_retention(
                s, _lib.integer(hours, "hours")),
                   "DecreaseStreamRetentionPeriod")

    def set_throttling(self, on):
        """Per-shard throughput limits (on by default, as in AWS)."""
        with self._handle as s:
            _check(lib.aev_stream_set_throttling(s, int(bool(on))),
                   "SetThrottling")

    def split(self, shard_id, new_starting_hash_key):
        with self._handle as s:
            _check(lib.aev_stream_split_shard(
                s, shard_id.encode(), str(new_starting_hash_key).encode()),
                "SplitShard")

    def merge(self, shard_id, adjacent_shard_id):
        with self._handle as s:
            _check(lib.aev_stream_merge_shards(
                s, shard_id.encode(), adjacent_shard_id.encode()),
                "MergeShards")

    def update_shard_count(self, target):
        with self._handle as s:
            _check(lib.aev_stream_update_shard_count(
                s, _lib.integer(target, "target")),
                   "UpdateShardCount")

    # ---- records ----

    def put(self, data, partition_key, explicit_hash_key=None):
        """PutRecord: {"ShardId", "SequenceNumber"}."""
        data = _bytes(data)
        shard = create_string_buffer(_SHARD_ID_SIZE)
        seq = create_string_buffer(_SEQ_SIZE)
        hk = str(explicit_hash_key).encode() if explicit_hash_key is not None \
            else None
        with self._handle as s:
            _check(lib.aev_stream_put(s, data, len(data),
                                      partition_key.encode(), hk, None, shard,
                                      seq), "PutRecord")
        return {"ShardId": shard.value.decode(),
                "SequenceNumber": seq.value.decode()}

    def put_records(self, records):
        """PutRecords: records are dicts with Data and PartitionKey (and
        ExplicitHashKey), or (data, partition_key) pairs. Returns boto3's
        {"FailedRecordCount", "Records": [...]}, in request order."""
        recs = [r if isinstance(r, dict) else
                {"Data": r[0], "PartitionKey": r[1]} for r in records]
        n = len(recs)
        datas = [_bytes(r["Data"]) for r in recs]
        data_arr = (c_char_p * max(n, 1))(*datas)
        lens = (c_size_t * max(n, 1))(*[len(d) for d in datas])
        keys = (c_char_p * max(n, 1))(*[r["PartitionKey"].encode()
                                        for r in recs])
        hks = (c_char_p * max(n, 1))(*[
            str(r["ExplicitHashKey"]).encode() if "ExplicitHashKey" in r
            else None for r in recs])
        out = c_void_p()
        with self._handle as s:
            _check(lib.aev_stream_put_records(s, n, data_arr, lens, keys, hks,
                                              byref(out)), "PutRecords")
        try:
            res = {"FailedRecordCount":
                   lib.aev_put_result_failed_count(out), "Records": []}
            for i in range(n):
                seq = lib.aev_put_result_sequence_number(out, i)
                if seq is not None:
                    res["Records"].append({
                        "SequenceNumber": seq.decode(),
                        "ShardId": lib.aev_put_result_shard_id(out, i)
                        .decode()})
                else:
                    res["Records"].append({
                        "ErrorCode": lib.aev_put_result_error_code(out, i)
                        .decode(),
                        "ErrorMessage": lib.aev_put_result_error_message(
                            out, i).decode()})
            return res
        finally:
            lib.aev_put_result_free(out)

    def iterator(self, shard_id, type="TRIM_HORIZON", sequence_number=None,
                 timestamp_ms=0):
        """GetShardIterator: the iterator text (valid 5 minutes)."""
        out = c_void_p()
        seq = sequence_number.encode() if sequence_number else None
        with self._handle as s:
            _check(lib.aev_stream_iterator(s, shard_id.encode(),
                                           type.encode(), seq,
                                           _lib.integer(
                                               timestamp_ms, "timestamp_ms",
                                               ctype=c_int64),
                                           byref(out)), "GetShardIterator")
        try:
            return string_at(out.value).decode()
        finally:
            lib.aev_free(out.value)

    def get_records(self, iterator, limit=None):
        """GetRecords: {"Records": [{"Data": bytes, "PartitionKey",
        "SequenceNumber", "ApproximateArrivalTimestamp" (epoch ms)}],
        "NextShardIterator" (None at the end of a closed shard),
        "MillisBehindLatest", and "ChildShards" at a shard's end}."""
        return get_records(self._broker, iterator, limit)

    def reader(self, checkpoints=None, limit=10000):
        """A StreamReader from these checkpoints (default: the start)."""
        return StreamReader(self, checkpoints, limit)


def get_records(broker, iterator, limit=None):
    out = broker._out(_check, "GetRecords", lib.aev_stream_get_records,
                      iterator.encode(),
                      0 if limit is None else _lib.integer(limit, "limit"))
    r = out.value
    try:
        recs = []
        size = c_size_t()
        for i in range(lib.aev_records_count(r)):
            ptr = lib.aev_records_data(r, i, byref(size))
            recs.append({
                "Data": string_at(ptr, size.value),
                "PartitionKey": lib.aev_records_partition_key(r, i).decode(),
                "SequenceNumber": lib.aev_records_sequence_number(r, i)
                .decode(),
                "ApproximateArrivalTimestamp": lib.aev_records_arrival_ms(r, i),
            })
        nxt = lib.aev_records_next_iterator(r)
        res = {"Records": recs,
               "NextShardIterator": nxt.decode() if nxt else None,
               "MillisBehindLatest": lib.aev_records_millis_behind(r)}
        children = lib.aev_records_child_shards(r)
        if children:
            res["ChildShards"] = json.loads(children.decode())
        return res
    finally:
        lib.aev_records_free(r)


class StreamReader:
    """Reads every record of a stream once, shard by shard, parents before
    children (so each partition key's records come in order across
    resharding), resuming after its checkpoints. Iterating yields Records
    up to the tip; iterate again later for what arrived since.
    checkpoints maps a shard id to the last sequence number yielded, or
    SHARD_END for a shard read to its end."""

    def __init__(self, stream, checkpoints=None, limit=10000):
        self.stream = stream
        self.checkpoints = dict(checkpoints or {})
        self.limit = limit

    def _ready(self, shard, known):
        for key in ("ParentShardId", "AdjacentParentShardId"):
            parent = shard.get(key)
            if parent in known and self.checkpoints.get(parent) != SHARD_END:
                return False
        return True

    def __iter__(self):
        # Each pass reads every ready shard to its tip; another pass is
        # needed only when a shard ended, as its children may now be ready.
        ended = True
        while ended:
            ended = False
            shards = self.stream.shards()
            known = {s["ShardId"] for s in shards}
            for shard in shards:
                sid = shard["ShardId"]
                if self.checkpoints.get(sid) == SHARD_END or \
                        not self._ready(shard, known):
                    continue
                closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
                yield from self._read_shard(sid, closed)
                if self.checkpoints.get(sid) == SHARD_END:
                    ended = True

    def _read_shard(self, sid, closed):
        seq = self.checkpoints.get(sid)
        it = self.stream.iterator(sid, "AFTER_SEQUENCE_NUMBER", seq) if seq \
            else self.stream.iterator(sid, "TRIM_HORIZON")
        while it is not None:
            out = self.stream.get_records(it, self.limit)
            for r in out["Records"]:
                self.checkpoints[sid] = r["SequenceNumber"]
                yield Record(sid, r["Data"], r["PartitionKey"],
                             r["SequenceNumber"],
                             r["ApproximateArrivalTimestamp"])
            it = out["NextShardIterator"]
            if it is None:
                self.checkpoints[sid] = SHARD_END
            elif not out["Records"] or (
                    not closed and out["MillisBehindLatest"] == 0
                    and len(out["Records"]) < (self.limit or 10000)):
                # At the tip of an open shard: a further read (of the 5 a
                # second AWS allows per shard) would find nothing. (A batch
                # cut at 10 MiB among records of one millisecond looks the
                # same; the next iteration reads on from the checkpoint.)
                return


def create_stream(broker, name, shards):
    name = _lib.string(name, "name")
    return _open(broker, "CreateStream", lib.aev_stream_create,
                 name.encode(), _lib.integer(shards, "shards"))


def get_stream(broker, name_or_arn):
    name_or_arn = _lib.string(name_or_arn, "name_or_arn")
    return _open(broker, "DescribeStream", lib.aev_stream_get,
                 name_or_arn.encode())


def _open(broker, operation, fn, *args):
    return Stream(broker, broker._out(_check, operation, fn, *args))


__all__ = ["Stream", "StreamReader", "Record", "ON_DEMAND", "SHARD_END"]
