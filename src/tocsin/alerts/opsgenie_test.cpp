#include "tocsin/alerts/opsgenie.hpp"

#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tocsin::alerts::opsgenie {
namespace {

RequestContext Ctx() {
    RequestContext c;
    c.now = *ParseIso8601("2030-01-01T10:00:00Z");
    c.remote_address = "10.0.0.7";
    c.request_id = "req-1";
    return c;
}

IntakeEvent CreateOk(std::string_view body) {
    auto p = ParseCreate(body, Ctx());
    if (auto* e = std::get_if<ApiError>(&p)) {
        ADD_FAILURE() << body << " -> " << e->status << " " << e->message;
        return {};
    }
    return std::get<IntakeEvent>(p);
}

ApiError CreateErr(std::string_view body) {
    auto p = ParseCreate(body, Ctx());
    if (auto* e = std::get_if<ApiError>(&p)) return *e;
    ADD_FAILURE() << body << " was accepted";
    return {};
}

TEST(OpsgenieCreate, DocumentedExampleMapsEveryField) {
    auto e = CreateOk(R"({"message":"5xx rate 7% on payments-api","alias":"payments/api/5xx","description":"d",
        "responders":[{"type":"team","name":"payments"},{"type":"user","username":"ann@example.com"},
                      {"type":"escalation","id":"e1"},{"type":"schedule","name":"primary"}],
        "visibleTo":[{"type":"team","name":"sre"}],"actions":["Restart"],"tags":["prod","env:eu"],
        "details":{"rate":"0.07"},"entity":"payments-api","source":"alertmanager","priority":"P1",
        "user":"Monitoring","note":"auto-created","unknownField":1})");
    EXPECT_EQ(e.dialect, Dialect::kOpsgenie);
    EXPECT_EQ(e.action, IntakeAction::kTrigger);
    EXPECT_EQ(e.summary, "5xx rate 7% on payments-api");
    EXPECT_EQ(e.identifier, "payments/api/5xx");
    EXPECT_EQ(e.identifier_type, IdentifierType::kDedupKey);
    EXPECT_EQ(e.description, "d");
    EXPECT_NE(e.responders_json.find("ann@example.com"), std::string::npos);
    EXPECT_NE(e.responders_json.find("\"schedule\""), std::string::npos);
    EXPECT_EQ(e.tags, (std::vector<std::string>{"prod", "env:eu"}));
    ASSERT_EQ(e.labels.size(), 2u);
    EXPECT_EQ(e.labels[1], (std::pair<std::string, std::string>{"env", "eu"}));
    EXPECT_EQ(e.details_json, R"({"rate":"0.07"})");
    EXPECT_EQ(e.entity, "payments-api");
    EXPECT_EQ(e.source, "alertmanager");
    EXPECT_EQ(e.priority, 1);
    EXPECT_EQ(e.user, "Monitoring");
    EXPECT_EQ(e.note, "auto-created");
    EXPECT_EQ(e.request_id, "req-1");
}

TEST(OpsgenieCreate, DefaultsPriorityP3AndSourceToTheCaller) {
    auto e = CreateOk(R"({"message":"m"})");
    EXPECT_EQ(e.priority, 3);
    EXPECT_EQ(e.source, "10.0.0.7");
    EXPECT_EQ(e.identifier, "");
    EXPECT_EQ(e.details_json, "{}");
}

