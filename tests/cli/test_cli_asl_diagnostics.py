"""`awsevents validate-state-machine-definition` and `run-state-machine`
against the diagnostics AWS gives (code, message, location, order):
- recorded against AWS in LocalStack's test_sfn_api_validation snapshot
  (" ", "{}", a missing StartAt, a state's QueryLanguage going back to
  JSONPath);
- measured against AWS with ValidateStateMachineDefinition and quoted in
  floci's StepFunctionsValidateStateMachineDefinitionIntegrationTest and in
  its issue #2735 (terminal states, reachability, unsupported fields,
  QueryLanguage resolution, JSONata parse errors, "Minimum value is 0");
- recorded against AWS in LocalStack's test_sfn_api_express snapshot
  (what an Express state machine refuses);
- AWS's words for a bad Type, as LocalStack's tests quote them;
- CloudFormation and deploy errors quoted in public reports (one pair of
  quotes around all diagnostics, "Field 'X' is not supported at /States/S").
The binary is $AWSEVENTS."""
import json
import os
import subprocess
import unittest

EXE = os.environ.get("AWSEVENTS", "awsevents")
S, M = "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET"
END = ("MISSING_END_STATE", "Workflow has no terminal state", None)
BACK = "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
ENUM = "Value should be one of the following: [JSONPath, JSONata]"
ALL_LAST = "States.ALL must appear alone and at end of list"


def lang(state_is, field):
    other = "JSONPath" if state_is == "JSONata" else "JSONata"
    return (f"The QueryLanguage is set to '{state_is}', but field '{field}' is only supported "
            f"for the '{other}' QueryLanguage")


def one(state, top=""):
    return '{%s"StartAt":"X","States":{"X":%s}}' % (top, state)


JSONATA = '"QueryLanguage":"JSONata",'
PASS_END = '{"Type":"Pass","End":true}'
PROC = '"ItemProcessor":{"StartAt":"P","States":{"P":%s}}' % PASS_END
TASK = '"Type":"Task","Resource":"arn:aws:states:::lambda:invoke"'
PASS_OUTPUT = '{"Type":"Pass","Output":{"v":"{% $states.input.n %}"},"End":true}'

