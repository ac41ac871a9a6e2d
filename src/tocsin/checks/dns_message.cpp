#include "tocsin/checks/dns_message.hpp"

#include <ares.h>
#include <arpa/inet.h>

#include <array>
#include <cstdint>

namespace tocsin::checks::detail {

namespace {

constexpr std::size_t kHeaderSize = 12;

Error Malformed(std::string what) {
    return Error::Unavailable("malformed DNS reply: " + std::move(what));
}

std::uint16_t ReadU16(const unsigned char* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t ReadU32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// A (possibly compressed) name starting at `at`; `length` is its size at `at`.
struct Name {
    std::string text;
    std::size_t length = 0;
};

/// ares_expand_name follows compression pointers anywhere in the message and rejects
/// loops; it renders the root as "" and escapes dots inside labels.
Result<Name> ReadName(const unsigned char* message, std::size_t size, std::size_t at) {
    if (at >= size) return Malformed("name beyond the end");
    char* expanded = nullptr;
    long length = 0;
    if (ares_expand_name(message + at, message, static_cast<int>(size), &expanded, &length) != ARES_SUCCESS) {
        return Malformed("bad name");
    }
    Name name{expanded, static_cast<std::size_t>(length)};
    ares_free_string(expanded);
    name.text.push_back('.');  // the root comes back as "" and so becomes "."
    return name;
}

/// Renders one record's data. `rdata` is an offset into the message, so that names in it
/// may point back into the message.
Result<std::string> RenderRecord(
    const unsigned char* message, std::size_t size, std::size_t rdata, std::size_t rdlength, DnsType type
) {
    const unsigned char* p = message + rdata;
    const std::size_t end = rdata + rdlength;
    switch (type) {
        case DnsType::kA:
        case DnsType::kAaaa: {
            const bool v4 = type == DnsType::kA;
            if (rdlength != (v4 ? 4u : 16u)) return Malformed("address of wrong length");
            std::array<char, INET6_ADDRSTRLEN> text{};
            inet_ntop(v4 ? AF_INET : AF_INET6, p, text.data(), text.size());
            return std::string(text.data());
        }
        case DnsType::kNs:
        case DnsType::kCname:
        case DnsType::kPtr: {
            TOCSIN_ASSIGN(name, ReadName(message, size, rdata));
            if (name.length > rdlength) return Malformed("name overruns its record");
            return std::move(name.text);
        }
        case DnsType::kMx: {
            if (rdlength < 3) return Malformed("short MX record");
            TOCSIN_ASSIGN(name, ReadName(message, size, rdata + 2));
            if (2 + name.length > rdlength) return Malformed("name overruns its record");
            return std::to_string(ReadU16(p)) + " " + name.text;
        }
        case DnsType::kSrv: {
            if (rdlength < 7) return Malformed("short SRV record");
            TOCSIN_ASSIGN(name, ReadName(message, size, rdata + 6));
            if (6 + name.length > rdlength) return Malformed("name overruns its record");
            return std::to_string(ReadU16(p)) + " " + std::to_string(ReadU16(p + 2)) + " " +
                   std::to_string(ReadU16(p + 4)) + " " + name.text;
        }
        case DnsType::kSoa: {
            TOCSIN_ASSIGN(mname, ReadName(message, size, rdata));
            TOCSIN_ASSIGN(rname, ReadName(message, size, rdata + mname.length));
            const std::size_t numbers = rdata + mname.length + rname.length;
            if (numbers + 20 != end) return Malformed("bad SOA record");
            std::string text = mname.text + " " + rname.text;
            for (int i = 0; i < 5; ++i) text += " " + std::to_string(ReadU32(message + numbers + 4 * i));
            return text;
        }
        case DnsType::kTxt: {
            // Strings longer than 255 bytes are split on the wire; monitors compare the
            // whole value, so the pieces are joined without a separator.
            std::string text;
            for (std::size_t at = rdata; at < end;) {
                const std::size_t length = message[at];
                if (at + 1 + length > end) return Malformed("TXT string overruns its record");
                text.append(reinterpret_cast<const char*>(message + at + 1), length);
                at += 1 + length;
            }
            return text;
        }
        case DnsType::kCaa: {
            if (rdlength < 2) return Malformed("short CAA record");
            const std::size_t tag_length = p[1];
            if (2 + tag_length > rdlength) return Malformed("CAA tag overruns its record");
            std::string text = std::to_string(p[0]) + " ";
            text.append(reinterpret_cast<const char*>(p + 2), tag_length);
            text += " \"";
            for (std::size_t i = 2 + tag_length; i < rdlength; ++i) {
                const char c = static_cast<char>(p[i]);
                if (c == '"' || c == '\\') text.push_back('\\');
                text.push_back(c);
            }
            text.push_back('"');
            return text;
        }
    }
    return Malformed("unexpected record type");
}

}  // namespace

std::optional<DnsType> ParseDnsType(std::string_view name) {
    struct Entry {
        std::string_view name;
        DnsType type;
    };
    static constexpr Entry kTypes[] = {
        {"A", DnsType::kA},
        {"NS", DnsType::kNs},
        {"CNAME", DnsType::kCname},
        {"SOA", DnsType::kSoa},
        {"PTR", DnsType::kPtr},
        {"MX", DnsType::kMx},
        {"TXT", DnsType::kTxt},
        {"AAAA", DnsType::kAaaa},
        {"SRV", DnsType::kSrv},
        {"CAA", DnsType::kCaa},
    };
    for (const auto& entry : kTypes) {
        if (entry.name.size() != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i) {
            const char c = name[i];
            same = (c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) == entry.name[i];
        }
        if (same) return entry.type;
    }
    return std::nullopt;
}

std::string DnsRcodeName(int rcode) {
    static constexpr std::string_view kNames[] = {
        "NOERROR",
        "FORMERR",
        "SERVFAIL",
        "NXDOMAIN",
        "NOTIMP",
        "REFUSED",
        "YXDOMAIN",
        "YXRRSET",
        "NXRRSET",
        "NOTAUTH",
        "NOTZONE",
    };
    if (rcode >= 0 && static_cast<std::size_t>(rcode) < std::size(kNames)) return std::string(kNames[rcode]);
    return "RCODE" + std::to_string(rcode);
}

Result<DnsReply> ParseDnsReply(const unsigned char* data, std::size_t size, DnsType type) {
    if (size < kHeaderSize) return Malformed("shorter than a header");
    DnsReply reply;
    reply.rcode = data[3] & 0x0f;
    const std::uint16_t questions = ReadU16(data + 4);
    const std::uint16_t answers = ReadU16(data + 6);

    std::size_t at = kHeaderSize;
    for (std::uint16_t i = 0; i < questions; ++i) {
        TOCSIN_ASSIGN(name, ReadName(data, size, at));
        at += name.length + 4;  // QTYPE, QCLASS
        if (at > size) return Malformed("question beyond the end");
    }
    for (std::uint16_t i = 0; i < answers; ++i) {
        TOCSIN_ASSIGN(owner, ReadName(data, size, at));
        at += owner.length;
        if (at + 10 > size) return Malformed("record header beyond the end");
        const std::uint16_t record_type = ReadU16(data + at);
        const std::size_t rdlength = ReadU16(data + at + 8);
        at += 10;
        if (at + rdlength > size) return Malformed("record data beyond the end");
        if (record_type == static_cast<std::uint16_t>(type)) {
            TOCSIN_ASSIGN(text, RenderRecord(data, size, at, rdlength, type));
            reply.answers.push_back(std::move(text));
        }
        at += rdlength;
    }
    return reply;
}

}  // namespace tocsin::checks::detail
