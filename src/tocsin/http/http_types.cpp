#include "tocsin/http/http_types.hpp"

#include <boost/json.hpp>

namespace tocsin::http {

std::string_view ToString(Method m) {
    switch (m) {
        case Method::kGet:
            return "GET";
        case Method::kHead:
            return "HEAD";
        case Method::kPost:
            return "POST";
        case Method::kPut:
            return "PUT";
        case Method::kPatch:
            return "PATCH";
        case Method::kDelete:
            return "DELETE";
        case Method::kOptions:
            return "OPTIONS";
        case Method::kOther:
            return "OTHER";
    }
    return "OTHER";
}

std::string_view Request::Header(std::string_view name) const {
    return header_lookup ? header_lookup(native, name) : std::string_view{};
}

std::optional<std::string> Request::QueryParam(std::string_view key) const {
    std::string_view q = query;
    while (!q.empty()) {
        auto amp = q.find('&');
        std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        auto eq = pair.find('=');
        std::string name = PercentDecode(pair.substr(0, eq), true);
        if (name == key) {
            return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
        }
    }
    return std::nullopt;
}

std::string_view Request::Param(std::string_view name) const {
    for (const auto& [k, v] : path_params) {
        if (k == name) return v;
    }
    return {};
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

void WriteProblem(Response& res, int status, std::string_view type, std::string_view detail, std::string_view field) {
    static constexpr std::pair<int, std::string_view> kTitles[] = {
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {409, "Conflict"},
        {413, "Payload Too Large"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Entity"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {503, "Service Unavailable"},
    };
    std::string_view title = "Error";
    for (const auto& [code, t] : kTitles) {
        if (code == status) title = t;
    }
    boost::json::object o{
        {"type", "https://tocsin.dev/problems/" + std::string(type)},
        {"title", title},
        {"status", status},
        {"detail", detail},
    };
    if (!field.empty()) o["field"] = field;
    res.status = status;
    res.content_type = "application/problem+json";
    res.shared_owner.reset();
    res.shared_headers = nullptr;
    res.body = boost::json::serialize(o);
}

bool EventStream::Push(std::string_view bytes) {
    {
        std::lock_guard lock(mu_);
        if (closed_) return false;
        if (buffer_.size() + bytes.size() > max_buffered_) {
            closed_ = true;  // the client does not keep up; it reconnects and refetches
        } else {
            buffer_.append(bytes);
        }
    }
    Wake();
    return !IsClosed();
}

bool EventStream::PushEvent(std::string_view name, std::string_view data) {
    std::string text;
    text.reserve(name.size() + data.size() + 16);
    text.append("event: ").append(name).append("\ndata: ");
    for (char c : data) text.push_back(c == '\n' || c == '\r' ? ' ' : c);
    text.append("\n\n");
    return Push(text);
}

void EventStream::Close() {
    {
        std::lock_guard lock(mu_);
        if (closed_) return;
        closed_ = true;
    }
    Wake();
}

bool EventStream::IsClosed() const {
    std::lock_guard lock(mu_);
    return closed_;
}

std::size_t EventStream::Buffered() const {
    std::lock_guard lock(mu_);
    return buffer_.size();
}

void EventStream::OnEnd(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    on_end_ = std::move(fn);
}

void EventStream::SetWaker(std::function<void()> waker) {
    std::lock_guard lock(mu_);
    waker_ = std::move(waker);
}

bool EventStream::Take(std::string& out) {
    out.clear();
    std::lock_guard lock(mu_);
    out.swap(buffer_);
    return !out.empty() || !closed_;
}

void EventStream::Finish() {
    std::function<void()> fn;
    {
        std::lock_guard lock(mu_);
        closed_ = true;
        if (finished_) return;
        finished_ = true;
        waker_ = nullptr;
        buffer_.clear();
        buffer_.shrink_to_fit();
        fn = std::move(on_end_);
    }
    if (fn) fn();
}

Deferred::~Deferred() = default;

bool Deferred::Complete(Response res) {
    std::function<void()> waker;
    {
        std::lock_guard lock(mu_);
        if (completed_ || abandoned_) return false;
        completed_ = true;
        response_ = std::make_unique<Response>(std::move(res));
        waker = std::move(waker_);
        waker_ = nullptr;
    }
    if (waker) waker();
    return true;
}

bool Deferred::IsAbandoned() const {
    std::lock_guard lock(mu_);
    return abandoned_;
}

void Deferred::SetWaker(std::function<void()> waker) {
    {
        std::lock_guard lock(mu_);
        if (!completed_ && !abandoned_) {
            waker_ = std::move(waker);
            return;
        }
    }
    if (waker) waker();
}

std::unique_ptr<Response> Deferred::Take() {
    std::lock_guard lock(mu_);
    return std::move(response_);
}

void Deferred::Abandon() {
    std::function<void()> waker;
    {
        std::lock_guard lock(mu_);
        if (completed_ || abandoned_) return;
        abandoned_ = true;
        waker = std::move(waker_);
        waker_ = nullptr;
    }
    if (waker) waker();
}

void EventStream::Wake() {
    std::function<void()> w;
    {
        std::lock_guard lock(mu_);
        w = waker_;
    }
    if (w) w();
}

}  // namespace tocsin::http