CASES = [
    # the whole text
    (" ", [(S, "Definition must be a valid JSON object", None)]),
    ("[]", [(S, "Definition must be a valid JSON object", None)]),
    ("{}", [(S, "These fields are required: [States, StartAt]", "/")]),
    ('{"States":{"A":%s}}' % PASS_END, [(S, "These fields are required: [StartAt]", "/")]),
    # terminal states: the machine's graph only; their absence hides reachability
    ('{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}', [END]),
    ('{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},'
     '"Unused":{"Type":"Pass","Next":"A"}}}', [END]),
    ('{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"}}}',
     [(M, "Missing 'Next' target: NOPE", "/States/A/Next"), END]),
    ('{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"A","States":'
     '{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}},"End":true}}}', []),
    # reachability, in every graph, through Next, Default, Choices and Catch
    ('{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},'
     '"C":%s}}' % PASS_END, [(M, 'State "C" is not reachable.', "/States/C")]),
    ('{"StartAt":"Start","States":{"Start":%s,"a/b":%s}}' % (PASS_END, PASS_END),
     [(M, 'State "a/b" is not reachable.', "/States/a/b")]),
    ('{"StartAt":"Nope","States":{"A":%s}}' % PASS_END,
     [(M, "Missing 'Next' target: Nope", "/StartAt"), (M, 'State "A" is not reachable.', "/States/A")]),
    ('{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"Nope","States":{"A":%s}}'
     ',"End":true}}}' % PASS_END,
     [(M, "Missing 'Next' target: Nope", "/States/M/ItemProcessor/StartAt"),
      (M, 'State "A" is not reachable.', "/States/M/ItemProcessor/States/A")]),
    ('{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"W","States":{"W":%s,'
     '"Ghost":%s}}],"End":true}}}' % (PASS_END, PASS_END),
     [(M, 'State "Ghost" is not reachable.', "/States/P/Branches[0]/States/Ghost")]),
    ('{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,'
     '"Next":"T"}],"Default":"D"},"T":{%s,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"}],'
     '"End":true},"D":{"Type":"Succeed"},"F":{"Type":"Fail"}}}' % TASK, []),
    ('{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,'
     '"Next":"Ghost"}],"Default":"Z"},"Z":%s}}' % PASS_END,
     [(M, "Missing 'Next' target: Ghost", "/States/C/Choices[0]/Next")]),
    ('{"StartAt":"T","States":{"T":{%s,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Ghost"}],'
     '"End":true}}}' % TASK, [(M, "Missing 'Next' target: Ghost", "/States/T/Catch[0]/Next")]),
    (one('{"Type":"Bogus","End":true}'),
     [(S, "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, "
          "Parallel, Map]", "/States/X/Type")]),
    # unsupported fields, reported at the object that has them
    (one('{"Type":"Pass","End":true,"_comment":"x"}'), [(S, "Field '_comment' is not supported", "/States/X")]),
    (one('{"Type":"Pass","TimeoutSeconds":5,"End":true}'),
     [(S, "Field 'TimeoutSeconds' is not supported", "/States/X")]),
    (one('{"Type":"Parallel","TimeoutSeconds":5,"Branches":[{"StartAt":"P","States":{"P":%s}}],'
         '"End":true}' % PASS_END), [(S, "Field 'TimeoutSeconds' is not supported", "/States/X")]),
    (one('{"Type":"Wait","Seconds":1,"End":true,"Retry":[{"ErrorEquals":["States.ALL"]}]}'),
     [(S, "Field 'Retry' is not supported", "/States/X")]),
    (one('{"Type":"Map","ItemProcessor":{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":%s}},'
         '"End":true}' % PASS_END), [(S, "Field 'QueryLanguage' is not supported", "/States/X/ItemProcessor")]),
    (one('{"Type":"Map","Iterator":{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":%s}},'
         '"End":true}' % PASS_END), [(S, "Field 'QueryLanguage' is not supported", "/States/X/Iterator")]),
    (one('{"Type":"Parallel","Branches":[{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":%s}}],'
         '"End":true}' % PASS_END), [(S, "Field 'QueryLanguage' is not supported", "/States/X/Branches[0]")]),
    # QueryLanguage: a state without one takes the machine's, whatever an enclosing Map's is
    ('{"StartAt":"M","States":{"M":{"Type":"Map","QueryLanguage":"JSONata","ItemProcessor":'
     '{"StartAt":"P","States":{"P":%s}},"End":true}}}' % PASS_OUTPUT,
     [(S, lang("JSONPath", "Output"), "/States/M/ItemProcessor/States/P")]),
    ('{%s"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":%s}},'
     '"End":true}}}' % (JSONATA, PASS_OUTPUT), []),
    (one('{%s,"Arguments":{"payload":"literal"},"End":true}' % TASK), [(S, lang("JSONPath", "Arguments"), "/States/X")]),
    (one('{"Type":"Map","Items":[1],%s,"End":true}' % PROC), [(S, lang("JSONPath", "Items"), "/States/X")]),
    (one('{"Type":"Pass","Assign":{"counter":1},"End":true}'), []),
    (one('{"Type":"Pass","InputPath":"$.a","OutputPath":"$.b","ResultPath":"$.c","End":true}', JSONATA),
     [(S, lang("JSONata", f), "/States/X") for f in ("InputPath", "OutputPath", "ResultPath")]),
    (one('{"Type":"Pass","QueryLanguage":"JSONPath","Output":{"v":"{% 1 %}"},"End":true}', JSONATA),
     [(S, BACK, "/States/X")]),
    (one('{"Type":"Map","QueryLanguage":"JSONPath","MaxConcurrency":-1,%s,"End":true}' % PROC, JSONATA),
     [(S, BACK, "/States/X"), (S, "Minimum value is 0", "/States/X/MaxConcurrency")]),
    (one('{"Type":"Pass","QueryLanguage":"jsonpath","End":true}', JSONATA), [(S, ENUM, "/States/X/QueryLanguage")]),
    (one('{"Type":"Pass","QueryLanguage":"foo","InputPath":"$.a","End":true}'),
     [(S, lang("JSONata", "InputPath"), "/States/X"), (S, ENUM, "/States/X/QueryLanguage")]),
    (one('{"Type":"Pass","QueryLanguage":5,"InputPath":"$.a","End":true}'),
     [(S, lang("JSONata", "InputPath"), "/States/X"), (S, "Expected value of type [STRING]", "/States/X/QueryLanguage")]),
    (one('{"Type":"Pass","InputPath":"$.a","End":true}', '"QueryLanguage":"jsonpath",'),
     [(S, ENUM, "/QueryLanguage"), (S, lang("JSONata", "InputPath"), "/States/X")]),
    (one(PASS_END, '"QueryLanguage":5,'), [(S, "Expected value of type [STRING]", "/QueryLanguage")]),
    # JSONata expressions: the parser's own words
    (one('{"Type":"Pass","Output":"{% 1 + %}","End":true}', JSONATA),
     [("INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", "/States/X/Output")]),
    (one('{"Type":"Pass","Output":{"a":["{% a[1,2) %}"]},"End":true}', JSONATA),
     [("INVALID_JSONATA_EXPRESSION", 'Expected "]", got ","', "/States/X/Output")]),
    # what Step Functions does not offer, though it parses
    (one('{"Type":"Pass","Output":{"a":"{% $$.x %}"},"End":true}', JSONATA),
     [("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to '$$' is not supported.", "/States/X/Output")]),
    (one('{"Type":"Pass","Output":"{% $states.errorOutput %}","End":true}', JSONATA),
     [("UNSUPPORTED_JSONATA_EXPRESSION", "Field '$states.errorOutput' does not exist.", "/States/X/Output")]),
    ('{%s"StartAt":"T","States":{"T":{%s,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H",'
     '"Output":"{%% $states.errorOutput %%}","Assign":{"e":"{%% $states.errorOutput.Error %%}"}}],'
     '"End":true},"H":%s}}' % (JSONATA, TASK, PASS_END), []),
    # numbers
    (one('{"Type":"Map","MaxConcurrency":-1,%s,"End":true}' % PROC), [(S, "Minimum value is 0", "/States/X/MaxConcurrency")]),
    (one('{"Type":"Wait","Seconds":100000000,"End":true}'), [(S, "Maximum value is 99999999", "/States/X/Seconds")]),
    (one('{%s,"TimeoutSeconds":"5","End":true}' % TASK), [(S, "Expected value of type Integer", "/States/X/TimeoutSeconds")]),
    (one('{%s,"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":0,"MaxDelaySeconds":31622400}],'
         '"End":true}' % TASK), []),
    (one('{%s,"Retry":[{"ErrorEquals":["States.ALL"],"MaxDelaySeconds":31622401}],"End":true}' % TASK),
     [(S, "Maximum value is 31622400", "/States/X/Retry[0]/MaxDelaySeconds")]),
    # States.ALL alone, in the last retrier and catcher (AWS's words quoted
    # in aws/aws-cdk#10530, at the name's position)
    (one('{%s,"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["States.Timeout"]}],'
         '"End":true}' % TASK), [(S, ALL_LAST, "/States/X/Retry[0]/ErrorEquals[0]")]),
    (one('{%s,"Retry":[{"ErrorEquals":["States.Timeout","States.ALL"]}],"End":true}' % TASK),
     [(S, ALL_LAST, "/States/X/Retry[0]/ErrorEquals[1]")]),
    ('{"StartAt":"T","States":{"T":{%s,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"},'
     '{"ErrorEquals":["States.Timeout"],"Next":"H"}],"End":true},"H":%s}}' % (TASK, PASS_END),
     [(S, ALL_LAST, "/States/T/Catch[0]/ErrorEquals[0]")]),
    ('{"StartAt":"T","States":{"T":{%s,"Retry":[{"ErrorEquals":["States.Timeout"]},'
     '{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"H"},'
     '{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":%s}}' % (TASK, PASS_END), []),
]


