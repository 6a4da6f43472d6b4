/* The EventBridge pattern language: every operator positive and negative,
 * array consistency, dot joining, and every validation error with AWS's
 * error name and message. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/pattern.h"

typedef struct mcase {
  const char *pattern, *event;
  int match;
} mcase;

static const mcase matches[] = {
    /* exact values, types, null vs "" vs missing */
    {"{\"a\":[\"x\"]}", "{\"a\":\"x\"}", 1},
    {"{\"a\":[\"x\"]}", "{\"a\":\"X\"}", 0},
    {"{\"a\":[\"x\",\"y\"]}", "{\"a\":\"y\"}", 1},
    {"{\"a\":[5]}", "{\"a\":\"5\"}", 0},
    {"{\"a\":[\"5\"]}", "{\"a\":5}", 0},
    {"{\"a\":[300]}", "{\"a\":300.0}", 1},
    {"{\"a\":[300]}", "{\"a\":3e2}", 1},
    {"{\"a\":[0]}", "{\"a\":-0}", 1},
    {"{\"a\":[1.5]}", "{\"a\":1.50}", 1},
    {"{\"a\":[1.5]}", "{\"a\":1.6}", 0},
    {"{\"a\":[true]}", "{\"a\":true}", 1},
    {"{\"a\":[true]}", "{\"a\":\"true\"}", 0},
    {"{\"a\":[false]}", "{\"a\":true}", 0},
    {"{\"a\":[null]}", "{\"a\":null}", 1},
    {"{\"a\":[null]}", "{\"a\":\"\"}", 0},
    {"{\"a\":[null]}", "{}", 0},
    {"{\"a\":[\"\"]}", "{\"a\":\"\"}", 1},
    {"{\"a\":[\"\"]}", "{\"a\":null}", 0},
    {"{\"a\":[\"x\"]}", "{\"b\":\"x\"}", 0},
    {"{\"a\":[\"x\"],\"b\":[\"y\"]}", "{\"a\":\"x\",\"b\":\"y\",\"c\":1}", 1},
    {"{\"a\":[\"x\"],\"b\":[\"y\"]}", "{\"a\":\"x\"}", 0},
    {"{\"a\":[\"tab\\tq\\\"\"]}", "{\"a\":\"tab\\u0009q\\\"\"}", 1},
    {"{\"a\":[\"\\u00e9\"]}", "{\"a\":\"\xc3\xa9\"}", 1},
    {"{\"a\":[\"\\ud83d\\ude80\"]}", "{\"a\":\"\xf0\x9f\x9a\x80\"}", 1},
    {"{\"a\":[{\"exact\":\"x\"}]}", "{\"a\":\"x\"}", 1},
    /* duplicate pattern keys: the last wins */
    {"{\"a\":[\"x\"],\"a\":[\"y\"]}", "{\"a\":\"y\"}", 1},
    {"{\"a\":[\"x\"],\"a\":[\"y\"]}", "{\"a\":\"x\"}", 0},
    /* arrays in events: any element */
    {"{\"a\":[\"x\"]}", "{\"a\":[\"w\",\"x\"]}", 1},
    {"{\"a\":[\"x\"]}", "{\"a\":[[\"w\"],[\"x\"]]}", 1},
    {"{\"a\":[\"x\"]}", "{\"a\":[]}", 0},
    {"{\"a\":{\"b\":[1]}}", "{\"a\":[{\"b\":2},{\"b\":1}]}", 1},
    /* array consistency: fields of different elements never combine */
    {"{\"a\":{\"b\":[1],\"c\":[4]}}", "{\"a\":[{\"b\":1,\"c\":2},{\"b\":3,\"c\":4}]}", 0},
    {"{\"a\":{\"b\":[3],\"c\":[4]}}", "{\"a\":[{\"b\":1,\"c\":2},{\"b\":3,\"c\":4}]}", 1},
    {"{\"a\":{\"b\":[1],\"c\":[2]},\"d\":[9]}",
     "{\"a\":[{\"b\":1,\"c\":2}],\"d\":[8,9]}", 1},
    {"{\"a\":{\"b\":{\"c\":[1]},\"d\":[2]}}",
     "{\"a\":[{\"b\":[{\"c\":1}],\"d\":5},{\"b\":[{\"c\":0}],\"d\":2}]}", 0},
    /* nesting and dot joining */
    {"{\"a\":{\"b\":{\"c\":[1]}}}", "{\"a\":{\"b\":{\"c\":1}}}", 1},
    {"{\"a\":{\"b\":{\"c\":[1]}}}", "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", 0},
    {"{\"a\":{\"b\":[1]}}", "{\"a.b\":1}", 1},
    {"{\"a.b\":[1]}", "{\"a\":{\"b\":1}}", 1},
    {"{\"a\":{\"b\":[1]}}", "{\"a\":\"{\\\"b\\\":1}\"}", 0},
    /* fields inside an object under a leaf path keep their full path */
    {"{\"$or\":[{\"a\":[\"x\"]},{\"b\":[1]}]}", "{\"a\":{\"b\":1}}", 0},
    {"{\"$or\":[{\"a\":[\"x\"]},{\"b\":[1]}]}", "{\"a\":[{\"b\":1}]}", 0},
    {"{\"$or\":[{\"a\":[\"x\"]},{\"a.b\":[1]}]}", "{\"a\":[{\"b\":1}]}", 1},
    /* prefix, suffix, equals-ignore-case */
    {"{\"a\":[{\"prefix\":\"us-\"}]}", "{\"a\":\"us-east-1\"}", 1},
    {"{\"a\":[{\"prefix\":\"us-\"}]}", "{\"a\":\"eu-west-1\"}", 0},
    {"{\"a\":[{\"prefix\":\"us-\"}]}", "{\"a\":\"us\"}", 0},
    {"{\"a\":[{\"prefix\":\"\"}]}", "{\"a\":\"\"}", 1},
    {"{\"a\":[{\"prefix\":\"1\"}]}", "{\"a\":12}", 0},
    {"{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"US-\"}}]}", "{\"a\":\"us-east-1\"}", 1},
    {"{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"US-\"}}]}", "{\"a\":\"uk-\"}", 0},
    {"{\"a\":[{\"suffix\":\".png\"}]}", "{\"a\":\"x.png\"}", 1},
    {"{\"a\":[{\"suffix\":\".png\"}]}", "{\"a\":\"x.PNG\"}", 0},
    {"{\"a\":[{\"suffix\":{\"equals-ignore-case\":\".PNG\"}}]}", "{\"a\":\"x.png\"}", 1},
    {"{\"a\":[{\"suffix\":{\"equals-ignore-case\":\".PNG\"}}]}", "{\"a\":\"png\"}", 0},
    {"{\"a\":[{\"equals-ignore-case\":\"AliCE\"}]}", "{\"a\":\"alice\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"AliCE\"}]}", "{\"a\":\"alicex\"}", 0},
    {"{\"a\":[{\"equals-ignore-case\":\"\xc3\x89T\xc3\x89\"}]}", "{\"a\":\"\xc3\xa9t\xc3\xa9\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"\xd0\x9c\xd0\x98\xd0\xa0\"}]}",
     "{\"a\":\"\xd0\xbc\xd0\xb8\xd1\x80\"}", 1},
    /* Every script's case pairs, not only ASCII, Latin-1, Greek and
     * Cyrillic: Latin Extended-A, Vietnamese, Armenian, Georgian, full
     * width and (four UTF-8 bytes) Deseret. */
    {"{\"a\":[{\"equals-ignore-case\":\"ŁÓDŹ\"}]}", "{\"a\":\"łódź\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"łódź\"}]}", "{\"a\":\"ŁÓDŹ\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"ŁÓDŹ\"}]}", "{\"a\":\"łódż\"}", 0},
    {"{\"a\":[{\"equals-ignore-case\":\"ĐẶNG\"}]}", "{\"a\":\"đặng\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"ԱՐԱՄ\"}]}", "{\"a\":\"արամ\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"ᲗᲑᲘᲚᲘᲡᲘ\"}]}", "{\"a\":\"თბილისი\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"ＡＷＳ\"}]}", "{\"a\":\"ａｗｓ\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"𐐀𐐁\"}]}", "{\"a\":\"𐐨𐐩\"}", 1},
    {"{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"ŻÓŁ\"}}]}", "{\"a\":\"żółw\"}", 1},
    {"{\"a\":[{\"suffix\":{\"equals-ignore-case\":\"ŚĆ\"}}]}", "{\"a\":\"maść\"}", 1},
    {"{\"a\":[{\"anything-but\":{\"equals-ignore-case\":\"ŁÓDŹ\"}}]}", "{\"a\":\"łódź\"}", 0},
    /* A lower case of another length is not folded (as in event-ruler, a
     * pattern's k matches k and K, not the Kelvin sign); malformed bytes
     * are copied (a lead byte cut off at the end, a stray continuation). */
    {"{\"a\":[{\"equals-ignore-case\":\"k\"}]}", "{\"a\":\"\u212a\"}", 0},
    {"{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"ŁX\"}}]}", "{\"a\":\"łx\xc5\"}", 1},
    {"{\"a\":[{\"suffix\":{\"equals-ignore-case\":\"ŁX\"}}]}", "{\"a\":\"\x81łx\"}", 1},
    {"{\"a\":[{\"equals-ignore-case\":\"xł\"}]}", "{\"a\":\"X\xc5\"}", 0},
    /* Malformed bytes that, taken for a character, would fold into a
     * valid one: a lead byte before no continuation byte, a lead byte no
     * character begins with. */
    {"{\"a\":[{\"equals-ignore-case\":\"ł\"}]}", "{\"a\":\"\xc5" "A\"}", 0},
    {"{\"a\":[{\"equals-ignore-case\":\"\xf1\x90\x80\x80\"}]}", "{\"a\":\"\xf9\x90\x80\x80\"}", 0},
    {"{\"a\":[{\"prefix\":\"ab\"},{\"prefix\":\"abc\"},{\"suffix\":\"z\"}]}", "{\"a\":\"abz\"}", 1},
    /* wildcard */
    {"{\"a\":[{\"wildcard\":\"*/lib/*\"}]}", "{\"a\":\"usr/lib/x\"}", 1},
    {"{\"a\":[{\"wildcard\":\"*/lib/*\"}]}", "{\"a\":\"usr/bin/x\"}", 0},
    {"{\"a\":[{\"wildcard\":\"a*\"}]}", "{\"a\":\"a\"}", 1},
    {"{\"a\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"a\":\"a*b\"}", 1},
    {"{\"a\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"a\":\"axb\"}", 0},
    {"{\"a\":[{\"wildcard\":\"a\\\\\\\\b\"}]}", "{\"a\":\"a\\\\b\"}", 1},
    {"{\"a\":[{\"wildcard\":\"\"}]}", "{\"a\":\"\"}", 1},
    {"{\"a\":[{\"wildcard\":\"*\"}]}", "{\"a\":5}", 0},
    {"{\"a\":[{\"wildcard\":\"*ab*ab\"}]}", "{\"a\":\"xabyabab\"}", 1},
    /* anything-but */
    {"{\"a\":[{\"anything-but\":\"x\"}]}", "{\"a\":\"y\"}", 1},
    {"{\"a\":[{\"anything-but\":\"x\"}]}", "{\"a\":\"x\"}", 0},
    {"{\"a\":[{\"anything-but\":\"x\"}]}", "{}", 0},
    {"{\"a\":[{\"anything-but\":\"x\"}]}", "{\"a\":null}", 1},
    {"{\"a\":[{\"anything-but\":\"5\"}]}", "{\"a\":5}", 1},
    {"{\"a\":[{\"anything-but\":5}]}", "{\"a\":5.0}", 0},
    {"{\"a\":[{\"anything-but\":5}]}", "{\"a\":\"5\"}", 1},
    {"{\"a\":[{\"anything-but\":[1,2]}]}", "{\"a\":2}", 0},
    {"{\"a\":[{\"anything-but\":[\"x\",\"y\"]}]}", "{\"a\":[\"x\",\"z\"]}", 1},
    {"{\"a\":[{\"anything-but\":[\"x\",\"y\"]}]}", "{\"a\":[\"x\",\"y\"]}", 0},
    {"{\"a\":[{\"anything-but\":{\"prefix\":\"in\"}}]}", "{\"a\":\"init\"}", 0},
    {"{\"a\":[{\"anything-but\":{\"prefix\":[\"in\",\"x\"]}}]}", "{\"a\":\"ok\"}", 1},
    {"{\"a\":[{\"anything-but\":{\"suffix\":\".txt\"}}]}", "{\"a\":\"f.txt\"}", 0},
    {"{\"a\":[{\"anything-but\":{\"equals-ignore-case\":\"X\"}}]}", "{\"a\":\"x\"}", 0},
    {"{\"a\":[{\"anything-but\":{\"equals-ignore-case\":[\"X\",\"y\"]}}]}", "{\"a\":\"Z\"}", 1},
    {"{\"a\":[{\"anything-but\":{\"wildcard\":\"*.txt\"}}]}", "{\"a\":\"f.txt\"}", 0},
    {"{\"a\":[{\"anything-but\":{\"wildcard\":\"*.txt\"}}]}", "{\"a\":true}", 1},
    /* numeric */
    {"{\"a\":[{\"numeric\":[\">\",0,\"<=\",5]}]}", "{\"a\":5}", 1},
    {"{\"a\":[{\"numeric\":[\">\",0,\"<=\",5]}]}", "{\"a\":0}", 0},
    {"{\"a\":[{\"numeric\":[\">\",0,\"<\",5]}]}", "{\"a\":5}", 0},
    {"{\"a\":[{\"numeric\":[\">=\",0,\"<\",5]}]}", "{\"a\":0}", 1},
    {"{\"a\":[{\"numeric\":[\"=\",3.018e2]}]}", "{\"a\":301.8}", 1},
    {"{\"a\":[{\"numeric\":[\"<\",-1e10]}]}", "{\"a\":-2e10}", 1},
    {"{\"a\":[{\"numeric\":[\">\",1]}]}", "{\"a\":\"2\"}", 0},
    {"{\"a\":[{\"numeric\":[\">\",1]}]}", "{\"a\":null}", 0},
    {"{\"a\":[{\"numeric\":[\">\",1]}]}", "{\"a\":[0,3]}", 1},
    /* exists: leaves only; false matches a missing parent */
    {"{\"a\":[{\"exists\":true}]}", "{\"a\":null}", 1},
    {"{\"a\":[{\"exists\":true}]}", "{\"a\":\"\"}", 1},
    {"{\"a\":[{\"exists\":true}]}", "{\"a\":{\"b\":1}}", 0},
    {"{\"a\":[{\"exists\":true}]}", "{\"a\":[]}", 0},
    {"{\"a\":[{\"exists\":true}]}", "{}", 0},
    {"{\"a\":[{\"exists\":false}]}", "{}", 1},
    {"{\"a\":[{\"exists\":false}]}", "{\"a\":null}", 0},
    {"{\"a\":{\"b\":[{\"exists\":false}]}}", "{\"c\":1}", 1},
    {"{\"a\":{\"b\":[{\"exists\":false}]},\"c\":[1]}", "{\"c\":1}", 1},
    {"{\"a\":{\"b\":[{\"exists\":false}]},\"c\":[1]}", "{\"c\":2}", 0},
    {"{\"a\":[{\"exists\":false},\"x\"]}", "{\"a\":\"x\"}", 1},
    /* cidr */
    {"{\"a\":[{\"cidr\":\"10.0.0.0/8\"}]}", "{\"a\":\"10.200.1.1\"}", 1},
    {"{\"a\":[{\"cidr\":\"10.0.0.0/8\"}]}", "{\"a\":\"11.0.0.1\"}", 0},
    {"{\"a\":[{\"cidr\":\"10.0.0.1/32\"}]}", "{\"a\":\"10.0.0.1\"}", 1},
    {"{\"a\":[{\"cidr\":\"0.0.0.0/0\"}]}", "{\"a\":\"1.2.3.4\"}", 1},
    {"{\"a\":[{\"cidr\":\"0.0.0.0/0\"}]}", "{\"a\":\"::1\"}", 0},
    {"{\"a\":[{\"cidr\":\"10.0.0.0/30\"}]}", "{\"a\":\"10.0.0.4\"}", 0},
    {"{\"a\":[{\"cidr\":\"2001:db8::/32\"}]}", "{\"a\":\"2001:db8:ffff::1\"}", 1},
    {"{\"a\":[{\"cidr\":\"2001:db8::/32\"}]}", "{\"a\":\"2001:db9::1\"}", 0},
    {"{\"a\":[{\"cidr\":\"10.0.0.0/8\"}]}", "{\"a\":\"not an ip\"}", 0},
    /* $or at any depth */
    {"{\"$or\":[{\"a\":[1]},{\"b\":[2]}]}", "{\"b\":2}", 1},
    {"{\"$or\":[{\"a\":[1]},{\"b\":[2]}]}", "{\"b\":1}", 0},
    {"{\"s\":[\"x\"],\"d\":{\"$or\":[{\"a\":[1]},{\"b\":{\"c\":[2]}}]}}",
     "{\"s\":\"x\",\"d\":{\"b\":{\"c\":2}}}", 1},
    {"{\"s\":[\"x\"],\"d\":{\"$or\":[{\"a\":[1]},{\"b\":{\"c\":[2]}}]}}",
     "{\"s\":\"y\",\"d\":{\"b\":{\"c\":2}}}", 0},
    {"{\"$or\":[{\"a\":[1]},{\"$or\":[{\"b\":[2]},{\"c\":[3]}]}]}", "{\"c\":3}", 1},
    {"{\"$or\":[{\"a\":[1],\"b\":[1]},{\"a\":[2]}]}", "{\"a\":1}", 0},
    /* A field both outside an $or and in a branch: whichever comes later in
     * the text holds in that branch, as in aws/event-ruler's compiler
     * (EventBridge's matcher), which puts each field into every branch so
     * far as it reads it. */
    {"{\"s\":[\"a\"],\"$or\":[{\"s\":[\"b\"]},{\"t\":[\"y\"]}]}", "{\"s\":\"b\",\"t\":\"x\"}", 1},
    {"{\"s\":[\"a\"],\"$or\":[{\"s\":[\"b\"]},{\"t\":[\"y\"]}]}", "{\"s\":\"a\",\"t\":\"x\"}", 0},
    {"{\"s\":[\"a\"],\"$or\":[{\"s\":[\"b\"]},{\"t\":[\"y\"]}]}", "{\"s\":\"a\",\"t\":\"y\"}", 1},
    {"{\"$or\":[{\"s\":[\"b\"]},{\"t\":[\"y\"]}],\"s\":[\"a\"]}", "{\"s\":\"b\",\"t\":\"x\"}", 0},
    {"{\"$or\":[{\"s\":[\"b\"]},{\"t\":[\"y\"]}],\"s\":[\"a\"]}", "{\"s\":\"a\",\"t\":\"x\"}", 1},
};

