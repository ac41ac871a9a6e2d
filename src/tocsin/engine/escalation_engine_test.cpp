#include "tocsin/engine/escalation_engine.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/service/alert_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;

// Two levels (ann, then bob after 5 minutes), e-mail at once; a recording sender that
// answers every send at once.
class EscalationEngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        const auto now = clock_.Now();
        alerts::Service s;
        s.id = NewId();
        s.name = "Payments";
        s.urgency = "high";
        s.grouping.window = 0s;  // every alert an incident of its own
        s.created_at = s.updated_at = now;
        service_id_ = s.id;
        oncall::EscalationPolicy p;
        p.id = NewId();
        p.name = "Payments on call";
        p.created_at = p.updated_at = now;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.InsertService(s));
            ann_ = AddUser(tx, "ann");
            bob_ = AddUser(tx, "bob");
            ann_mail_ = AddMail(tx, ann_, "ann@example.test", 0min);
            bob_mail_ = AddMail(tx, bob_, "bob@example.test", 0min);
            p.levels = {{{{oncall::TargetKind::kUser, ann_}}, 5min}, {{{oncall::TargetKind::kUser, bob_}}, 5min}};
            TOCSIN_TRY(tx.InsertEscalationPolicy(p));
            return tx.SetServiceEscalation(s.id, store::ServiceEscalation{p.id, 0s});
        });
        ASSERT_TRUE(r) << r.error().message;
        MakeEngine();
    }

    void MakeEngine() {
        EscalationEngineOptions o;
        o.senders.public_url = "https://tocsin.example.test";
        o.senders.from_address = "pager@example.com";
        o.min_gap_minutes = 1;
        o.max_per_window = max_per_window_;
        o.handoff_end_notice = handoff_end_;
        o.senders.slack_bot_token = "xoxb-test";
        o.senders.slack_api_url = "https://slack.example.test/api";
        engine_ = std::make_unique<EscalationEngine>(
            *store_,
            [this](const oncall::Outgoing& out, notify::SendDone done) {
                sent_.push_back(out);
                sent_times_.push_back(clock_.Now());
                if (respond_) {
                    done(respond_(out));
                    return;
                }
                notify::SendResult ok;
                ok.ok = true;
                ok.status = 250;
                done(ok);
            },
            notify::LinkSigner(notify::LinkSigner::NewKey()),
            o
        );
    }

    std::string AddUser(store::Tx& tx, const std::string& name) {
        store::User u;
        u.id = NewId();
        u.email = name + "@users.test";
        u.name = name;
        u.role = "responder";
        u.password_hash = "x";
        u.created_at = clock_.Now();
        EXPECT_TRUE(tx.InsertUser(u));
        return u.id;
    }

    std::string AddMail(
        store::Tx& tx, const std::string& user, const std::string& address, std::chrono::minutes delay
    ) {
        oncall::ContactMethod m;
        m.id = NewId();
        m.user_id = user;
        m.kind = oncall::ContactKind::kEmail;
        m.label = "work";
        m.address = address;
        m.verified = true;
        m.created_at = clock_.Now();
        EXPECT_TRUE(tx.InsertContactMethod(m));
        oncall::NotificationRule rule;
        rule.id = NewId();
        rule.user_id = user;
        rule.contact_method_id = m.id;
        rule.urgency = oncall::Urgency::kHigh;
        rule.delay = delay;
        EXPECT_TRUE(tx.InsertNotificationRule(rule));
        return m.id;
    }

    std::string Trigger(const std::string& key) {
        alerts::IntakeEvent ev;
        ev.action = alerts::IntakeAction::kTrigger;
        ev.service_id = service_id_;
        ev.identifier = key;
        ev.summary = "Checkout fails " + key;
        std::string incident;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(out, service::ApplyIntake(tx, clock_.Now(), {ev}));
            TOCSIN_ASSIGN(a, tx.FindOpenAlert(service_id_, key));
            incident = a->incident_id;
            (void)out;
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return incident;
    }

    void Run() {
        auto r = engine_->RunOnce(clock_.Now());
        ASSERT_TRUE(r) << r.error().message;
        auto f = engine_->Flush(clock_.Now());
        ASSERT_TRUE(f) << f.error().message;
    }

    std::vector<std::string> MailsTo() const {
        std::vector<std::string> out;
        for (const auto& o : sent_) out.push_back(o.mail ? o.mail->to : o.http ? o.http->url : "");
        return out;
    }

    std::vector<std::string> LogActions(const std::string& incident) {
        std::vector<std::string> out;
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(log, tx.ListAlertLog("", incident, 500));
            for (const auto& e : log) {
                out.push_back(e.action);
                log_text_ += e.action + ": " + e.text + "\n";
            }
            return {};
        });
        EXPECT_TRUE(r);
        return out;
    }

    std::vector<store::NotificationAttempt> Attempts(const std::string& incident) {
        std::vector<store::NotificationAttempt> out;
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            store::NotificationAttemptFilter f;
            f.incident_id = incident;
            TOCSIN_ASSIGN(a, tx.ListNotificationAttempts(f));
            out = std::move(a);
            return {};
        });
        EXPECT_TRUE(r);
        return out;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::unique_ptr<EscalationEngine> engine_;
    std::vector<oncall::Outgoing> sent_;
    std::vector<TimePoint> sent_times_;
    int max_per_window_ = 3;
    bool handoff_end_ = false;
    std::function<notify::SendResult(const oncall::Outgoing&)> respond_;  // unset: every send succeeds
    std::string log_text_;  // every row LogActions read, for failure messages
    std::string service_id_, ann_, bob_, ann_mail_, bob_mail_;
};

