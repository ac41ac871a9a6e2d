/// @file
/// @brief DnsResponder: a small authoritative UDP DNS server for tests, on 127.0.0.1:0.
///
/// Test-only (header-only, never part of the library). It runs on the test's io_context
/// and answers from a table: the records of the asked (name, type), a CNAME in front of
/// them when the name is an alias, NOERROR with no answers when the name exists without
/// that type, NXDOMAIN otherwise. It can be told to answer with a fixed rcode or to stay
/// silent (for timeouts). Record data is built with the Encode* helpers below.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::checks::testing {

using Bytes = std::vector<unsigned char>;

/// Wire form of a dotted name ("mx.example." or "mx.example"), uncompressed.
inline Bytes EncodeName(std::string_view name) {
    Bytes out;
    while (!name.empty()) {
        const auto dot = name.find('.');
        const auto label = name.substr(0, dot);
        if (!label.empty()) {
            out.push_back(static_cast<unsigned char>(label.size()));
            out.insert(out.end(), label.begin(), label.end());
        }
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    out.push_back(0);
    return out;
}

inline void PutU16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<unsigned char>(v >> 8));
    out.push_back(static_cast<unsigned char>(v & 0xff));
}

inline void PutU32(Bytes& out, std::uint32_t v) {
    PutU16(out, static_cast<std::uint16_t>(v >> 16));
    PutU16(out, static_cast<std::uint16_t>(v & 0xffff));
}

inline void Append(Bytes& out, const Bytes& more) {
    out.insert(out.end(), more.begin(), more.end());
}

inline Bytes EncodeAddress(std::string_view ip) {
    const auto address = boost::asio::ip::make_address(std::string(ip));
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        return Bytes(b.begin(), b.end());
    }
    const auto b = address.to_v6().to_bytes();
    return Bytes(b.begin(), b.end());
}

inline Bytes EncodeMx(std::uint16_t preference, std::string_view exchange) {
    Bytes out;
    PutU16(out, preference);
    Append(out, EncodeName(exchange));
    return out;
}

inline Bytes EncodeTxt(const std::vector<std::string>& strings) {
    Bytes out;
    for (const auto& s : strings) {
        out.push_back(static_cast<unsigned char>(s.size()));
        out.insert(out.end(), s.begin(), s.end());
    }
    return out;
}

inline Bytes EncodeSrv(std::uint16_t priority, std::uint16_t weight, std::uint16_t port, std::string_view target) {
    Bytes out;
    PutU16(out, priority);
    PutU16(out, weight);
    PutU16(out, port);
    Append(out, EncodeName(target));
    return out;
}

inline Bytes EncodeSoa(std::string_view mname, std::string_view rname, std::array<std::uint32_t, 5> numbers) {
    Bytes out = EncodeName(mname);
    Append(out, EncodeName(rname));
    for (auto n : numbers) PutU32(out, n);
    return out;
}