START_TEST(operator_cases) {
  const mcase *c = &matches[_i];
  aev_pattern *p = NULL;
  int rc = aev_pattern_compile(c->pattern, strlen(c->pattern), &p);
  ck_assert_msg(rc == AEV_OK, "%s: %s %s", c->pattern, aev_errcode(), aev_errmsg());
  int m = -1;
  ck_assert_int_eq(aev_pattern_matches(p, c->event, strlen(c->event), &m), AEV_OK);
  ck_assert_msg(m == c->match, "%s vs %s: got %d", c->pattern, c->event, m);
  aev_pattern_free(p);
}
END_TEST

typedef struct ecase {
  const char *pattern, *code, *message;
} ecase;

#define R "Event pattern is not valid. Reason: "
static const ecase errors[] = {
    {"[1]", "InvalidEventPatternException", R "Filter is not an object"},
    {"{", "InvalidEventPatternException", NULL},
    {"{}", "InvalidEventPatternException", R "Empty objects are not allowed"},
    {"{\"a\":{}}", "InvalidEventPatternException", R "Empty objects are not allowed"},
    {"{\"a\":\"x\"}", "InvalidEventPatternException", R "\"a\" must be an object or an array"},
    {"{\"a\":5}", "InvalidEventPatternException", R "\"a\" must be an object or an array"},
    {"{\"a\":[]}", "InvalidEventPatternException", R "Empty arrays are not allowed"},
    {"{\"a\":[[1]]}", "InvalidEventPatternException",
     R "Match value must be String, number, true, false, or null"},
    {"{\"a\":[{}]}", "InvalidEventPatternException", R "Match expression name not found"},
    {"{\"a\":[{\"prefix\":\"x\",\"suffix\":\"y\"}]}", "InvalidEventPatternException",
     R "Only one key allowed in match expression"},
    {"{\"a\":[{\"EXISTS\":true}]}", "InvalidEventPatternException",
     R "Unrecognized match type EXISTS"},
    {"{\"a\":[{\"regex\":\"x\"}]}", "InvalidEventPatternException",
     R "Unrecognized match type regex"},
    {"{\"a\":[{\"exact\":5}]}", "InvalidEventPatternException",
     R "exact match pattern must be a string"},
    {"{\"a\":[{\"prefix\":5}]}", "InvalidEventPatternException",
     R "prefix match pattern must be a string"},
    {"{\"a\":[{\"prefix\":{\"x\":\"y\"}}]}", "InvalidEventPatternException",
     R "prefix match pattern must be a string"},
    {"{\"a\":[{\"suffix\":[\"x\"]}]}", "InvalidEventPatternException",
     R "suffix match pattern must be a string"},
    {"{\"a\":[{\"equals-ignore-case\":1}]}", "InvalidEventPatternException",
     R "equals-ignore-case match pattern must be a string"},
    {"{\"a\":[{\"wildcard\":null}]}", "InvalidEventPatternException",
     R "wildcard match pattern must be a string"},
    {"{\"a\":[{\"wildcard\":\"a**\"}]}", "InvalidEventPatternException",
     R "Consecutive wildcard characters at pos 2"},
    {"{\"a\":[{\"wildcard\":\"a\\\\x\"}]}", "InvalidEventPatternException",
     R "Invalid escape character at pos 1"},
    {"{\"a\":[{\"wildcard\":\"*a*a*a*a*a*\"}]}", "InvalidEventPatternException",
     R "Rule is too complex - try using fewer wildcard characters or fewer repeating "
       "character sequences after a wildcard character"},
    {"{\"a\":[{\"exists\":\"yes\"}]}", "InvalidEventPatternException",
     R "exists match pattern must be either true or false."},
    {"{\"a\":[{\"numeric\":5}]}", "InvalidEventPatternException",
     R "Value of numeric must be an array."},
    {"{\"a\":[{\"numeric\":[]}]}", "InvalidEventPatternException",
     R "Invalid member in numeric match: ]"},
    {"{\"a\":[{\"numeric\":[5]}]}", "InvalidEventPatternException",
     R "Invalid member in numeric match: 5"},
    {"{\"a\":[{\"numeric\":[true,5]}]}", "InvalidEventPatternException",
     R "Invalid member in numeric match: true"},
    {"{\"a\":[{\"numeric\":[{},5]}]}", "InvalidEventPatternException",
     R "Invalid member in numeric match: {"},
    {"{\"a\":[{\"numeric\":[\">\",0,2.5,5]}]}", "InvalidEventPatternException",
     R "Bad value in numeric range: 2.5"},
    {"{\"a\":[{\"numeric\":[\">\",0,null]}]}", "InvalidEventPatternException",
     R "Bad value in numeric range: null"},
    {"{\"a\":[{\"numeric\":[\"!=\",5]}]}", "InvalidEventPatternException",
     R "Unrecognized numeric range operator: !="},
    {"{\"a\":[{\"numeric\":[\"=\",\"5\"]}]}", "InvalidEventPatternException",
     R "Value of equals must be numeric"},
    {"{\"a\":[{\"numeric\":[\"=\",5,\"<\",6]}]}", "InvalidEventPatternException",
     R "Too many elements in numeric expression"},
    {"{\"a\":[{\"numeric\":[\"<\",5,\">\",1]}]}", "InvalidEventPatternException",
     R "Too many elements in numeric expression"},
    {"{\"a\":[{\"numeric\":[\">\",0,\">\",0]}]}", "InvalidEventPatternException",
     R "Bad numeric range operator: >"},
    {"{\"a\":[{\"numeric\":[\">\",0,\"<\"]}]}", "InvalidEventPatternException",
     R "Value of < must be numeric"},
    {"{\"a\":[{\"numeric\":[\">\",0,\"<\",5,1]}]}", "InvalidEventPatternException",
     R "Too many terms in numeric range expression"},
    {"{\"a\":[{\"numeric\":[\">\",5,\"<\",1]}]}", "InvalidEventPatternException",
     R "Bottom must be less than top"},
    {"{\"a\":[{\"anything-but\":null}]}", "InvalidEventPatternException",
     R "Value of anything-but must be an array or single string/number value."},
    {"{\"a\":[{\"anything-but\":[\"x\",1]}]}", "InvalidEventPatternException",
     R "Inside anything but list, either all values are number or string, mixed type "
       "is not supported"},
    {"{\"a\":[{\"anything-but\":[true]}]}", "InvalidEventPatternException",
     R "Inside anything but list, start|null|boolean is not supported."},
    {"{\"a\":[{\"anything-but\":{\"exists\":true}}]}", "InvalidEventPatternException",
     R "Unsupported anything-but pattern: exists"},
    {"{\"a\":[{\"anything-but\":{\"prefix\":\"\"}}]}", "InvalidEventPatternException",
     R "Null prefix/suffix not allowed"},
    {"{\"a\":[{\"anything-but\":{\"suffix\":[\"x\",\"\"]}}]}", "InvalidEventPatternException",
     R "Null prefix/suffix not allowed"},
    {"{\"a\":[{\"anything-but\":{\"equals-ignore-case\":5}}]}", "InvalidEventPatternException",
     R "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
       "supported."},
    {"{\"a\":[{\"anything-but\":{\"wildcard\":\"x**\"}}]}", "InvalidEventPatternException",
     R "Consecutive wildcard characters at pos 2"},
    {"{\"a\":[{\"cidr\":5}]}", "InvalidEventPatternException",
     R "prefix match pattern must be a string"},
    {"{\"a\":[{\"cidr\":\"10.0.0.0\"}]}", "InvalidEventPatternException",
     R "Malformed CIDR, one '/' required"},
    {"{\"a\":[{\"cidr\":\"10.0.0.0/x\"}]}", "InvalidEventPatternException",
     R "Malformed CIDR, mask bits must be an integer"},
    {"{\"a\":[{\"cidr\":\"10.0.0.0/33\"}]}", "InvalidEventPatternException",
     R "Malformed CIDR, mask bits must be between 0 and 32"},
    {"{\"a\":[{\"cidr\":\"::/129\"}]}", "InvalidEventPatternException",
     R "Malformed CIDR, mask bits must be between 0 and 128"},
    {"{\"a\":[{\"cidr\":\"1.2.3/8\"}]}", "InvalidEventPatternException",
     R "Nonstandard IP address: 1.2.3"},
    {"{\"$or\":[{\"a\":[1]}]}", "InvalidEventPatternException",
     R "There must have at least 2 Objects in $or relationship."},
    {"{\"$or\":{\"a\":[1]}}", "InvalidEventPatternException",
     R "It must be an Array followed with $or."},
    {"{\"$or\":[{\"a\":[1]},[1]]}", "InvalidEventPatternException",
     R "Only JSON object is allowed in array of $or relationship."},
};