TEST_F(EscalationEngineTest, EscalatesToTheNextLevelWhenUnacknowledgedAfterDelay) {
    const auto incident = Trigger("a");
    Run();
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
    clock_.Advance(4min + 59s);
    Run();
    EXPECT_EQ(sent_.size(), 1u) << "level 2 must wait for level 1's delay";
    clock_.Advance(1s);
    Run();
    EXPECT_EQ(MailsTo(), (std::vector<std::string>{"ann@example.test", "bob@example.test"}));
    // The last level without repeat: nothing more, however long nobody answers.
    clock_.Advance(1h);
    Run();
    EXPECT_EQ(sent_.size(), 2u);
    const auto actions = LogActions(incident);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "escalated"), 2) << log_text_;
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "notify.sent"), 2) << log_text_;
}

TEST_F(EscalationEngineTest, AcknowledgementStopsEscalation) {
    const auto incident = Trigger("a");
    Run();
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, service::AcknowledgeIncident(tx, clock_.Now(), incident, service::Actor{"ann", "api"}));
        (void)i;
        return {};
    });
    ASSERT_TRUE(r);
    clock_.Advance(10min);
    Run();
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
}

TEST_F(EscalationEngineTest, AnsweringThroughTheLinkAcknowledgesAndStops) {
    const auto incident = Trigger("a");
    Run();
    const auto attempts = Attempts(incident);
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0].state, "sent");
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(
            i, service::AnswerPage(tx, clock_.Now(), attempts[0].id, service::PageAnswer::kAcknowledge, "link")
        );
        EXPECT_EQ(i.state, alerts::AlertState::kAcknowledged);
        return {};
    });
    ASSERT_TRUE(r) << r.error().message;
    clock_.Advance(10min);
    Run();
    EXPECT_EQ(sent_.size(), 1u);
    const auto actions = LogActions(incident);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "acknowledged via link"), actions.end());
}

