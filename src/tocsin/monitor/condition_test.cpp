#include "tocsin/monitor/condition.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tocsin::monitor {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

Observation Http(int status, std::string body = {}) {
    Observation obs;
    obs.reached = true;
    obs.status_code = status;
    obs.body = std::move(body);
    obs.timings.total = milliseconds(250);
    return obs;
}

Observation Dns(std::string rcode, std::vector<std::string> answers) {
    Observation obs;
    obs.reached = true;
    obs.dns_rcode = std::move(rcode);
    obs.dns_answers = std::move(answers);
    return obs;
}

/// The failure message of one condition, or "" when it holds; a parse error fails the test.
std::string FailureOf(std::string_view expression, const Observation& obs) {
    auto set = ConditionSet::Parse({std::string(expression)});
    if (!set) {
        ADD_FAILURE() << "did not parse: " << expression << ": " << set.error().message;
        return "(no parse)";
    }
    return set->FirstFailure(obs);
}

bool Holds(std::string_view expression, const Observation& obs) {
    return FailureOf(expression, obs).empty();
}

/// "field: message" of the parse error, or "(parsed)".
std::string ParseError(std::string_view expression) {
    auto set = ConditionSet::Parse({std::string(expression)});
    if (set) return "(parsed)";
    EXPECT_EQ(set.error().kind, ErrorKind::kInvalidInput);
    return set.error().field + ": " + set.error().message;
}

struct Case {
    std::string_view expression;
    bool holds;
};

void ExpectAll(const std::vector<Case>& cases, const Observation& obs) {
    for (const Case& c : cases) {
        SCOPED_TRACE(c.expression);
        const std::string failure = FailureOf(c.expression, obs);
        EXPECT_EQ(failure.empty(), c.holds) << failure;
    }
}

// ---- parsing ----

TEST(ConditionParse, AcceptsEveryPlaceholderFunctionAndOperator) {
    const std::vector<std::string> ok = {
        "[STATUS] == 200",
        "[STATUS]==200",
        "  [STATUS] < 400  ",
        "[RESPONSE_TIME] <= 800",
        "[BODY] contains \"healthy\"",
        "[BODY] !contains \"error\"",
        "[BODY] not contains \"error\"",
        "[BODY] matches \"^ok( |$)\"",
        "[BODY] !matches \"fail\"",
        "[BODY].status == UP",
        "[BODY].checks[0].latency_ms < 50",
        "[BODY][0].name == \"a\"",
        "[BODY][\"a.b\"] exists",
        "[BODY].a[\"b c\"][3].d !exists",
        "[BODY].x not exists",
        "len([BODY].items) > 0",
        "len( lower( [BODY] ) ) >= 1",
        "lower([HEADER:Content-Type]) contains json",
        "[HEADER:X-Request-Id] exists",
        "[CERTIFICATE_DAYS] > 14",
        "[CERTIFICATE_DAYS] >= -1.5",
        "[DNS_RCODE] == \"NOERROR\"",
        "[DNS_RCODE] == NOERROR",
        "[DNS_ANSWERS] contains 192.0.2.1",
        "[DNS_ANSWERS] contains 2001:db8::1",
        "len([DNS_ANSWERS]) == 2",
        "[REACHED] == true",
        "[REACHED] != false",
        "[BODY].x == null",
        "[CONNECT_TIME] < 100",
        "[TLS_TIME] < 100",
        "[FIRST_BYTE_TIME] < 100",
        "[DNS_TIME] < 1e3",
        "[STATUS] in (200, 201, 204)",
        "[STATUS] in 200..299",
        "[STATUS] !in (500..599, 429)",
        "[STATUS] not in 500..599",
        "[BODY].v in (\"a\", b, true, null, 1.5)",
    };
    for (const auto& e : ok) {
        SCOPED_TRACE(e);
        auto set = ConditionSet::Parse({e});
        EXPECT_TRUE(set) << (set ? "" : set.error().message);
    }
    auto all = ConditionSet::Parse(ok);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), ok.size());
}

