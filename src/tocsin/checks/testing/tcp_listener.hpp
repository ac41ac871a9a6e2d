/// @file
/// @brief TcpListener (accepts and holds connections, never speaks) and UnusedTcpPort.
///
/// Test-only, header-only. Runs on the test's io_context, on 127.0.0.1 (or ::1) port 0.
/// Connections are kept open until the listener is destroyed, so a TLS client talking to
/// it waits for a handshake that never comes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::checks::testing {

class TcpListener {
public:
    /// `keep_connections` false closes each accepted connection at once (for tests with
    /// many connections, to spare file descriptors).
    explicit TcpListener(boost::asio::io_context& io, std::string_view ip = "127.0.0.1", bool keep_connections = true)
        : state_(std::make_shared<State>(io, boost::asio::ip::make_address(std::string(ip)))) {
        state_->keep = keep_connections;
        Accept(state_);
    }
    ~TcpListener() { Close(); }
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;

    [[nodiscard]] int Port() const { return state_->port; }
    [[nodiscard]] int Accepted() const { return state_->accepted; }

    /// Stops accepting and closes every held connection.
    void Close() {
        boost::system::error_code ignored;
        state_->acceptor.close(ignored);
        for (auto& s : state_->connections) s.close(ignored);
        state_->connections.clear();
    }

private:
    struct State {
        State(boost::asio::io_context& io, const boost::asio::ip::address& ip)
            : acceptor(io, boost::asio::ip::tcp::endpoint(ip, 0)), port(acceptor.local_endpoint().port()) {}
        boost::asio::ip::tcp::acceptor acceptor;
        int port;
        bool keep = true;
        int accepted = 0;
        std::vector<boost::asio::ip::tcp::socket> connections;
    };

    static void Accept(const std::shared_ptr<State>& state) {
        state->acceptor.async_accept([state](const boost::system::error_code& ec, boost::asio::ip::tcp::socket s) {
            if (ec == boost::asio::error::operation_aborted || !state->acceptor.is_open()) return;
            if (!ec) {
                ++state->accepted;
                if (state->keep) state->connections.push_back(std::move(s));
            }
            Accept(state);
        });
    }

    std::shared_ptr<State> state_;
};

/// A port on `ip` that nothing listens on (bound, then released; another process could
/// take it in between, which on a test machine does not happen in practice).
inline int UnusedTcpPort(std::string_view ip = "127.0.0.1") {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(std::string(ip)), 0)
    );
    return acceptor.local_endpoint().port();
}

}  // namespace tocsin::checks::testing