START_TEST(validation_errors) {
  const ecase *c = &errors[_i];
  aev_pattern *p = (aev_pattern *)1;
  int rc = aev_pattern_compile(c->pattern, strlen(c->pattern), &p);
  ck_assert_msg(rc == AEV_ERR_INVALID, "%s compiled", c->pattern);
  ck_assert_ptr_null(p);
  ck_assert_str_eq(aev_errcode(), c->code);
  if (c->message)
    ck_assert_str_eq(aev_errmsg(), c->message);
  else
    ck_assert_msg(!strncmp(aev_errmsg(), R, strlen(R)), "%s", aev_errmsg());
}
END_TEST

/* $or expanding past 1,000 combinations is refused; 1,000 is fine. */
static char *or_pattern(int a, int b) {
  char *s = malloc(64 + (size_t)(a + b) * 24);
  strcpy(s, "{\"$or\":[");
  for (int i = 0; i < a; i++) sprintf(s + strlen(s), "%s{\"a\":[%d]}", i ? "," : "", i);
  strcat(s, "],\"x\":{\"$or\":[");
  for (int i = 0; i < b; i++) sprintf(s + strlen(s), "%s{\"b\":[%d]}", i ? "," : "", i);
  strcat(s, "]}}");
  return s;
}

START_TEST(or_combination_limit) {
  aev_pattern *p = NULL;
  char *ok = or_pattern(40, 25), *over = or_pattern(41, 25);
  ck_assert_int_eq(aev_pattern_compile(ok, strlen(ok), &p), AEV_OK);
  int m = 0;
  const char *ev = "{\"a\":39,\"x\":{\"b\":24}}";
  ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_OK);
  ck_assert_int_eq(m, 1);
  aev_pattern_free(p);
  ck_assert_int_eq(aev_pattern_compile(over, strlen(over), &p), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidEventPatternException");
  ck_assert_str_eq(aev_errmsg(), R "The event pattern has more than 1000 $or combinations");
  free(ok);
  free(over);
}
END_TEST

