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
        o.max_per_window = 3;
        engine_ = std::make_unique<EscalationEngine>(
            *store_,
            [this](const oncall::Outgoing& out, notify::SendDone done) {
                sent_.push_back(out);
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