TEST_F(EscalationEngineTest, ARestartNeverFiresALevelTwice) {
    const auto incident = Trigger("a");
    Run();
    clock_.Advance(5min);
    Run();
    // A new engine over the same store (as after kill -9 and a restart) at the same moment.
    MakeEngine();
    Run();
    clock_.Advance(1h);
    Run();
    EXPECT_EQ(MailsTo(), (std::vector<std::string>{"ann@example.test", "bob@example.test"}));
    const auto actions = LogActions(incident);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "escalated"), 2);
}

TEST_F(EscalationEngineTest, PagesWithinTheGapBundleIntoOneMessage) {
    const auto first = Trigger("a");
    Run();
    ASSERT_EQ(sent_.size(), 1u);
    Trigger("b");
    Trigger("c");
    Run();
    EXPECT_EQ(sent_.size(), 1u) << "ann was paged less than a minute ago";
    clock_.Advance(1min);
    Run();
    ASSERT_EQ(sent_.size(), 2u);
    ASSERT_TRUE(sent_[1].mail);
    EXPECT_NE(sent_[1].mail->data.find("1 more"), std::string::npos) << sent_[1].mail->data;
    (void)first;
}

TEST_F(EscalationEngineTest, EscalateNowPagesTheNextLevelAtOnce) {
    const auto incident = Trigger("a");
    Run();
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, service::EscalateNow(tx, clock_.Now(), incident, std::nullopt, service::Actor{"lead", "api"}));
        (void)i;
        return {};
    });
    ASSERT_TRUE(r) << r.error().message;
    Run();
    EXPECT_EQ(MailsTo(), (std::vector<std::string>{"ann@example.test", "bob@example.test"}));
    // The superseded level-2 timer of the first epoch does not page bob again.
    clock_.Advance(5min);
    Run();
    EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(EscalationEngineTest, AcknowledgedIncidentsReescalateAfterTheServiceTime) {
    auto set = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(e, tx.GetServiceEscalation(service_id_));
        e->reescalate_after = 30min;
        return tx.SetServiceEscalation(service_id_, *e);
    });
    ASSERT_TRUE(set);
    const auto incident = Trigger("a");
    Run();
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, service::AcknowledgeIncident(tx, clock_.Now(), incident, service::Actor{"ann", "api"}));
        (void)i;
        return {};
    });
    ASSERT_TRUE(r);
    clock_.Advance(29min);
    Run();
    EXPECT_EQ(sent_.size(), 1u);
    clock_.Advance(1min);
    Run();
    EXPECT_EQ(MailsTo(), (std::vector<std::string>{"ann@example.test", "ann@example.test"}));
    const auto actions = LogActions(incident);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "reescalated"), actions.end());
}

}  // namespace
}  // namespace tocsin::engine

namespace tocsin::engine {
namespace {

TEST_F(EscalationEngineTest, TeamTargetsPageEveryMemberOrOneInTurn) {
    oncall::Team team;
    team.id = NewId();
    team.name = "Payments team";
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertTeam(team));
        TOCSIN_TRY(tx.SaveTeamMember({team.id, bob_, "member", 1}));
        TOCSIN_TRY(tx.SaveTeamMember({team.id, ann_, "manager", 0}));
        TOCSIN_ASSIGN(e, tx.GetServiceEscalation(service_id_));
        oncall::EscalationPolicy p;
        p.id = NewId();
        p.name = "Round robin, then everyone";
        p.created_at = p.updated_at = clock_.Now();
        p.levels = {
            {{{oncall::TargetKind::kTeamRoundRobin, team.id}}, std::chrono::minutes(5)},
            {{{oncall::TargetKind::kTeamAll, team.id}}, std::chrono::minutes(5)},
        };
        TOCSIN_TRY(tx.InsertEscalationPolicy(p));
        e->policy_id = p.id;
        return tx.SetServiceEscalation(service_id_, *e);
    });
    ASSERT_TRUE(r) << r.error().message;
    Trigger("first");  // incident #1: member (1 + 0) % 2 by position = bob
    Run();
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"bob@example.test"});
    Trigger("second");                        // incident #2: ann
    clock_.Advance(std::chrono::minutes(1));  // past bob's gap; the second incident's page is ann's anyway
    Run();
    EXPECT_EQ(MailsTo(), (std::vector<std::string>{"bob@example.test", "ann@example.test"}));
    // Level 2 of both incidents pages every member: one message each, the other bundled in.
    clock_.Advance(std::chrono::minutes(5));
    Run();
    ASSERT_EQ(sent_.size(), 4u);
    EXPECT_EQ(sent_[2].mail->to == "ann@example.test" ? sent_[3].mail->to : sent_[2].mail->to, "bob@example.test");
}

}  // namespace
}  // namespace tocsin::engine