START_TEST(length_limit_is_4096_characters) {
  static char s[5000];
  /* 4096 characters, some of them two-byte: still within the limit. */
  strcpy(s, "{\"a\":[\"");
  size_t n = strlen(s);
  while (n < 4096 - 3 - 20) s[n++] = 'x';
  for (int i = 0; i < 20; i++) memcpy(s + n, "\xc3\xa9", 2), n += 2;
  memcpy(s + n, "\"]}", 4);
  aev_pattern *p = NULL;
  ck_assert_int_eq(aev_pattern_compile(s, strlen(s), &p), AEV_OK);
  aev_pattern_free(p);
  memmove(s + 1, s, strlen(s) + 1);
  s[0] = ' ';
  ck_assert_int_eq(aev_pattern_compile(s, strlen(s), &p), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "less than or equal to 4096"));
}
END_TEST

START_TEST(bad_events_and_arguments) {
  aev_pattern *p = NULL;
  ck_assert_int_eq(aev_pattern_compile("{\"a\":[1]}", 9, &p), AEV_OK);
  int m = 7;
  const char *bad[] = {"[1]", "", "{\"a\":1", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":tru}",
                       "{\"a\":1}x", "{\"a\" 1}", "{\"a\":[1,]}", "{\"a\":\"\x01\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    ck_assert_int_eq(aev_pattern_matches(p, bad[i], strlen(bad[i]), &m), AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "ValidationException");
    ck_assert_str_eq(aev_errmsg(), "Parameter Event is not valid.");
  }
  ck_assert_int_eq(m, 7);
  /* Skipped subtrees are validated too. */
  ck_assert_int_eq(aev_pattern_matches(p, "{\"b\":{\"c\":[1,}},\"a\":1}", 22, &m),
                   AEV_ERR_INVALID);
  /* Nesting deeper than AWS allows is refused. */
  char deep[2400];
  for (int i = 0; i < 1200; i++) deep[i] = '[';
  for (int i = 0; i < 1200; i++) deep[1200 + i] = ']';
  static char ev[3000];
  snprintf(ev, sizeof ev, "{\"b\":%.*s}", 2400, deep);
  ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_matches(NULL, "{}", 2, &m), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_matches(p, "{}", 2, NULL), AEV_ERR_INVALID);
  aev_pattern_free(p);
  ck_assert_int_eq(aev_pattern_compile("{}", 2, NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_compile(NULL, 0, &p), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_compile_profile("{\"a\":[1]}", 9, 42, &p), AEV_ERR_INVALID);
  aev_pattern_free(NULL);
}
END_TEST

