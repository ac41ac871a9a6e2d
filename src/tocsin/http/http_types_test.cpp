#include "tocsin/http/http_types.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::http {
namespace {

namespace json = boost::json;

TEST(RequestQueryParam, DecodesValuesAndNames) {
    struct Case {
        std::string_view name;
        std::string_view query;
        std::string_view key;
        std::optional<std::string> expected;
    };
    const Case cases[] = {
        {"plain", "status=resolved&page=2", "page", "2"},
        {"percent-encoded value", "q=disk%20full", "q", "disk full"},
        {"plus is a space in a query", "q=disk+full", "q", "disk full"},
        {"encoded plus stays a plus", "q=a%2Bb", "q", "a+b"},
        {"encoded comma", "status=investigating%2Cidentified", "status", "investigating,identified"},
        {"encoded name", "per%5Fpage=10", "per_page", "10"},
        {"utf-8", "q=%C3%BC", "q", "\xC3\xBC"},
        {"first occurrence wins", "page=1&page=2", "page", "1"},
        {"present without '='", "verbose&x=1", "verbose", ""},
        {"present with empty value", "q=&x=1", "q", ""},
        {"value containing '='", "since=a=b", "since", "a=b"},
        {"absent", "status=resolved", "page", std::nullopt},
        {"key is not a prefix match", "pages=3", "page", std::nullopt},
        {"empty query", "", "page", std::nullopt},
        {"empty pairs are skipped", "&&page=4&", "page", "4"},
        {"trailing percent kept", "q=100%", "q", "100%"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Request req;
        req.query = c.query;
        EXPECT_EQ(req.QueryParam(c.key), c.expected);
    }
}

TEST(PercentDecode, HandlesEdgeCases) {
    struct Case {
        std::string_view name;
        std::string_view input;
        bool plus_is_space;
        std::string expected;
    };
    const Case cases[] = {
        {"empty", "", false, ""},
        {"no escapes", "abc", false, "abc"},
        {"upper-case hex", "%41%42", false, "AB"},
        {"lower-case hex", "%2f%3a", false, "/:"},
        {"escape at the very end", "ab%41", false, "abA"},
        {"lone trailing percent", "abc%", false, "abc%"},
        {"percent and one digit at the end", "abc%4", false, "abc%4"},
        {"only a percent", "%", false, "%"},
        {"invalid hex digits kept", "%zz%4g", false, "%zz%4g"},
        {"double percent", "%%41", false, "%A"},
        {"encoded percent is not decoded twice", "%2541", false, "%41"},
        {"plus kept when not a space", "a+b", false, "a+b"},
        {"plus as space", "a+b", true, "a b"},
        {"encoded plus with plus_is_space", "%2B", true, "+"},
        {"nul byte", "a%00b", false, std::string("a\0b", 3)},
        {"high byte", "%FF", false, "\xFF"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(PercentDecode(c.input, c.plus_is_space), c.expected);
    }
}

TEST(Request, ParamAndHeaderLookups) {
    Request req;
    req.path_params = {{"id", "abc"}, {"update_id", "def"}};
    EXPECT_EQ(req.Param("id"), "abc");
    EXPECT_EQ(req.Param("update_id"), "def");
    EXPECT_EQ(req.Param("missing"), "");
    // Without a native message there are no headers.
    EXPECT_EQ(req.Header("Authorization"), "");

    static const std::string kNative = "the native message";
    req.native = &kNative;
    req.header_lookup = [](const void* native, std::string_view name) -> std::string_view {
        if (native != &kNative) return "wrong native";
        return name == "X-Test" ? "yes" : "";
    };
    EXPECT_EQ(req.Header("X-Test"), "yes");
    EXPECT_EQ(req.Header("Other"), "");
}

json::object ParseObject(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    EXPECT_FALSE(ec) << body;
    if (ec || !v.is_object()) return {};
    return v.as_object();
}

TEST(WriteProblem, WritesAnRfc7807Body) {
    Response res;
    WriteProblem(res, 400, "invalid-field", "name must not be empty", "name");
    EXPECT_EQ(res.status, 400);
    EXPECT_EQ(res.content_type, "application/problem+json");
    auto o = ParseObject(res.body);
    EXPECT_EQ(o.at("type").as_string(), "https://tocsin.dev/problems/invalid-field");
    EXPECT_EQ(o.at("title").as_string(), "Bad Request");
    EXPECT_EQ(o.at("status").as_int64(), 400);
    EXPECT_EQ(o.at("detail").as_string(), "name must not be empty");
    EXPECT_EQ(o.at("field").as_string(), "name");
}

TEST(WriteProblem, OmitsFieldWhenThereIsNone) {
    Response res;
    WriteProblem(res, 404, "not-found", "no such resource");
    auto o = ParseObject(res.body);
    EXPECT_FALSE(o.contains("field"));
    EXPECT_EQ(o.at("title").as_string(), "Not Found");
}

TEST(WriteProblem, TitlesFollowTheStatus) {
    struct Case {
        std::string_view name;
        int status;
        std::string_view title;
    };
    const Case cases[] = {
        {"401", 401, "Unauthorized"},
        {"403", 403, "Forbidden"},
        {"405", 405, "Method Not Allowed"},
        {"409", 409, "Conflict"},
        {"413", 413, "Payload Too Large"},
        {"415", 415, "Unsupported Media Type"},
        {"431", 431, "Request Header Fields Too Large"},
        {"500", 500, "Internal Server Error"},
        {"503", 503, "Service Unavailable"},
        {"unlisted status", 418, "Error"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Response res;
        WriteProblem(res, c.status, "x", "y");
        auto o = ParseObject(res.body);
        EXPECT_EQ(o.at("title").as_string(), c.title);
        EXPECT_EQ(o.at("status").as_int64(), c.status);
    }
}

TEST(WriteProblem, EscapesDetailAsJson) {
    Response res;
    std::string detail = "a \"quoted\" \\ value\nwith <html> & \x01 control";
    WriteProblem(res, 400, "invalid-json", detail, "components.\"x\"");
    auto o = ParseObject(res.body);
    EXPECT_EQ(o.at("detail").as_string(), detail);
    EXPECT_EQ(o.at("field").as_string(), "components.\"x\"");
}

TEST(WriteProblem, ReplacesASharedBody) {
    auto owner = std::make_shared<const std::string>("snapshot bytes");
    Response res;
    res.SetShared(owner, *owner);
    ASSERT_EQ(res.Body(), "snapshot bytes");
    WriteProblem(res, 503, "unavailable", "the page is starting");
    EXPECT_EQ(res.shared_owner, nullptr);
    EXPECT_EQ(res.Body(), res.body);
    EXPECT_NE(res.Body().find("the page is starting"), std::string_view::npos);
}

TEST(HttpError, CarriesStatusTypeAndField) {
    HttpError e(409, "conflict", "already revoked", "id");
    EXPECT_EQ(e.Status(), 409);
    EXPECT_EQ(e.Type(), "conflict");
    EXPECT_EQ(e.Field(), "id");
    EXPECT_STREQ(e.what(), "already revoked");
}

TEST(Method, PrintsItsName) {
    struct Case {
        std::string_view name;
        Method method;
    };
    const Case cases[] = {
        {"GET", Method::kGet},
        {"HEAD", Method::kHead},
        {"POST", Method::kPost},
        {"PUT", Method::kPut},
        {"PATCH", Method::kPatch},
        {"DELETE", Method::kDelete},
        {"OPTIONS", Method::kOptions},
        {"OTHER", Method::kOther},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ToString(c.method), c.name);
    }
}

}  // namespace
}  // namespace tocsin::http