namespace tocsin::engine {
namespace {

notify::SendResult Failure(int status, bool permanent, std::string error) {
    notify::SendResult r;
    r.status = status;
    r.permanent = permanent;
    r.error = std::move(error);
    return r;
}

notify::SendResult Success(std::string body = "") {
    notify::SendResult r;
    r.ok = true;
    r.status = 200;
    r.response_body = std::move(body);
    return r;
}

std::size_t CountTo(const std::vector<oncall::Outgoing>& sent, const std::string& to) {
    return static_cast<std::size_t>(std::count_if(sent.begin(), sent.end(), [&](const auto& o) {
        return o.mail && o.mail->to == to;
    }));
}

TEST_F(EscalationEngineTest, ATransientFailureIsRetriedWithBackoffAndEveryTryIsLogged) {
    int calls = 0;
    respond_ = [&](const oncall::Outgoing&) { return ++calls == 1 ? Failure(503, false, "HTTP 503") : Success(); };
    const auto incident = Trigger("a");
    Run();
    ASSERT_EQ(sent_.size(), 1u);
    clock_.Advance(29s);
    Run();
    EXPECT_EQ(sent_.size(), 1u) << "the first retry waits half a policy minute";
    clock_.Advance(1s);
    Run();
    ASSERT_EQ(sent_.size(), 2u);
    EXPECT_EQ(sent_[1].mail->to, "ann@example.test");
    // Level 2 keeps its own schedule: 5 minutes after level 1, whatever the retries did.
    clock_.Advance(5min - 30s - 1ms);
    Run();
    EXPECT_EQ(CountTo(sent_, "bob@example.test"), 0u);
    clock_.Advance(1ms);
    Run();
    EXPECT_EQ(CountTo(sent_, "bob@example.test"), 1u);
    EXPECT_EQ(CountTo(sent_, "ann@example.test"), 2u);
    const auto actions = LogActions(incident);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "notify.failed"), 1) << log_text_;
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "notify.retry"), 1) << log_text_;
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "notify.sent"), 2) << log_text_;
    EXPECT_NE(log_text_.find("retrying in 30 s (try 2 of 4)"), std::string::npos) << log_text_;
    EXPECT_NE(log_text_.find("(try 2) sent"), std::string::npos) << log_text_;
}

TEST_F(EscalationEngineTest, RetriesBackOffExponentiallyAndGiveUp) {
    respond_ = [](const oncall::Outgoing& out) {
        return out.mail && out.mail->to == "ann@example.test" ? Failure(0, false, "connection refused") : Success();
    };
    max_per_window_ = 10;
    MakeEngine();
    const auto start = clock_.Now();
    const auto incident = Trigger("a");
    for (int i = 0; i < 600; ++i) {  // 10 minutes, a round a second
        Run();
        clock_.Advance(1s);
    }
    std::vector<std::chrono::seconds> ann;
    for (std::size_t i = 0; i < sent_.size(); ++i) {
        if (sent_[i].mail->to == "ann@example.test")
            ann.push_back(std::chrono::duration_cast<std::chrono::seconds>(sent_times_[i] - start));
    }
    // Tries at 0, +30 s, +60 s, +120 s; then no more (3 retries).
    EXPECT_EQ(ann, (std::vector<std::chrono::seconds>{0s, 30s, 90s, 210s}));
    LogActions(incident);
    EXPECT_NE(log_text_.find("not retried (gave up after 4 tries)"), std::string::npos) << log_text_;
}