START_TEST(event_need_not_be_nul_terminated) {
  aev_pattern *p = NULL;
  ck_assert_int_eq(aev_pattern_compile("{\"a\":[1]}XXXX", 9, &p), AEV_OK);
  int m = 0;
  ck_assert_int_eq(aev_pattern_matches(p, "{\"a\":1}garbage", 7, &m), AEV_OK);
  ck_assert_int_eq(m, 1);
  aev_pattern_free(p);
}
END_TEST

/* The flattener scans strings eight bytes at a time: a quote, backslash or
 * control character must be found at every offset of a word, in names and
 * values, and bytes of multi-byte UTF-8 must pass. */
START_TEST(string_scanning_at_every_offset) {
  aev_pattern *p = NULL;
  const char *pat = "{\"k\":[{\"prefix\":\"x\"}]}";
  ck_assert_int_eq(aev_pattern_compile(pat, strlen(pat), &p), AEV_OK);
  for (int k = 0; k < 20; k++) {
    char ev[128], run[32];
    memset(run, 'x', (size_t)k);
    run[k] = 0;
    int m = -1;
    /* A raw control character is refused, in a skipped name or a value. */
    snprintf(ev, sizeof ev, "{\"k\":\"x%s\x1fyz\"}", run);
    ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_ERR_INVALID);
    snprintf(ev, sizeof ev, "{\"n%s\x01\":1,\"k\":\"x\"}", run);
    ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_ERR_INVALID);
    /* An escaped quote does not end the string; the real one does. */
    snprintf(ev, sizeof ev, "{\"n%s\\\"\":\"%s\\\\\",\"k\":\"x%s\xc3\xa9\\\"\"}", run, run, run);
    ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_OK);
    ck_assert_int_eq(m, 1);
    /* An unterminated string at any length is refused. */
    snprintf(ev, sizeof ev, "{\"k\":\"x%s", run);
    ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_ERR_INVALID);
  }
  aev_pattern_free(p);
  /* The escaped value itself is what is matched. */
  const char *exact = "{\"k\":[\"0123456789\\\"abc\"]}";
  ck_assert_int_eq(aev_pattern_compile(exact, strlen(exact), &p), AEV_OK);
  int m = -1;
  const char *ev = "{\"k\":\"0123456789\\\"abc\"}";
  ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_OK);
  ck_assert_int_eq(m, 1);
  aev_pattern_free(p);
}
END_TEST