TEST(OpsgenieCreate, RejectsWithTheFieldNamed) {
    struct Case {
        std::string_view name;
        std::string body;
        int status;
        std::string_view field;
    };
    const std::string long_message(131, 'x');
    const std::string long_alias(513, 'a');
    const std::string long_details = R"({"message":"m","details":{"k":")" + std::string(8000, 'v') + R"("}})";
    const std::string msg_body = R"({"message":")" + long_message + R"("})";
    const std::string alias_body = R"({"message":"m","alias":")" + long_alias + R"("})";
    const Case cases[] = {
        {"not json", "{", 400, ""},
        {"array body", "[1]", 400, ""},
        {"empty body", "", 400, ""},
        {"no message", R"({"alias":"a"})", 422, "message"},
        {"blank message", R"({"message":"  "})", 422, "message"},
        {"message number", R"({"message":5})", 422, "message"},
        {"message too long", msg_body, 422, "message"},
        {"alias too long", alias_body, 422, "alias"},
        {"priority P6", R"({"message":"m","priority":"P6"})", 422, "priority"},
        {"priority number", R"({"message":"m","priority":1})", 422, "priority"},
        {"tags not array", R"({"message":"m","tags":"a,b"})", 422, "tags"},
        {"tag number", R"({"message":"m","tags":["a",1]})", 422, "tags[1]"},
        {"tag too long", R"({"message":"m","tags":[")" + std::string(51, 't') + R"("]})", 422, "tags[0]"},
        {"details array", R"({"message":"m","details":["a"]})", 422, "details"},
        {"details value number", R"({"message":"m","details":{"a":1}})", 422, "details.a"},
        {"details too long", long_details, 422, "details"},
        {"responder without type", R"({"message":"m","responders":[{"name":"x"}]})", 422, "responders[0].type"},
        {"responder bad type",
         R"({"message":"m","responders":[{"type":"robot","name":"x"}]})",
         422,
         "responders[0].type"},
        {"user responder by name only",
         R"({"message":"m","responders":[{"type":"user","name":"ann"}]})",
         422,
         "responders[0].username"},
        {"team responder unnamed", R"({"message":"m","responders":[{"type":"team"}]})", 422, "responders[0].name"},
        {"visibleTo not array", R"({"message":"m","visibleTo":{}})", 422, "visibleTo"},
        {"entity too long", R"({"message":"m","entity":")" + std::string(513, 'e') + R"("})", 422, "entity"},
        {"source too long", R"({"message":"m","source":")" + std::string(101, 's') + R"("})", 422, "source"},
        {"too many actions",
         R"({"message":"m","actions":["1","2","3","4","5","6","7","8","9","10","11"]})",
         422,
         "actions"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto e = CreateErr(c.body);
        EXPECT_EQ(e.status, c.status) << e.message;
        EXPECT_EQ(e.field, c.field) << e.message;
        EXPECT_FALSE(e.message.empty());
    }
}

TEST(OpsgenieCreate, CountsLimitsInCharactersNotBytes) {
    std::string umlauts;
    for (int i = 0; i < 130; ++i) umlauts += "\xC3\xA4";  // ä: 2 bytes, 1 character
    auto e = CreateOk(R"({"message":")" + umlauts + R"("})");
    EXPECT_EQ(CountChars(e.summary), 130u);
}

TEST(OpsgenieAction, IdentifierTypeDefaultsToIdAndRejectsUnknown) {
    EXPECT_EQ(std::get<IdentifierType>(ParseIdentifierType(std::nullopt)), IdentifierType::kId);
    EXPECT_EQ(std::get<IdentifierType>(ParseIdentifierType("id")), IdentifierType::kId);
    EXPECT_EQ(std::get<IdentifierType>(ParseIdentifierType("alias")), IdentifierType::kDedupKey);
    EXPECT_EQ(std::get<IdentifierType>(ParseIdentifierType("tiny")), IdentifierType::kTinyId);
    auto bad = ParseIdentifierType("name");
    ASSERT_TRUE(std::holds_alternative<ApiError>(bad));
    EXPECT_EQ(std::get<ApiError>(bad).status, 422);
    EXPECT_EQ(std::get<ApiError>(bad).field, "identifierType");
}

TEST(OpsgenieAction, PathSegmentsNameTheActions) {
    EXPECT_EQ(ActionFromPath("acknowledge", false), AlertAction::kAcknowledge);
    EXPECT_EQ(ActionFromPath("close", false), AlertAction::kClose);
    EXPECT_EQ(ActionFromPath("notes", false), AlertAction::kAddNote);
    EXPECT_EQ(ActionFromPath("priority", true), AlertAction::kSetPriority);
    EXPECT_EQ(ActionFromPath("priority", false), std::nullopt);
    EXPECT_EQ(ActionFromPath("explode", false), std::nullopt);
}

IntakeEvent ActionOk(AlertAction a, std::string_view body, IdentifierType t = IdentifierType::kDedupKey) {
    auto p = ParseAction(a, "payments/api/5xx", t, body, Ctx());
    if (auto* e = std::get_if<ApiError>(&p)) {
        ADD_FAILURE() << body << " -> " << e->message;
        return {};
    }
    return std::get<IntakeEvent>(p);
}

ApiError ActionErr(AlertAction a, std::string_view body) {
    auto p = ParseAction(a, "x", IdentifierType::kId, body, Ctx());
    if (auto* e = std::get_if<ApiError>(&p)) return *e;
    ADD_FAILURE() << body << " was accepted";
    return {};
}

TEST(OpsgenieAction, EveryActionBodyMapsToItsIntakeAction) {
    auto ack = ActionOk(AlertAction::kAcknowledge, R"({"user":"ann","note":"looking","source":"cli"})");
    EXPECT_EQ(ack.action, IntakeAction::kAcknowledge);
    EXPECT_EQ(ack.identifier, "payments/api/5xx");
    EXPECT_EQ(ack.identifier_type, IdentifierType::kDedupKey);
    EXPECT_EQ(ack.user, "ann");
    EXPECT_EQ(ack.note, "looking");
    EXPECT_EQ(ack.source, "cli");
    EXPECT_EQ(ActionOk(AlertAction::kAcknowledge, "").action, IntakeAction::kAcknowledge);
    EXPECT_EQ(ActionOk(AlertAction::kUnacknowledge, "{}").action, IntakeAction::kUnacknowledge);
    EXPECT_EQ(ActionOk(AlertAction::kClose, R"({"source":"alertmanager"})").action, IntakeAction::kResolve);
    auto note = ActionOk(AlertAction::kAddNote, R"({"note":"rolled back"})");
    EXPECT_EQ(note.action, IntakeAction::kNote);
    EXPECT_EQ(note.note, "rolled back");
    auto snooze = ActionOk(AlertAction::kSnooze, R"({"endTime":"2030-01-01T12:00:00Z"})");
    EXPECT_EQ(snooze.action, IntakeAction::kSnooze);
    EXPECT_EQ(snooze.snooze_until, ParseIso8601("2030-01-01T12:00:00Z"));
    auto esc = ActionOk(AlertAction::kEscalate, R"({"escalation":{"name":"night"}})");
    EXPECT_EQ(esc.action, IntakeAction::kEscalate);
    EXPECT_EQ(esc.responders_json, R"([{"name":"night","type":"escalation"}])");
    auto assign = ActionOk(AlertAction::kAssign, R"({"owner":{"username":"ann@example.com"}})");
    EXPECT_EQ(assign.action, IntakeAction::kAssign);
    EXPECT_NE(assign.responders_json.find("ann@example.com"), std::string::npos);
    auto tags = ActionOk(AlertAction::kAddTags, R"({"tags":["a","b"]})");
    EXPECT_EQ(tags.action, IntakeAction::kAddTags);
    EXPECT_EQ(tags.tags.size(), 2u);
    auto prio = ActionOk(AlertAction::kSetPriority, R"({"priority":"P2"})");
    EXPECT_EQ(prio.action, IntakeAction::kSetPriority);
    EXPECT_EQ(prio.priority, 2);
    auto msg = ActionOk(AlertAction::kSetMessage, R"({"message":"new"})");
    EXPECT_EQ(msg.action, IntakeAction::kSetMessage);
    EXPECT_EQ(msg.summary, "new");
    auto desc = ActionOk(AlertAction::kSetDescription, R"({"description":"long"})");
    EXPECT_EQ(desc.action, IntakeAction::kSetDescription);
    EXPECT_EQ(desc.description, "long");
    auto tiny = ActionOk(AlertAction::kClose, "{}", IdentifierType::kTinyId);
    EXPECT_EQ(tiny.identifier_type, IdentifierType::kTinyId);
}

TEST(OpsgenieAction, RejectsMissingOrWrongRequiredFields) {
    struct Case {
        std::string_view name;
        AlertAction action;
        std::string body;
        int status;
        std::string_view field;
    };
    const Case cases[] = {
        {"note missing", AlertAction::kAddNote, "{}", 422, "note"},
        {"note empty body", AlertAction::kAddNote, "", 400, ""},
        {"note number", AlertAction::kAddNote, R"({"note":3})", 422, "note"},
        {"snooze without endTime", AlertAction::kSnooze, "{}", 422, "endTime"},
        {"snooze bad time", AlertAction::kSnooze, R"({"endTime":"tomorrow"})", 422, "endTime"},
        {"snooze in the past", AlertAction::kSnooze, R"({"endTime":"2029-01-01T00:00:00Z"})", 422, "endTime"},
        {"escalate without escalation", AlertAction::kEscalate, "{}", 422, "escalation"},
        {"escalate unnamed", AlertAction::kEscalate, R"({"escalation":{}})", 422, "escalation.name"},
        {"assign without owner", AlertAction::kAssign, "{}", 422, "owner"},
        {"assign owner string", AlertAction::kAssign, R"({"owner":"ann"})", 422, "owner"},
        {"tags missing", AlertAction::kAddTags, "{}", 422, "tags"},
        {"priority P0", AlertAction::kSetPriority, R"({"priority":"P0"})", 422, "priority"},
        {"priority missing", AlertAction::kSetPriority, "{}", 422, "priority"},
        {"message too long",
         AlertAction::kSetMessage,
         R"({"message":")" + std::string(131, 'm') + R"("})",
         422,
         "message"},
        {"description missing", AlertAction::kSetDescription, "{}", 422, "description"},
        {"ack user number", AlertAction::kAcknowledge, R"({"user":1})", 422, "user"},
        {"close not json", AlertAction::kClose, "nope", 400, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto e = ActionErr(c.action, c.body);
        EXPECT_EQ(e.status, c.status) << e.message;
        EXPECT_EQ(e.field, c.field) << e.message;
    }
}

TEST(OpsgenieHeartbeat, CreateAndUpdateValidate) {
    auto p = ParseHeartbeatCreate(
        R"({"name":"nightly-backup","description":"d","interval":10,"intervalUnit":"minutes","enabled":true,
            "alertMessage":"Backup missed","alertTags":["backup"],"alertPriority":"P2","ownerTeam":{"name":"ops"}})"
    );
    ASSERT_TRUE(std::holds_alternative<HeartbeatSpec>(p)) << std::get<ApiError>(p).message;
    auto hb = std::get<HeartbeatSpec>(p);
    EXPECT_EQ(hb.name, "nightly-backup");
    EXPECT_EQ(hb.Period(), std::chrono::minutes(10));
    EXPECT_TRUE(hb.enabled);
    EXPECT_EQ(hb.ExpiryMessage(), "Backup missed");
    EXPECT_EQ(hb.alert_priority, 2);
    EXPECT_EQ(hb.owner_team, "ops");

    auto upd = ParseHeartbeatUpdate(R"({"interval":2,"intervalUnit":"hours","enabled":false})", hb);
    ASSERT_TRUE(std::holds_alternative<HeartbeatSpec>(upd));
    EXPECT_EQ(std::get<HeartbeatSpec>(upd).Period(), std::chrono::hours(2));
    EXPECT_EQ(std::get<HeartbeatSpec>(upd).name, "nightly-backup");
    EXPECT_FALSE(std::get<HeartbeatSpec>(upd).enabled);

    struct Case {
        std::string_view name, body, field;
    };
    const Case cases[] = {
        {"no name", R"({"interval":1,"intervalUnit":"minutes"})", "name"},
        {"slash", R"({"name":"a/b","interval":1,"intervalUnit":"minutes"})", "name"},
        {"no interval", R"({"name":"a","intervalUnit":"minutes"})", "interval"},
        {"zero interval", R"({"name":"a","interval":0,"intervalUnit":"minutes"})", "interval"},
        {"string interval", R"({"name":"a","interval":"5","intervalUnit":"minutes"})", "interval"},
        {"bad unit", R"({"name":"a","interval":1,"intervalUnit":"weeks"})", "intervalUnit"},
        {"enabled string", R"({"name":"a","interval":1,"intervalUnit":"days","enabled":"yes"})", "enabled"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = ParseHeartbeatCreate(c.body);
        ASSERT_TRUE(std::holds_alternative<ApiError>(r));
        EXPECT_EQ(std::get<ApiError>(r).field, c.field);
        EXPECT_EQ(std::get<ApiError>(r).status, 422);
    }
}

TEST(OpsgenieHeartbeat, AlertingSurvivesTheStoredForm) {
    auto p = ParseHeartbeatCreate(
        R"({"name":"hb","interval":3,"intervalUnit":"hours","enabled":true,"alertMessage":"Backup missed",
            "alertTags":["backup","db"],"alertPriority":"P1","ownerTeam":{"name":"ops"}})"
    );
    ASSERT_TRUE(std::holds_alternative<HeartbeatSpec>(p));
    Heartbeat stored;
    StoreSpec(std::get<HeartbeatSpec>(p), stored);
    EXPECT_EQ(stored.interval, 3);
    auto back = SpecOf(stored);
    EXPECT_EQ(back.name, "hb");
    EXPECT_EQ(back.Period(), std::chrono::hours(3));
    EXPECT_EQ(back.ExpiryMessage(), "Backup missed");
    EXPECT_EQ(back.alert_tags, (std::vector<std::string>{"backup", "db"}));
    EXPECT_EQ(back.alert_priority, 1);
    EXPECT_EQ(back.owner_team, "ops");
    Heartbeat bare;
    bare.name = "x";
    bare.alerting_json = "not json";
    EXPECT_EQ(SpecOf(bare).ExpiryMessage(), "x is expired");
    EXPECT_EQ(SpecOf(bare).alert_priority, 3);
}

TEST(OpsgenieHeartbeat, ExpiryAndRecoveryEventsShareTheAlias) {
    HeartbeatSpec hb;
    hb.name = "HeartbeatName";
    hb.interval = 1;
    hb.interval_unit = "minutes";
    auto now = *ParseIso8601("2030-01-01T10:00:00Z");
    auto expired = HeartbeatExpiredEvent(hb, now);
    EXPECT_EQ(expired.action, IntakeAction::kTrigger);
    EXPECT_EQ(expired.summary, "HeartbeatName is expired");
    auto back = HeartbeatRecoveredEvent(hb, now);
    EXPECT_EQ(back.action, IntakeAction::kResolve);
    EXPECT_EQ(back.identifier, expired.identifier);
    EXPECT_EQ(back.identifier_type, IdentifierType::kDedupKey);
}

}  // namespace
}  // namespace tocsin::alerts::opsgenie