TEST_F(EscalationEngineTest, PermanentFailuresAreNotRetried) {
    respond_ = [](const oncall::Outgoing&) { return Failure(400, true, "HTTP 400: invalid number"); };
    const auto incident = Trigger("a");
    Run();
    clock_.Advance(4min);
    Run();
    EXPECT_EQ(CountTo(sent_, "ann@example.test"), 1u);
    LogActions(incident);
    EXPECT_NE(log_text_.find("not retried (permanent failure)"), std::string::npos) << log_text_;
}

TEST_F(EscalationEngineTest, RetryAfterIsHonoured) {
    int calls = 0;
    respond_ = [&](const oncall::Outgoing&) {
        if (++calls > 1) return Success();
        auto r = Failure(429, false, "HTTP 429");
        r.retry_after = std::chrono::seconds(100);
        return r;
    };
    Trigger("a");
    Run();
    clock_.Advance(99s);
    Run();
    EXPECT_EQ(sent_.size(), 1u);
    clock_.Advance(1s);
    Run();
    EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(EscalationEngineTest, ARetrySurvivesARestartAndADeliveredTryIsNeverSentAgain) {
    int calls = 0;
    respond_ = [&](const oncall::Outgoing&) { return ++calls == 1 ? Failure(504, false, "timeout") : Success(); };
    const auto incident = Trigger("a");
    Run();
    MakeEngine();  // restart after the failure was recorded
    clock_.Advance(30s);
    Run();
    EXPECT_EQ(CountTo(sent_, "ann@example.test"), 2u);
    MakeEngine();  // and after the retry was delivered
    Run();
    clock_.Advance(30s);
    Run();
    clock_.Advance(10min);
    Run();
    EXPECT_EQ(CountTo(sent_, "ann@example.test"), 2u);
    const auto attempts = Attempts(incident);
    int delivered = 0;
    for (const auto& a : attempts) delivered += a.state == "sent" ? 1 : 0;
    EXPECT_EQ(delivered, 2) << "ann's retry and bob's page";
}

TEST_F(EscalationEngineTest, ARetryCarriesThePagesBundledIntoTheFailedMessage) {
    int calls = 0;
    respond_ = [&](const oncall::Outgoing&) {
        ++calls;
        return calls == 2 ? Failure(503, false, "HTTP 503") : Success();
    };
    Trigger("a");
    Run();
    Trigger("b");
    Trigger("c");
    clock_.Advance(1min);
    Run();  // one message about b, c bundled: fails
    ASSERT_EQ(sent_.size(), 2u);
    clock_.Advance(30s);
    Run();
    ASSERT_EQ(sent_.size(), 3u);
    EXPECT_NE(sent_[2].mail->data.find("1 more"), std::string::npos) << sent_[2].mail->data;
}

TEST_F(EscalationEngineTest, ASlackOkFalseAnswerIsAFailureWithTheError) {
    oncall::ContactMethod m;
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        m.id = NewId();
        m.user_id = ann_;
        m.kind = oncall::ContactKind::kSlack;
        m.address = "U0123ABCD";
        m.verified = true;
        m.created_at = clock_.Now();
        TOCSIN_TRY(tx.InsertContactMethod(m));
        oncall::NotificationRule rule;
        rule.id = NewId();
        rule.user_id = ann_;
        rule.contact_method_id = m.id;
        rule.urgency = oncall::Urgency::kHigh;
        return tx.InsertNotificationRule(rule);
    });
    ASSERT_TRUE(r) << r.error().message;
    respond_ = [](const oncall::Outgoing& out) {
        return out.http ? Success(R"({"ok": false, "error": "channel_not_found"})") : Success();
    };
    const auto incident = Trigger("a");
    Run();
    clock_.Advance(2min);
    Run();
    int slack = 0;
    for (const auto& a : Attempts(incident)) {
        if (a.channel != "slack") continue;
        ++slack;
        EXPECT_EQ(a.state, "failed");
        EXPECT_EQ(a.error, "slack: channel_not_found");
    }
    EXPECT_EQ(slack, 1) << "a permanent Slack error is not retried";
    LogActions(incident);
    EXPECT_NE(log_text_.find("failed: slack: channel_not_found"), std::string::npos) << log_text_;
}

}  // namespace
}  // namespace tocsin::engine