TEST(ConditionParse, ReportsTheIndexAndOneBasedColumn) {
    auto set = ConditionSet::Parse({"[STATUS] == 200", "[STATUS] = 200"});
    ASSERT_FALSE(set);
    EXPECT_EQ(set.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(set.error().field, "conditions[1]");
    EXPECT_EQ(set.error().message.rfind("column 10: expected an operator", 0), 0u) << set.error().message;
    EXPECT_NE(set.error().message.find("found '='"), std::string::npos) << set.error().message;
}

TEST(ConditionParse, RefusesMalformedExpressionsWithAColumn) {
    struct Bad {
        std::string_view expression;
        std::string_view error;  // exact "field: message"
    };
    const std::vector<Bad> cases = {
        {"",
         "conditions[0]: column 1: expected a placeholder like [STATUS] or a function len(...) or lower(...), "
         "found end of condition"},
        {"   ",
         "conditions[0]: column 4: expected a placeholder like [STATUS] or a function len(...) or lower(...), "
         "found end of condition"},
        {"[STATUS]",
         "conditions[0]: column 9: expected an operator (==, !=, <, <=, >, >=, contains, matches, in, "
         "exists; the last four negated with ! or not), found end of condition"},
        {"[STATUS] ==", "conditions[0]: column 12: expected a value, found end of condition"},
        {"[STATUS] == 200 200", "conditions[0]: column 17: expected end of condition, found '200'"},
        {"[STATUS] == 200)", "conditions[0]: column 16: expected end of condition, found ')'"},
        {"[STATUS] < UP", "conditions[0]: column 12: expected a number, found 'UP'"},
        {"[STATUS] < \"5\"", "conditions[0]: column 12: expected a number, found '\"5\"'"},
        {"[STATUS] == 200..299",
         "conditions[0]: column 13: expected a single value (a range like 200..299 needs 'in'), found '200..299'"},
        {"[STATUS] in 200",
         "conditions[0]: column 13: expected a set like (200, 201) or a range like 200..299, "
         "found '200'"},
        {"[STATUS] in 300..200",
         "conditions[0]: column 13: expected a range whose low end is not above its high end, found '300..200'"},
        {"[STATUS] in 200..", "conditions[0]: column 18: expected a number after '..', found end of condition"},
        {"[STATUS] in (200 201)", "conditions[0]: column 18: expected ',' or ')', found '201)'"},
        {"[STATUS] in ()", "conditions[0]: column 14: expected a value, found ')'"},
        {"[STATUS] in (200,", "conditions[0]: column 18: expected a value, found end of condition"},
        {"[BODY] contains \"abc", "conditions[0]: column 21: expected '\"' closing the string, found end of condition"},
        {"[BODY] contains \"abc\\\"",
         "conditions[0]: column 23: expected '\"' closing the string, found end of "
         "condition"},
        {"[FOO] == 1",
         "conditions[0]: column 1: expected a placeholder ([STATUS], [RESPONSE_TIME], [BODY], "
         "[HEADER:<name>], [CERTIFICATE_DAYS], [DNS_RCODE], [DNS_ANSWERS], [REACHED], [CONNECT_TIME], "
         "[TLS_TIME], [FIRST_BYTE_TIME], [DNS_TIME]), found '[FOO]'"},
        {"[status] == 1",
         "conditions[0]: column 1: expected a placeholder ([STATUS], [RESPONSE_TIME], [BODY], "
         "[HEADER:<name>], [CERTIFICATE_DAYS], [DNS_RCODE], [DNS_ANSWERS], [REACHED], "
         "[CONNECT_TIME], [TLS_TIME], [FIRST_BYTE_TIME], [DNS_TIME]), found '[status]'"},
        {"[STATUS == 1", "conditions[0]: column 9: expected ']' closing the placeholder, found '=='"},
        {"[HEADER:] exists",
         "conditions[0]: column 9: expected a header name, found ']'"
         ""},
        {"[HEADER:a(b] exists", "conditions[0]: column 10: expected a header name character, found '(b]'"},
        {"[BODY]. == 1", "conditions[0]: column 9: expected a member name after '.', found '=='"},
        {"[STATUS].x == 1",
         "conditions[0]: column 9: expected an operator (only [BODY] takes a JSON path), found '.x'"},
        {"[HEADER:A][0] exists",
         "conditions[0]: column 11: expected an operator (only [BODY] takes a JSON path), found '[0]'"},
        {"[BODY][x] == 1", "conditions[0]: column 8: expected an array index or a quoted member name, found 'x]'"},
        {"[BODY][1 == 1", "conditions[0]: column 10: expected ']', found '=='"},
        {"[BODY][99999999999999999999999] == 1",
         "conditions[0]: column 8: expected an array index, found "
         "'99999999999999999999999]'"},
        {"len([BODY] > 1", "conditions[0]: column 12: expected ')', found '>'"},
        {"len [BODY]) > 1", "conditions[0]: column 5: expected '(', found '[BODY])'"},
        {"upper([BODY]) == \"A\"",
         "conditions[0]: column 1: expected a placeholder like [STATUS] or a function len(...) or lower(...), "
         "found 'upper([BODY])'"},
        {"200 == [STATUS]",
         "conditions[0]: column 1: expected a placeholder like [STATUS] or a function len(...) or "
         "lower(...), found '200'"},
        {"[STATUS] === 200",
         "conditions[0]: column 12: expected a value, found '='"
         ""},
        {"[BODY] ! contains x",
         "conditions[0]: column 10: expected contains, matches, in or exists right after '!', found 'contains'"},
        {"[BODY] not equals x",
         "conditions[0]: column 12: expected contains, matches, in or exists after 'not', found 'equals'"},
        {"[BODY] containsx \"a\"",
         "conditions[0]: column 8: expected an operator (==, !=, <, <=, >, >=, contains, "
         "matches, in, exists; the last four negated with ! or not), found 'containsx'"},
        {"[BODY] exists 1", "conditions[0]: column 15: expected end of condition, found '1'"},
        {"[BODY] matches ok", "conditions[0]: column 16: expected a regular expression in double quotes, found 'ok'"},
        {"[STATUS] == 1e999",
         "conditions[0]: column 13: expected a number within the range of a double, found "
         "'1e999'"},
    };
    for (const Bad& c : cases) {
        SCOPED_TRACE(c.expression);
        EXPECT_EQ(ParseError(c.expression), c.error);
    }
}

TEST(ConditionParse, CountsColumnsInCharactersNotBytes) {
    // "ü" is two bytes; the column of the stray token still counts it once.
    EXPECT_EQ(ParseError("[BODY].grüße == 1 x"), "conditions[0]: column 19: expected end of condition, found 'x'");
}

TEST(ConditionParse, RefusesInvalidUtf8AndOverlongExpressions) {
    EXPECT_EQ(ParseError("[BODY] contains \"\xff\""), "conditions[0]: column 18: expected UTF-8 text, found '\\xff\"'");
    EXPECT_EQ(
        ParseError("[BODY] contains \"" + std::string(5000, 'a') + "\"")
            .rfind(
                "conditions[0]: column 4097: expected "
                "at most 4096 bytes",
                0
            ),
        0u
    );
}

TEST(ConditionParse, LimitsFunctionNesting) {
    EXPECT_EQ(ParseError("len(len(len(len(len(len(len(len([BODY])))))))) > 0"), "(parsed)");
    EXPECT_EQ(
        ParseError("len(len(len(len(len(len(len(len(len([BODY]))))))))) > 0"),
        "conditions[0]: column 33: expected a placeholder (functions nest at most 8 deep), found 'len([BODY])))))))))'"
    );
}

TEST(ConditionParse, RejectsAnInvalidRegexAtItsColumn) {
    EXPECT_EQ(
        ParseError("[BODY] matches \"(unclosed\""),
        "conditions[0]: column 16: expected a valid ECMAScript regular expression, found '\"(unclosed\"' (unbalanced ( "
        "), "
        "or a quantifier with nothing to repeat)"
    );
    EXPECT_EQ(
        ParseError("[BODY] matches \"[a-\""),
        "conditions[0]: column 16: expected a valid ECMAScript regular expression, found '\"[a-\"' (invalid character "
        "range)"
    );
    EXPECT_EQ(
        ParseError("[BODY] matches \"*\""),
        "conditions[0]: column 16: expected a valid ECMAScript regular expression, found '\"*\"' (unbalanced ( ), or a "
        "quantifier with nothing to repeat)"
    );
    // Back-references need backtracking, which polynomial matching refuses.
    EXPECT_EQ(
        ParseError("[BODY] matches \"(a)\\1\""),
        "conditions[0]: column 16: expected a valid ECMAScript regular expression, found '\"(a)\\1\"' "
        "(back-references are not supported)"
    );
    // A pattern that is only valid once wrapped must not slip through.
    EXPECT_NE(ParseError("[BODY] matches \"a)|(?:b\""), "(parsed)");
}

TEST(ConditionParse, RejectsRegexesThatExpandBeyondTheStepLimit) {
    EXPECT_EQ(ParseError("[BODY] matches \"a{100}\""), "(parsed)");
    EXPECT_EQ(
        ParseError("[BODY] matches \"(a{100}){100}\""),
        "conditions[0]: column 16: expected a regular expression of at most about 256 steps (counted repetitions "
        "multiply), found '\"(a{100}){100}\"'"
    );
    EXPECT_NE(ParseError("[BODY] matches \"((a{9}){9}){9}\""), "(parsed)");
    EXPECT_NE(ParseError("[BODY] matches \"a{99999999999999999999}\""), "(parsed)");
}

TEST(ConditionParse, SurvivesRandomBytes) {
    std::mt19937 rng(20260301);
    const std::string alphabet = "[]().,\"\\!=<>:-_ 0123456789abcdefxyzSTATUSBODYHEADERlenlowercontainsmatchesinexists";
    const std::vector<std::string> seeds = {
        "[BODY].checks[0].latency_ms < 50",
        "len(lower([HEADER:X-A])) in (1, 2..3)",
        "[BODY] matches \"^a+(b|c)$\"",
        "[DNS_ANSWERS] !contains \"x\"",
        "[BODY][\"a.b\"][2] !exists",
        "[STATUS] not in 500..599",
    };
    Observation obs = Http(200, R"({"checks":[{"latency_ms":3}],"a.b":[1,2,{"c":null}]})");
    obs.headers = {{"X-A", "Ab"}};
    obs.dns_rcode = "NOERROR";
    obs.dns_answers = {"x"};
    int parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string e;
        if (i % 2 == 0) {
            // Random bytes of any value.
            e.resize(rng() % 40);
            for (char& ch : e) ch = static_cast<char>(rng() % 256);
        } else {
            // A valid seed with a few edits, to get past the first token.
            e = seeds[rng() % seeds.size()];
            for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
                const std::size_t at = rng() % (e.size() + 1);
                const char ch = alphabet[rng() % alphabet.size()];
                switch (rng() % 3) {
                    case 0:
                        e.insert(at, 1, ch);
                        break;
                    case 1:
                        if (at < e.size()) e.erase(at, 1);
                        break;
                    default:
                        if (at < e.size()) e[at] = ch;
                        break;
                }
            }
        }
        auto set = ConditionSet::Parse({e});
        if (!set) {
            ASSERT_EQ(set.error().field, "conditions[0]") << e;
            ASSERT_EQ(set.error().message.rfind("column ", 0), 0u) << e;
            continue;
        }
        ++parsed;
        (void)set->FirstFailure(obs);
        (void)set->FirstFailure(Observation{});
    }
    EXPECT_GT(parsed, 100);  // the mutations do reach evaluation
}