inline Bytes EncodeCaa(std::uint8_t flags, std::string_view tag, std::string_view value) {
    Bytes out{flags, static_cast<unsigned char>(tag.size())};
    out.insert(out.end(), tag.begin(), tag.end());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

/// Wire type values used by the tests.
enum RecordType : std::uint16_t {
    kA = 1,
    kNs = 2,
    kCname = 5,
    kSoa = 6,
    kPtr = 12,
    kMx = 15,
    kTxt = 16,
    kAaaa = 28,
    kSrv = 33,
    kCaa = 257,
};

class DnsResponder {
public:
    explicit DnsResponder(boost::asio::io_context& io, std::string_view ip = "127.0.0.1")
        : state_(std::make_shared<State>(io, boost::asio::ip::make_address(std::string(ip)))) {
        Receive(state_);
    }
    ~DnsResponder() {
        boost::system::error_code ignored;
        state_->socket.close(ignored);
    }
    DnsResponder(const DnsResponder&) = delete;
    DnsResponder& operator=(const DnsResponder&) = delete;

    /// "127.0.0.1:<port>" (or "[::1]:<port>"), the form CheckSpec::dns_resolver takes.
    [[nodiscard]] std::string Address() const {
        const auto ep = state_->socket.local_endpoint();
        const auto ip = ep.address().to_string();
        return (ep.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(ep.port());
    }

    void Add(std::string_view name, std::uint16_t type, Bytes rdata) {
        state_->records[Key(name)].emplace_back(type, std::move(rdata));
    }
    /// Answers every query for `name` with this rcode and no records.
    void SetRcode(std::string_view name, int rcode) { state_->rcodes[Key(name)] = rcode; }
    /// Reads queries but answers none.
    void SetSilent(bool silent) { state_->silent = silent; }
    [[nodiscard]] int Queries() const { return state_->queries; }

private:
    struct State {
        State(boost::asio::io_context& io, const boost::asio::ip::address& ip)
            : socket(io, boost::asio::ip::udp::endpoint(ip, 0)) {}
        boost::asio::ip::udp::socket socket;
        boost::asio::ip::udp::endpoint peer;
        std::array<unsigned char, 1500> buffer{};
        std::map<std::string, std::vector<std::pair<std::uint16_t, Bytes>>> records;
        std::map<std::string, int> rcodes;
        bool silent = false;
        int queries = 0;
    };

    static std::string Key(std::string_view name) {
        std::string key;
        for (char c : name) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        if (!key.empty() && key.back() == '.') key.pop_back();
        return key;
    }

    static void Receive(const std::shared_ptr<State>& state) {
        state->socket.async_receive_from(
            boost::asio::buffer(state->buffer),
            state->peer,
            [state](const boost::system::error_code& ec, std::size_t size) {
                if (ec == boost::asio::error::operation_aborted || !state->socket.is_open()) return;
                if (!ec) {
                    ++state->queries;
                    Bytes reply = Answer(*state, state->buffer.data(), size);
                    if (!reply.empty() && !state->silent) {
                        boost::system::error_code ignored;
                        state->socket.send_to(boost::asio::buffer(reply), state->peer, 0, ignored);
                    }
                }
                Receive(state);
            }
        );
    }

    /// The reply to one query, or nothing for a query it cannot read.
    static Bytes Answer(const State& state, const unsigned char* q, std::size_t size) {
        if (size < 12) return {};
        std::size_t at = 12;
        std::string name;
        while (at < size && q[at] != 0) {
            const std::size_t length = q[at];
            if (length > 63 || at + 1 + length >= size) return {};
            if (!name.empty()) name.push_back('.');
            name.append(reinterpret_cast<const char*>(q + at + 1), length);
            at += 1 + length;
        }
        if (at + 5 > size) return {};
        const std::size_t question_end = at + 5;
        const auto qtype = static_cast<std::uint16_t>((q[at + 1] << 8) | q[at + 2]);
        const std::string key = Key(name);

        int rcode = 0;
        struct Record {
            Bytes owner;
            std::uint16_t type;
            const Bytes* rdata;
        };
        std::vector<Record> answers;
        const Bytes to_question{0xc0, 0x0c};  // compression pointer to the question's name
        if (auto r = state.rcodes.find(key); r != state.rcodes.end()) {
            rcode = r->second;
        } else if (auto it = state.records.find(key); it == state.records.end()) {
            rcode = 3;  // NXDOMAIN
        } else {
            std::string target_key;
            for (const auto& [type, rdata] : it->second) {
                if (type == qtype) answers.push_back({to_question, type, &rdata});
            }
            // An alias: the CNAME, then the target's records of the asked type.
            if (answers.empty() && qtype != kCname) {
                for (const auto& [type, rdata] : it->second) {
                    if (type != kCname) continue;
                    answers.push_back({to_question, type, &rdata});
                    std::string target;
                    for (std::size_t i = 0; i < rdata.size() && rdata[i] != 0; i += 1 + rdata[i]) {
                        if (!target.empty()) target.push_back('.');
                        target.append(reinterpret_cast<const char*>(rdata.data() + i + 1), rdata[i]);
                    }
                    if (auto t = state.records.find(Key(target)); t != state.records.end()) {
                        for (const auto& [ttype, trdata] : t->second) {
                            if (ttype == qtype) answers.push_back({EncodeName(target), ttype, &trdata});
                        }
                    }
                    break;
                }
            }
        }

        Bytes reply(q, q + 4);
        reply[2] = static_cast<unsigned char>(0x80 | (q[2] & 0x79) | 0x04);  // QR, opcode, AA, RD
        reply[3] = static_cast<unsigned char>(0x80 | (rcode & 0x0f));        // RA, rcode
        PutU16(reply, 1);
        PutU16(reply, static_cast<std::uint16_t>(answers.size()));
        PutU16(reply, 0);
        PutU16(reply, 0);
        reply.insert(reply.end(), q + 12, q + question_end);
        for (const auto& a : answers) {
            Append(reply, a.owner);
            PutU16(reply, a.type);
            PutU16(reply, 1);  // IN
            PutU32(reply, 300);
            PutU16(reply, static_cast<std::uint16_t>(a.rdata->size()));
            Append(reply, *a.rdata);
        }
        return reply;
    }

    std::shared_ptr<State> state_;
};

}  // namespace tocsin::checks::testing