namespace tocsin::engine {
namespace {

class HeldBackEscalationTest : public EscalationEngineTest {
protected:
    void Apply(const alerts::IntakeEvent& ev) {
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(out, service::ApplyIntake(tx, clock_.Now(), {ev}));
            EXPECT_TRUE(out.at(0).applied) << out.at(0).status;
            return {};
        });
        ASSERT_TRUE(r) << r.error().message;
    }
    void AlertTimers() {
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(n, service::RunAlertTimers(tx, clock_.Now(), 100));
            (void)n;
            return {};
        });
        ASSERT_TRUE(r) << r.error().message;
    }
    // Engine rounds every second for `d`, with the alert timers (snooze ends) as the app runs them.
    void RunFor(std::chrono::seconds d) {
        for (auto s = 0s; s < d; s += 1s) {
            AlertTimers();
            Run();
            clock_.Advance(1s);
        }
    }
};

TEST_F(HeldBackEscalationTest, AnIncidentOpenedInASilenceEscalatesWhenTheSilenceEnds) {
    alerts::Silence silence;
    silence.id = NewId();
    silence.service_id = service_id_;
    silence.created_by = "ops";
    silence.starts_at = clock_.Now() - 1min;
    silence.ends_at = clock_.Now() + 2min;
    silence.created_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertSilence(silence); }));
    const auto incident = Trigger("a");
    RunFor(110s);
    EXPECT_EQ(sent_.size(), 0u) << "silenced";
    RunFor(20s);  // the silence ended at 120 s
    ASSERT_EQ(sent_.size(), 1u);
    EXPECT_EQ(sent_[0].mail->to, "ann@example.test");
    EXPECT_LE(sent_times_[0] - (silence.ends_at.value()), std::chrono::milliseconds(5000));
    const auto actions = LogActions(incident);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "escalation.started"), actions.end()) << log_text_;
    RunFor(5min);
    EXPECT_EQ(CountTo(sent_, "bob@example.test"), 1u) << "level 2 follows on its schedule";
}

TEST_F(HeldBackEscalationTest, AnIncidentEscalatesWhenItsSilenceIsDeleted) {
    alerts::Silence silence;
    silence.id = NewId();
    silence.service_id = service_id_;
    silence.created_by = "ops";
    silence.starts_at = clock_.Now() - 1min;
    silence.created_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertSilence(silence); }));
    Trigger("a");
    RunFor(30s);
    EXPECT_EQ(sent_.size(), 0u);
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.DeleteSilence(silence.id); }));
    RunFor(6s);
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
}

TEST_F(HeldBackEscalationTest, ASilencedIncidentAcknowledgedMeanwhileDoesNotEscalate) {
    alerts::Silence silence;
    silence.id = NewId();
    silence.service_id = service_id_;
    silence.created_by = "ops";
    silence.starts_at = clock_.Now() - 1min;
    silence.ends_at = clock_.Now() + 1min;
    silence.created_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertSilence(silence); }));
    const auto incident = Trigger("a");
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, service::AcknowledgeIncident(tx, clock_.Now(), incident, service::Actor{"ann", "api"}));
        (void)i;
        return {};
    }));
    RunFor(3min);
    EXPECT_EQ(sent_.size(), 0u);
}

