#include "tocsin/notify/links.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/notify/encoding.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <stdexcept>

namespace tocsin::notify {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

class LinkSignerTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_GE(sodium_init(), 0); }

    const TimePoint now_ = FromMillis(1'796'000'000'000);
    LinkSigner signer_{std::string(32, 'k')};
};

TEST_F(LinkSignerTest, SignedTokenVerifiesToTheSubscriber) {
    for (LinkPurpose purpose : {LinkPurpose::kConfirm, LinkPurpose::kManage, LinkPurpose::kUnsubscribe}) {
        auto token = signer_.Sign(purpose, "sub_01HZX", std::nullopt);
        EXPECT_EQ(signer_.Verify(purpose, token, now_), "sub_01HZX");
        // base64url without padding: safe in a query string as it is.
        EXPECT_EQ(token.find_first_not_of(kAlphabet), std::string::npos) << token;
        // purpose + expiry + id + 32-byte tag
        EXPECT_EQ(token.size(), (1 + 8 + 9 + 32) * 4 / 3 + 1);
    }
    EXPECT_NE(
        signer_.Sign(LinkPurpose::kManage, "a", std::nullopt), signer_.Sign(LinkPurpose::kManage, "b", std::nullopt)
    );
}

TEST_F(LinkSignerTest, WrongPurposeOrKeyFails) {
    auto token = signer_.Sign(LinkPurpose::kUnsubscribe, "sub1", std::nullopt);
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kConfirm, token, now_));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, token, now_));
    LinkSigner other(std::string(31, 'k') + "x");
    EXPECT_FALSE(other.Verify(LinkPurpose::kUnsubscribe, token, now_));
}

TEST_F(LinkSignerTest, ExpiresAtItsTime) {
    auto token = signer_.Sign(LinkPurpose::kConfirm, "sub1", now_ + 48h);
    EXPECT_EQ(signer_.Verify(LinkPurpose::kConfirm, token, now_), "sub1");
    EXPECT_EQ(signer_.Verify(LinkPurpose::kConfirm, token, now_ + 48h - 1ms), "sub1");
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kConfirm, token, now_ + 48h));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kConfirm, token, now_ + 1000h));
    // No expiry: still good much later.
    auto forever = signer_.Sign(LinkPurpose::kUnsubscribe, "sub1", std::nullopt);
    EXPECT_EQ(signer_.Verify(LinkPurpose::kUnsubscribe, forever, now_ + 24h * 3650), "sub1");
}

TEST_F(LinkSignerTest, AnyChangedCharacterFails) {
    const auto token = signer_.Sign(LinkPurpose::kManage, "sub_42", now_ + 1h);
    for (std::size_t i = 0; i < token.size(); ++i) {
        std::string tampered = token;
        // Flip the top bit of the character's 6-bit value, which always carries data
        // (a low bit of the last character may be padding).
        tampered[i] = kAlphabet[kAlphabet.find(token[i]) ^ 0x20];
        EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, tampered, now_)) << "position " << i;
    }
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, token.substr(0, token.size() - 1), now_));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, token + "A", now_));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, token + "=", now_));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, " " + token, now_));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kManage, "", now_));
}

TEST_F(LinkSignerTest, ExpiryCannotBeRemovedOrExtended) {
    // Rebuild the token bytes with a later expiry but the old tag: must fail.
    const auto token = signer_.Sign(LinkPurpose::kConfirm, "sub1", now_ + 1h);
    auto bytes = Base64UrlDecode(token);
    ASSERT_TRUE(bytes);
    for (std::size_t i = 1; i <= 8; ++i) (*bytes)[i] = 0;  // "no expiry"
    const std::string forged = Base64UrlEncode(bytes->data(), bytes->size());
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kConfirm, forged, now_ + 2h));
    EXPECT_FALSE(signer_.Verify(LinkPurpose::kConfirm, forged, now_));
}

TEST_F(LinkSignerTest, GarbageNeverVerifiesNorCrashes) {
    std::mt19937 rng(4711);
    const auto valid = signer_.Sign(LinkPurpose::kUnsubscribe, "sub1", std::nullopt);
    for (int n = 0; n < 4000; ++n) {
        std::string junk;
        const std::size_t len = rng() % (n % 10 == 0 ? 5000 : 120);
        for (std::size_t i = 0; i < len; ++i) {
            switch (n % 3) {
                case 0:
                    junk += static_cast<char>(rng() % 256);
                    break;
                case 1:
                    junk += kAlphabet[rng() % kAlphabet.size()];
                    break;
                default:
                    // a valid token with random edits
                    junk = valid;
                    junk[rng() % junk.size()] = static_cast<char>(rng() % 256);
                    i = len;
            }
        }
        if (junk == valid) continue;
        EXPECT_FALSE(signer_.Verify(LinkPurpose::kUnsubscribe, junk, now_)) << n;
    }
}

TEST(LinkSigner, NewKeysAreRandomAndUsable) {
    ASSERT_GE(sodium_init(), 0);
    auto a = LinkSigner::NewKey();
    auto b = LinkSigner::NewKey();
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
    LinkSigner sa(a), sb(b);
    auto token = sa.Sign(LinkPurpose::kManage, "s", std::nullopt);
    EXPECT_EQ(sa.Verify(LinkPurpose::kManage, token, TimePoint{}), "s");
    EXPECT_FALSE(sb.Verify(LinkPurpose::kManage, token, TimePoint{}));
    EXPECT_THROW(LinkSigner(std::string(16, 'x')), std::invalid_argument);
}

TEST(LinkUrls, RoutesCarryTheToken) {
    EXPECT_EQ(
        ConfirmUrl("https://status.example.com", "abc-_9"), "https://status.example.com/subscribe/confirm?token=abc-_9"
    );
    EXPECT_EQ(ManageUrl("https://status.example.com", "abc"), "https://status.example.com/subscribe/manage?token=abc");
    EXPECT_EQ(UnsubscribeUrl("https://status.example.com", "abc"), "https://status.example.com/unsubscribe?token=abc");
    // Anything outside the unreserved set is percent-encoded.
    EXPECT_EQ(UnsubscribeUrl("https://s.example", "a+b/c=&d"), "https://s.example/unsubscribe?token=a%2Bb%2Fc%3D%26d");
}

}  // namespace
}  // namespace tocsin::notify