// ---- evaluation: status, operators, messages ----

TEST(ConditionEval, EmptySetAlwaysHolds) {
    auto set = ConditionSet::Parse({});
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->empty());
    EXPECT_EQ(set->FirstFailure(Http(500)), "");
}

TEST(ConditionEval, NamesTheConditionAndTheActualValue) {
    EXPECT_EQ(FailureOf("[STATUS] == 200", Http(503)), "[STATUS] == 200 failed: [STATUS] is 503");
    EXPECT_EQ(FailureOf("  [STATUS]  <  400  ", Http(503)), "[STATUS]  <  400 failed: [STATUS] is 503");
    EXPECT_EQ(
        FailureOf("[BODY] contains \"ok\"", Http(200, "fine")), "[BODY] contains \"ok\" failed: [BODY] is \"fine\""
    );
}

TEST(ConditionEval, ReportsTheFirstFailingConditionInOrder) {
    auto set = ConditionSet::Parse({"[STATUS] < 500", "[BODY] contains \"a\"", "[STATUS] == 201"});
    ASSERT_TRUE(set);
    EXPECT_EQ(set->FirstFailure(Http(200, "b")), "[BODY] contains \"a\" failed: [BODY] is \"b\"");
    EXPECT_EQ(set->FirstFailure(Http(200, "a")), "[STATUS] == 201 failed: [STATUS] is 200");
    EXPECT_EQ(set->FirstFailure(Http(201, "a")), "");
}