TEST_F(HeldBackEscalationTest, ASnoozedAlertDoesNotPageAndPagesWhenTheSnoozeEnds) {
    const auto incident = Trigger("a");
    Run();
    ASSERT_EQ(sent_.size(), 1u);  // level 1: ann
    alerts::IntakeEvent snooze;
    snooze.action = alerts::IntakeAction::kSnooze;
    snooze.service_id = service_id_;
    snooze.identifier = "a";
    snooze.snooze_until = clock_.Now() + 10min;
    Apply(snooze);
    RunFor(9min + 50s);
    EXPECT_EQ(sent_.size(), 1u) << "level 2 (due at 5 min) must not page while snoozed";
    RunFor(15s);  // the snooze ended at 10 min: escalation starts again from level 1
    ASSERT_EQ(sent_.size(), 2u);
    EXPECT_EQ(sent_[1].mail->to, "ann@example.test");
    RunFor(5min);
    EXPECT_EQ(CountTo(sent_, "bob@example.test"), 1u);
    LogActions(incident);
    EXPECT_NE(log_text_.find("The snooze ended"), std::string::npos) << log_text_;
}

TEST_F(HeldBackEscalationTest, AnExpiredAcknowledgementPagesAgainFromLevelOne) {
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetService(service_id_));
        s->ack_timeout = 10min;
        return tx.UpdateService(*s);
    }));
    const auto incident = Trigger("a");
    Run();
    ASSERT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
    alerts::IntakeEvent ack;
    ack.action = alerts::IntakeAction::kAcknowledge;
    ack.service_id = service_id_;
    ack.identifier = "a";
    Apply(ack);
    RunFor(9min + 50s);
    EXPECT_EQ(sent_.size(), 1u) << "acknowledged: level 2 (due at 5 min) does not page";
    RunFor(15s);  // the acknowledgement expired at 10 min: level 1 again
    ASSERT_EQ(sent_.size(), 2u);
    EXPECT_EQ(sent_[1].mail->to, "ann@example.test");
    RunFor(5min);
    EXPECT_EQ(CountTo(sent_, "bob@example.test"), 1u) << "then level 2 on its schedule";
    LogActions(incident);
    EXPECT_NE(log_text_.find("An acknowledgement expired"), std::string::npos) << log_text_;
}

TEST_F(HeldBackEscalationTest, AnAlertSnoozedAndSilencedAtOpenPagesOnlyAfterBoth) {
    // Opened in a silence, snoozed; the silence ends first, the snooze later.
    alerts::Silence silence;
    silence.id = NewId();
    silence.service_id = service_id_;
    silence.created_by = "ops";
    silence.starts_at = clock_.Now() - 1min;
    silence.ends_at = clock_.Now() + 1min;
    silence.created_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertSilence(silence); }));
    Trigger("a");
    alerts::IntakeEvent snooze;
    snooze.action = alerts::IntakeAction::kSnooze;
    snooze.service_id = service_id_;
    snooze.identifier = "a";
    snooze.snooze_until = clock_.Now() + 3min;
    Apply(snooze);
    RunFor(2min + 50s);
    EXPECT_EQ(sent_.size(), 0u);
    RunFor(20s);
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
}

TEST_F(EscalationEngineTest, AnAlertJoiningAPagedIncidentDoesNotPageAgain) {
    // Grouping: every alert joins the open incident (a window of an hour).
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetService(service_id_));
        s->grouping.window = std::chrono::hours(1);
        return tx.UpdateService(*s);
    }));
    const auto incident = Trigger("a");
    Run();
    Trigger("b");
    Trigger("c");
    clock_.Advance(2min);
    Run();
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
    (void)incident;
}

}  // namespace
}  // namespace tocsin::engine