/* Wildcards against a plain recursive glob, exhaustively: every pattern of
 * up to five tokens ('a', 'b', '*' and the escaped star, never two stars
 * in a row) on every value of up to five characters of "ab*". Patterns
 * without escapes and with them are matched by different code. */
enum { W_A, W_B, W_STAR, W_LITERAL_STAR, W_TOKENS };

static int glob(const int *tok, size_t nt, const char *s) {
  if (!nt) return !*s;
  if (tok[0] == W_STAR) return glob(tok + 1, nt - 1, s) || (*s && glob(tok, nt, s + 1));
  static const char lit[] = {'a', 'b', 0, '*'};
  return *s == lit[tok[0]] && glob(tok + 1, nt - 1, s + 1);
}

START_TEST(wildcard_agrees_with_a_plain_glob) {
  static const char *const text[] = {"a", "b", "*", "\\\\*"};
  int tok[5], compiled = 0;
  for (size_t nt = 0; nt <= 5; nt++) {
    long combos = 1;
    for (size_t i = 0; i < nt; i++) combos *= W_TOKENS;
    for (long c = 0; c < combos; c++) {
      char pat[128] = "{\"v\":[{\"wildcard\":\"";
      int stars_in_a_row = 0;
      for (size_t i = 0, x = (size_t)c; i < nt; i++, x /= W_TOKENS) {
        tok[i] = (int)(x % W_TOKENS);
        stars_in_a_row |= i && tok[i] == W_STAR && tok[i - 1] == W_STAR;
        strcat(pat, text[tok[i]]);
      }
      if (stars_in_a_row) continue;
      strcat(pat, "\"}]}");
      aev_pattern *p = NULL;
      if (aev_pattern_compile(pat, strlen(pat), &p) != AEV_OK) {
        ck_assert_str_eq(aev_errcode(), "InvalidEventPatternException"); /* too complex */
        continue;
      }
      compiled++;
      for (size_t len = 0; len <= 5; len++) {
        long values = 1;
        for (size_t i = 0; i < len; i++) values *= 3;
        for (long v = 0; v < values; v++) {
          char value[8], ev[32];
          for (size_t i = 0, x = (size_t)v; i < len; i++, x /= 3) value[i] = "ab*"[x % 3];
          value[len] = 0;
          snprintf(ev, sizeof ev, "{\"v\":\"%s\"}", value);
          int m = -1;
          ck_assert_int_eq(aev_pattern_matches(p, ev, strlen(ev), &m), AEV_OK);
          ck_assert_msg(m == glob(tok, nt, value), "%s on \"%s\": got %d", pat, value, m);
        }
      }
      aev_pattern_free(p);
    }
  }
  ck_assert_int_gt(compiled, 1000);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pattern");
  TCase *tc = tcase_create("language");
  tcase_add_loop_test(tc, operator_cases, 0, (int)(sizeof matches / sizeof *matches));
  tcase_add_loop_test(tc, validation_errors, 0, (int)(sizeof errors / sizeof *errors));
  tcase_add_test(tc, or_combination_limit);
  tcase_add_test(tc, length_limit_is_4096_characters);
  tcase_add_test(tc, bad_events_and_arguments);
  tcase_add_test(tc, event_need_not_be_nul_terminated);
  tcase_add_test(tc, string_scanning_at_every_offset);
  tcase_add_test(tc, wildcard_agrees_with_a_plain_glob);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