TEST(ConditionEval, ComparesStatusWithEveryOperator) {
    ExpectAll(
        {
            {"[STATUS] == 204", true},
            {"[STATUS] == \"204\"", true},
            {"[STATUS] == 204.0", true},
            {"[STATUS] != 204", false},
            {"[STATUS] != 200", true},
            {"[STATUS] < 204", false},
            {"[STATUS] < 205", true},
            {"[STATUS] <= 204", true},
            {"[STATUS] > 204", false},
            {"[STATUS] > 203", true},
            {"[STATUS] >= 204", true},
            {"[STATUS] >= 205", false},
            {"[STATUS] in (200, 201, 204)", true},
            {"[STATUS] in (200, 201)", false},
            {"[STATUS] in 200..299", true},
            {"[STATUS] in 200..204", true},
            {"[STATUS] in 205..299", false},
            {"[STATUS] in (100..199, 204)", true},
            {"[STATUS] !in 500..599", true},
            {"[STATUS] not in (204)", false},
            {"[STATUS] contains 20", true},
            {"[STATUS] matches \"^2\"", true},
            {"[STATUS] == true", false},
            {"[STATUS] exists", true},
        },
        Http(204)
    );
}

TEST(ConditionEval, AbsentPlaceholdersFailWhateverTheOperator) {
    Observation tcp;
    tcp.reached = true;
    EXPECT_EQ(FailureOf("[STATUS] == 200", tcp), "[STATUS] == 200 failed: [STATUS] is absent");
    EXPECT_EQ(FailureOf("[STATUS] != 200", tcp), "[STATUS] != 200 failed: [STATUS] is absent");
    EXPECT_EQ(FailureOf("[BODY] !contains \"x\"", tcp), "[BODY] !contains \"x\" failed: [BODY] is absent");
    EXPECT_EQ(FailureOf("[CERTIFICATE_DAYS] > 3", tcp), "[CERTIFICATE_DAYS] > 3 failed: [CERTIFICATE_DAYS] is absent");
    EXPECT_EQ(FailureOf("[DNS_RCODE] == NOERROR", tcp), "[DNS_RCODE] == NOERROR failed: [DNS_RCODE] is absent");
    EXPECT_EQ(FailureOf("[DNS_ANSWERS] contains x", tcp), "[DNS_ANSWERS] contains x failed: [DNS_ANSWERS] is absent");
    EXPECT_EQ(
        FailureOf("len([DNS_ANSWERS]) == 0", tcp), "len([DNS_ANSWERS]) == 0 failed: len([DNS_ANSWERS]) is absent"
    );
    EXPECT_EQ(FailureOf("[TLS_TIME] < 5", tcp), "[TLS_TIME] < 5 failed: [TLS_TIME] is absent");
    EXPECT_EQ(FailureOf("[STATUS] exists", tcp), "[STATUS] exists failed: [STATUS] is absent");
    EXPECT_TRUE(Holds("[STATUS] !exists", tcp));
    EXPECT_TRUE(Holds("[REACHED] == true", tcp));
    EXPECT_TRUE(Holds("[RESPONSE_TIME] == 0", tcp));
}