def diagnostics(definition):
    p = subprocess.run([EXE, "validate-state-machine-definition", "--definition", definition],
                       capture_output=True, text=True, timeout=60)
    r = json.loads(p.stdout)
    return r["result"], [(d["code"], d["message"], d.get("location")) for d in r["diagnostics"]]


class Diagnostics(unittest.TestCase):
    def test_as_aws_gives_them(self):
        for definition, want in CASES:
            with self.subTest(definition=definition):
                self.assertEqual(diagnostics(definition), ("FAIL" if want else "OK", want))

    def test_express_refuses_callbacks_and_activities(self):
        for resource, what in (
                ("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                 "'.waitForTaskToken' service integration "),
                ("arn:aws:states:::states:startExecution.sync", "'.sync' service integration"),
                ("arn:aws:states:us-east-1:000000000000:activity:a", "Activity ARN")):
            p = subprocess.run([EXE, "run-state-machine", "--type", "EXPRESS", "--definition",
                                one('{"Type":"Task","Resource":"%s","End":true}' % resource)],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual((p.returncode, json.loads(p.stderr)["message"]), (1, (
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
                f"does not support {what} at /States/X/Resource'")))

    def test_validate_request_members(self):
        """ValidateStateMachineDefinition's own members, as its API reference
        gives them: maxResults 0 (100) to 100, truncated when more; severity
        ERROR or WARNING; a definition of up to 1,048,576 characters, "" diagnosed
        as AWS answers it (LocalStack's recorded
        test_validate_state_machine_definition_not_a_definition[EMPTY_STRING])."""
        three = one('{"Type":"Pass","InputPath":"$.a","OutputPath":"$.b","ResultPath":"$.c","End":true}',
                    JSONATA)

        def call(**members):
            p = subprocess.run([EXE, "call", "states", "ValidateStateMachineDefinition",
                                json.dumps(members)], capture_output=True, text=True, timeout=60)
            return p.returncode, json.loads(p.stdout or p.stderr)

        for max_results, kept, truncated in ((1, 1, True), (2, 2, True), (3, 3, False), (0, 3, False)):
            code, r = call(definition=three, maxResults=max_results, severity="WARNING")
            self.assertEqual((code, len(r["diagnostics"]), r["truncated"]), (0, kept, truncated))
        for bad in ({"maxResults": 101}, {"maxResults": -1}, {"severity": "GARBAGE"},
                    {"type": "BOGUS"}):
            code, r = call(definition=three, **bad)
            self.assertEqual((code, r["__type"]), (1, "ValidationException"), bad)
        code, r = call(definition="")
        self.assertEqual((code, r), (0, {"result": "FAIL", "truncated": False, "diagnostics": [
            {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
             "message": "Definition must be a valid JSON object"}]}))

    def test_invalid_definition_joins_them_in_one_pair_of_quotes(self):
        p = subprocess.run([EXE, "run-state-machine", "--definition",
                            '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"}}}'],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, json.loads(p.stderr)), (1, {
            "__type": "InvalidDefinition",
            "message": "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' "
                       "target: NOPE at /States/A/Next, MISSING_END_STATE: Workflow has no terminal "
                       "state at null'"}))


if __name__ == "__main__":
    unittest.main()
