/// @file
/// @brief RFC 5322 / MIME e-mail messages: headers that cannot be injected, multipart text
/// and HTML, threading headers.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <string>
#include <vector>

namespace tocsin::notify {

struct Mailbox {
    std::string name;     // display name, any UTF-8 (encoded as RFC 2047 when not ASCII)
    std::string address;  // validated addr-spec
};

struct MailMessage {
    Mailbox from;
    Mailbox to;
    std::string subject;      // UTF-8, one line
    std::string message_id;   // "<...@host>"
    std::string in_reply_to;  // "" or "<...>"
    std::vector<std::string> references;
    std::string list_unsubscribe;  // URL; also sets List-Unsubscribe-Post: List-Unsubscribe=One-Click
    std::string list_id;           // "" or "Page name <status.example.com>"
    std::string idempotency_key;   // X-Tocsin-Idempotency-Key
    TimePoint date{};
    std::string text;  // text/plain part
    std::string html;  // text/html part ("" sends text only)
};

/// The whole message with CRLF line ends, ready for SMTP DATA (dot-stuffing is the
/// transport's job). Bodies are quoted-printable UTF-8; non-ASCII header words are RFC 2047
/// encoded. Invalid: a CR, LF or NUL in any header input, an address that is not a
/// valid addr-spec, or a message id without angle brackets (names the field).
[[nodiscard]] Result<std::string> BuildMessage(const MailMessage& m);

/// RFC 5322 date ("Fri, 04 Dec 2026 17:22:32 +0000").
[[nodiscard]] std::string FormatRfc5322Date(TimePoint t);

}  // namespace tocsin::notify