TEST(ConditionEval, ReadsTimingsInWholeMilliseconds) {
    Observation obs = Http(200);
    obs.timings.total = microseconds(812'900);
    obs.timings.dns = microseconds(1'500);
    obs.timings.connect = microseconds(20'000);
    obs.timings.tls = microseconds(45'000);
    obs.timings.first_byte = microseconds(300'000);
    ExpectAll(
        {
            {"[RESPONSE_TIME] == 812", true},
            {"[RESPONSE_TIME] <= 800", false},
            {"[DNS_TIME] == 1", true},
            {"[CONNECT_TIME] == 20", true},
            {"[TLS_TIME] < 50", true},
            {"[FIRST_BYTE_TIME] >= 300", true},
        },
        obs
    );
    EXPECT_EQ(FailureOf("[RESPONSE_TIME] <= 800", obs), "[RESPONSE_TIME] <= 800 failed: [RESPONSE_TIME] is 812");
}

TEST(ConditionEval, CertificateDaysAndReached) {
    Observation obs = Http(200);
    obs.certificate_days_left = -2;
    ExpectAll(
        {
            {"[CERTIFICATE_DAYS] > 14", false},
            {"[CERTIFICATE_DAYS] < 0", true},
            {"[CERTIFICATE_DAYS] == -2", true},
            {"[CERTIFICATE_DAYS] in -5..0", true},
            {"[REACHED] == true", true},
            {"[REACHED] == \"true\"", true},
            {"[REACHED] != true", false},
            {"[REACHED] == 1", false},
        },
        obs
    );
}

// ---- evaluation: body, JSON paths, numbers vs strings ----

TEST(ConditionEval, MatchesTheRawBody) {
    const Observation obs = Http(200, "ok 12ms\nall \"good\" \\ here");
    ExpectAll(
        {
            {"[BODY] contains \"ok\"", true},
            {"[BODY] contains \"\\\"good\\\"\"", true},
            {"[BODY] contains \"\\\\ here\"", true},
            {"[BODY] contains \"error\"", false},
            {"[BODY] !contains \"error\"", true},
            {"[BODY] not contains ok", false},
            {"[BODY] matches \"^ok( |$)\"", true},
            {"[BODY] matches \"\\d+ms\"", true},
            {"[BODY] matches \"here$\"", true},
            {"[BODY] matches \"^all\"", false},  // ^ is the start of the body, not of a line
            {"[BODY] matches \"[\\s\\S]*good\"", true},
            {"[BODY] matches \"bad|good\"", true},
            {"[BODY] matches \"\"", true},
            {"[BODY] !matches \"error\"", true},
            {"[BODY] not matches \"ok\"", false},
            {"[BODY] == \"ok\"", false},
            {"len([BODY]) == 25", true},
            {"lower([BODY]) contains \"ALL\"", false},
        },
        obs
    );
    EXPECT_EQ(
        FailureOf("[BODY] !contains \"good\"", obs),
        "[BODY] !contains \"good\" failed: [BODY] is \"ok 12ms\\nall \\\"good\\\" \\\\ here\""
    );
}

TEST(ConditionEval, NumericBodiesCompareAsNumbers) {
    ExpectAll(
        {
            {"[BODY] < 100", true},
            {"[BODY] == 42", true},
            {"[BODY] == 42.0", true},
            {"[BODY] in 40..50", true},
        },
        Http(200, " 42\n")
    );
    EXPECT_EQ(FailureOf("[BODY] < 100", Http(200, "hello")), "[BODY] < 100 failed: [BODY] is \"hello\", not a number");
    EXPECT_EQ(
        FailureOf("[BODY] in 1..5", Http(200, "hello")), "[BODY] in 1..5 failed: [BODY] is \"hello\", not a number"
    );
    // Negation does not turn a type mismatch into a pass.
    EXPECT_EQ(
        FailureOf("[BODY] !in 1..5", Http(200, "hello")), "[BODY] !in 1..5 failed: [BODY] is \"hello\", not a number"
    );
    EXPECT_FALSE(Holds("[BODY] == 5", Http(200, "hello")));
    EXPECT_TRUE(Holds("[BODY] != 5", Http(200, "hello")));
}

TEST(ConditionEval, FollowsJsonPaths) {
    const Observation obs = Http(
        200,
        R"({"status":"UP","checks":[{"name":"db","latency_ms":12.5,"ok":true},{"name":"cache","latency_ms":3}],)"
        R"("count":"17","a.b":{"c d":[10,20]},"tags":["Blue","green",7],"none":null,"empty":{}})"
    );
    ExpectAll(
        {
            {"[BODY].status == UP", true},
            {"[BODY].status == \"UP\"", true},
            {"[BODY].status == up", false},
            {"lower([BODY].status) == up", true},
            {"[BODY].status != DOWN", true},
            {"[BODY].checks[0].latency_ms < 50", true},
            {"[BODY].checks[0].latency_ms == 12.5", true},
            {"[BODY].checks[0].latency_ms > 12.5", false},
            {"[BODY].checks[1].name == cache", true},
            {"[BODY].checks[0].ok == true", true},
            {"[BODY].checks[0].ok == \"true\"", true},
            {"[BODY].checks[0].ok != false", true},
            {"[BODY].count > 16", true},  // a numeric string compares as a number
            {"[BODY].count == 17", true},
            {"[BODY].count == \"17\"", true},
            {"[BODY][\"a.b\"][\"c d\"][1] == 20", true},
            {"[BODY][\"a.b\"].c exists", false},
            {"[BODY].tags contains green", true},
            {"[BODY].tags contains 7", true},
            {"[BODY].tags contains \"7\"", true},
            {"[BODY].tags contains gre", false},  // array elements must be equal, not contain
            {"[BODY].tags matches \"^Bl\"", true},
            {"lower([BODY].tags) contains blue", false},     // lower() leaves JSON arrays alone
            {"[BODY].checks[0] contains latency_ms", true},  // an object contains its keys
            {"[BODY].none == null", true},
            {"[BODY].none exists", true},
            {"[BODY].status == null", false},
            {"[BODY].missing !exists", true},
            {"[BODY].checks[5] !exists", true},
            {"[BODY].status[0] !exists", true},
            {"[BODY].tags.x !exists", true},
            {"len([BODY].checks) == 2", true},
            {"len([BODY].empty) == 0", true},
            {"len([BODY]) > 100", true},
            {"len([BODY].status) == 2", true},
            {"[BODY].checks == 2", false},
        },
        obs
    );
    EXPECT_EQ(FailureOf("[BODY].missing == 1", obs), "[BODY].missing == 1 failed: [BODY].missing is absent");
    EXPECT_EQ(
        FailureOf("[BODY].checks[9].name == db", obs),
        "[BODY].checks[9].name == db failed: [BODY].checks[9].name is absent"
    );
    EXPECT_EQ(FailureOf("[BODY].status < 5", obs), "[BODY].status < 5 failed: [BODY].status is \"UP\", not a number");
    EXPECT_EQ(
        FailureOf("[BODY].checks[1] == 1", obs),
        "[BODY].checks[1] == 1 failed: [BODY].checks[1] is {\"name\":\"cache\",\"latency_ms\":3}"
    );
    EXPECT_EQ(
        FailureOf("len([BODY].none) == 1", obs),
        "len([BODY].none) == 1 failed: [BODY].none is null, which has no length"
    );
    EXPECT_EQ(
        FailureOf("[BODY].checks[0].ok == false", obs),
        "[BODY].checks[0].ok == false failed: [BODY].checks[0].ok is true"
    );
}

TEST(ConditionEval, JsonRootArray) {
    const Observation obs = Http(200, R"([{"name":"a"},{"name":"b"}])");
    EXPECT_TRUE(Holds("[BODY][0].name == a", obs));
    EXPECT_TRUE(Holds("[BODY][1].name == \"b\"", obs));
    EXPECT_TRUE(Holds("[BODY].name !exists", obs));
}

TEST(ConditionEval, BodyThatIsNotJsonFailsPathConditions) {
    const Observation obs = Http(200, "<html>ok</html>");
    EXPECT_EQ(FailureOf("[BODY].status == UP", obs), "[BODY].status == UP failed: body is not JSON");
    EXPECT_EQ(FailureOf("[BODY].status !exists", obs), "[BODY].status !exists failed: body is not JSON");
    EXPECT_EQ(FailureOf("len([BODY].items) > 0", obs), "len([BODY].items) > 0 failed: body is not JSON");
    EXPECT_EQ(FailureOf("[BODY][0] exists", Http(200, "")), "[BODY][0] exists failed: body is not JSON");
    Observation cut = Http(200, "{\"a\": [1, 2");
    cut.body_truncated = true;
    EXPECT_EQ(FailureOf("[BODY].a exists", cut), "[BODY].a exists failed: body is not JSON (it was cut at 1 MiB)");
    // The raw body still works.
    EXPECT_TRUE(Holds("[BODY] contains ok", obs));
}

TEST(ConditionEval, ParsesTheBodyAtMostOncePerEvaluation) {
    std::vector<std::string> expressions;
    for (int i = 0; i < 40; ++i) expressions.push_back("[BODY].items[" + std::to_string(i % 3) + "] exists");
    expressions.push_back("[BODY] contains items");
    auto set = ConditionSet::Parse(expressions);
    ASSERT_TRUE(set);
    const Observation obs = Http(200, R"({"items":[1,2,3]})");
    const std::uint64_t before = ConditionSet::BodyParsesOnThisThreadForTest();
    EXPECT_EQ(set->FirstFailure(obs), "");
    EXPECT_EQ(ConditionSet::BodyParsesOnThisThreadForTest() - before, 1u);
    EXPECT_EQ(set->FirstFailure(obs), "");
    EXPECT_EQ(ConditionSet::BodyParsesOnThisThreadForTest() - before, 2u);  // once per evaluation

    auto raw_only = ConditionSet::Parse({"[BODY] contains items", "[STATUS] == 200"});
    ASSERT_TRUE(raw_only);
    EXPECT_EQ(raw_only->FirstFailure(obs), "");
    EXPECT_EQ(ConditionSet::BodyParsesOnThisThreadForTest() - before, 2u);  // no path, no parse
}

TEST(ConditionEval, DeeplyNestedJsonIsNotJson) {
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    EXPECT_EQ(FailureOf("[BODY][0] exists", Http(200, deep)), "[BODY][0] exists failed: body is not JSON");
}

// ---- evaluation: headers, DNS, functions ----

TEST(ConditionEval, LooksUpHeadersCaseInsensitivelyFirstMatchWins) {
    Observation obs = Http(200);
    obs.headers = {{"content-type", "Application/JSON; charset=utf-8"}, {"X-Tag", "one"}, {"x-tag", "two"}};
    ExpectAll(
        {
            {"[HEADER:Content-Type] contains \"JSON\"", true},
            {"[HEADER:CONTENT-TYPE] contains json", false},
            {"lower([HEADER:Content-Type]) contains json", true},
            {"[HEADER:x-TAG] == one", true},
            {"[HEADER:X-Tag] == two", false},
            {"[HEADER:X-Tag] exists", true},
            {"[HEADER:X-Missing] !exists", true},
            {"[HEADER:X-Missing] exists", false},
            {"len([HEADER:x-tag]) == 3", true},
        },
        obs
    );
    EXPECT_EQ(
        FailureOf("[HEADER:X-Missing] == 1", obs), "[HEADER:X-Missing] == 1 failed: [HEADER:X-Missing] is absent"
    );
    EXPECT_EQ(FailureOf("[HEADER:X-Tag] !exists", obs), "[HEADER:X-Tag] !exists failed: [HEADER:X-Tag] is \"one\"");
}

TEST(ConditionEval, DnsAnswers) {
    const Observation two = Dns("NOERROR", {"192.0.2.1", "192.0.2.2"});
    ExpectAll(
        {
            {"[DNS_RCODE] == NOERROR", true},
            {"[DNS_RCODE] == \"NXDOMAIN\"", false},
            {"[DNS_ANSWERS] contains \"192.0.2.2\"", true},
            {"[DNS_ANSWERS] contains 192.0.2.1", true},
            {"[DNS_ANSWERS] contains 192.0.2", false},  // an answer must be equal, not contain
            {"[DNS_ANSWERS] !contains 192.0.2.9", true},
            {"[DNS_ANSWERS] == 192.0.2.1", false},  // == needs exactly one answer
            {"[DNS_ANSWERS] != 192.0.2.1", true},
            {"[DNS_ANSWERS] matches \"\\.2$\"", true},
            {"len([DNS_ANSWERS]) == 2", true},
            {"[DNS_ANSWERS] exists", true},
        },
        two
    );
    EXPECT_EQ(
        FailureOf("[DNS_ANSWERS] == 192.0.2.1", two),
        "[DNS_ANSWERS] == 192.0.2.1 failed: [DNS_ANSWERS] is [\"192.0.2.1\", \"192.0.2.2\"]"
    );

    const Observation one = Dns("NOERROR", {"MX.Example."});
    ExpectAll(
        {
            {"[DNS_ANSWERS] == \"MX.Example.\"", true},
            {"lower([DNS_ANSWERS]) == mx.example.", true},
            {"lower([DNS_ANSWERS]) contains mx.example.", true},
            {"[DNS_ANSWERS] in (a, MX.Example.)", true},
        },
        one
    );
    EXPECT_TRUE(Holds("[DNS_ANSWERS] < 20", Dns("NOERROR", {"10"})));

    const Observation none = Dns("NXDOMAIN", {});
    EXPECT_TRUE(Holds("len([DNS_ANSWERS]) == 0", none));
    EXPECT_FALSE(Holds("[DNS_ANSWERS] contains x", none));
    EXPECT_EQ(FailureOf("[DNS_RCODE] == NOERROR", none), "[DNS_RCODE] == NOERROR failed: [DNS_RCODE] is \"NXDOMAIN\"");
}

TEST(ConditionEval, LenCountsCharactersAndLowerFoldsAscii) {
    ExpectAll(
        {
            {"len([BODY]) == 5", true},  // "grüße" is 5 characters, 7 bytes
            {"lower([BODY]) == \"grüße\"", true},
            {"len(lower([BODY])) == 5", true},
        },
        Http(200, "GRüßE")
    );
    EXPECT_EQ(
        FailureOf("len([STATUS]) == 3", Http(200)), "len([STATUS]) == 3 failed: [STATUS] is 200, which has no length"
    );
    EXPECT_EQ(FailureOf("len([BODY]) > 9", Http(200, "abc")), "len([BODY]) > 9 failed: len([BODY]) is 3");
}

// ---- limits ----

TEST(ConditionEval, HandlesAOneMebibyteBody) {
    std::string body(kMaxBodyBytes, 'a');
    for (std::size_t i = 79; i < body.size(); i += 80) body[i] = '\n';
    body.replace(body.size() - 7, 7, "needle\n");
    const Observation obs = Http(200, body);
    EXPECT_TRUE(Holds("[BODY] contains needle", obs));
    EXPECT_TRUE(Holds("len([BODY]) == 1048576", obs));
    EXPECT_FALSE(Holds("[BODY] < 5", obs));
    // One regex pass over 1 MiB: linear, and no recursion per byte in libstdc++'s executor.
    EXPECT_TRUE(Holds("[BODY] matches \"ne+dle\\n?$\"", obs));
    // The message shows about 120 characters of it, not a mebibyte.
    const std::string failure = FailureOf("[BODY] contains haystack", obs);
    EXPECT_EQ(failure.rfind("[BODY] contains haystack failed: [BODY] is \"aaaa", 0), 0u) << failure;
    EXPECT_LT(failure.size(), 200u);
    EXPECT_EQ(failure.substr(failure.size() - 3), "...");
}

TEST(ConditionEval, HandlesAOneMebibyteJsonDocument) {
    std::string body = "{\"items\":[";
    while (body.size() < kMaxBodyBytes - 16) body += "123456,";
    body += "0],\"ok\":true}";
    const Observation obs = Http(200, body);
    EXPECT_TRUE(Holds("len([BODY].items) > 100000", obs));
    EXPECT_TRUE(Holds("[BODY].ok == true", obs));
    const std::string failure = FailureOf("[BODY].items == 1", obs);
    EXPECT_EQ(failure.rfind("[BODY].items == 1 failed: [BODY].items is [123456,123456,", 0), 0u) << failure;
    EXPECT_LT(failure.size(), 200u);
}

TEST(ConditionEval, ShowsUnprintableBytesEscaped) {
    EXPECT_EQ(
        FailureOf("[BODY] == x", Http(200, std::string("a\x01\xff", 3))),
        "[BODY] == x failed: [BODY] is \"a\\x01\\xff\""
    );
}

TEST(ConditionEval, EvaluatesConcurrently) {
    auto set = ConditionSet::Parse({"[BODY].a matches \"^[0-9]+$\"", "[STATUS] in 200..299", "len([BODY].b) == 2"});
    ASSERT_TRUE(set);
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const Observation obs = Http(200, R"({"a":")" + std::to_string(i) + R"(","b":[1,2]})");
                if (!set->FirstFailure(obs).empty()) ++failures[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tocsin::monitor