namespace tocsin::engine {
namespace {

// A daily rotation in Berlin handing off at 12:00 local (11:00 UTC in March): bob until
// 2026-03-01 11:00Z, then ann, then bob again a day later. The fake clock starts at 10:00Z.
class HandoffTest : public EscalationEngineTest {
protected:
    void SetUp() override {
        EscalationEngineTest::SetUp();
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            for (const auto& [user, method] : {std::pair{ann_, ann_mail_}, std::pair{bob_, bob_mail_}}) {
                oncall::NotificationRule rule;
                rule.id = NewId();
                rule.user_id = user;
                rule.contact_method_id = method;
                rule.urgency = oncall::Urgency::kLow;
                rule.delay = 5min;  // a page's delay; a handoff notice goes out at its own time
                TOCSIN_TRY(tx.InsertNotificationRule(rule));
            }
            oncall::Schedule s;
            s.id = NewId();
            s.name = "Payments primary";
            s.time_zone = "Europe/Berlin";
            oncall::Layer layer;
            layer.name = "daily";
            layer.kind = oncall::Layer::Kind::kDaily;
            layer.start = test::At("2026-02-27T11:00:00Z");
            layer.handoff_minute = 12 * 60;
            layer.user_ids = {ann_, bob_};
            s.layers.push_back(layer);
            return tx.InsertSchedule(s);
        });
        ASSERT_TRUE(r) << r.error().message;
    }

    static std::string Text(const oncall::Outgoing& o) {
        std::string t = o.mail ? o.mail->data : "";
        for (auto at = t.find("=\r\n"); at != std::string::npos; at = t.find("=\r\n")) t.erase(at, 3);
        return t;
    }
};

TEST_F(HandoffTest, TheIncomingPersonIsToldTenMinutesBeforeTheShiftOnce) {
    Run();
    clock_.Set(test::At("2026-03-01T10:49:59Z"));
    Run();
    EXPECT_EQ(sent_.size(), 0u);
    clock_.Set(test::At("2026-03-01T10:50:00Z"));
    Run();
    ASSERT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
    EXPECT_NE(
        Text(sent_[0]).find(
            "You are on call for Payments primary from Sun 2026-03-01 12:00 CET to Mon 2026-03-02 12:00 CET."
        ),
        std::string::npos
    ) << Text(sent_[0]);
    // A restart, and the rest of the shift: no second notice.
    MakeEngine();
    Run();
    clock_.Set(test::At("2026-03-01T11:10:00Z"));
    Run();
    clock_.Set(test::At("2026-03-02T10:49:00Z"));
    Run();
    EXPECT_EQ(sent_.size(), 1u);
    clock_.Set(test::At("2026-03-02T10:50:00Z"));
    Run();
    EXPECT_EQ(MailsTo(), (std::vector<std::string>{"ann@example.test", "bob@example.test"}));
}

TEST_F(HandoffTest, ANoticeDueWhileTheServerWasDownGoesOutAfterTheRestart) {
    clock_.Set(test::At("2026-03-01T10:45:00Z"));
    Run();
    EXPECT_EQ(sent_.size(), 0u);
    MakeEngine();  // down from 10:45 to 11:05
    clock_.Set(test::At("2026-03-01T11:05:00Z"));
    Run();
    EXPECT_EQ(MailsTo(), std::vector<std::string>{"ann@example.test"});
}

TEST_F(HandoffTest, TheOutgoingPersonIsToldWhenTheShiftEndsIfConfigured) {
    handoff_end_ = true;
    MakeEngine();
    clock_.Set(test::At("2026-03-01T10:50:00Z"));
    Run();
    clock_.Set(test::At("2026-03-01T11:00:00Z"));
    Run();
    ASSERT_EQ(MailsTo(), (std::vector<std::string>{"ann@example.test", "bob@example.test"}));
    EXPECT_NE(
        Text(sent_[1]).find("Your on-call shift for Payments primary ended Sun 2026-03-01 12:00 CET."),
        std::string::npos
    ) << Text(sent_[1]);
}

}  // namespace
}  // namespace tocsin::engine
