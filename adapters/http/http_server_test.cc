#include "adapters/http/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "adapters/asio/log.h"

namespace quorum::adapters {
namespace {

TEST(HttpServer, SplitTargetDecodesThePathAndTheQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  split_target("/v1/leader/transfer?to=ctl%202&local&x=a+b", &path, &query);
  EXPECT_EQ(path, "/v1/leader/transfer");
  EXPECT_EQ(query.at("to"), "ctl 2");
  EXPECT_EQ(query.at("local"), "");
  EXPECT_EQ(query.at("x"), "a b");
}

TEST(HttpServer, UrlDecodeKeepsInvalidEscapesVerbatim) {
  EXPECT_EQ(url_decode("a%2Fb"), "a/b");
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%zz"), "%zz");
}

TEST(HttpParse, ACompleteRequestIsSplitAndThePipelinedNextOneIsLeft) {
  const std::string first = "PUT /v1/config/a%2Fb.cnf?if_version=3 HTTP/1.1\r\nHost: x\r\n"
                            "Accept: application/octet-stream\r\nContent-Length: 5\r\n\r\nhello";
  const ParsedHttpRequest parsed = parse_http_request(first + "GET /v1/status HTTP/1.1\r\n\r\n");
  ASSERT_EQ(parsed.outcome, ParsedHttpRequest::Outcome::kComplete) << parsed.error;
  EXPECT_EQ(parsed.consumed_bytes, first.size());
  EXPECT_EQ(parsed.request.method, "PUT");
  EXPECT_EQ(parsed.request.path, "/v1/config/a/b.cnf");
  EXPECT_EQ(parsed.request.query.at("if_version"), "3");
  EXPECT_EQ(parsed.request.body, "hello");
  EXPECT_EQ(parsed.request.accept, "application/octet-stream");
  EXPECT_TRUE(parsed.keep_alive);
  EXPECT_EQ(parsed.version, 11u);
}

TEST(HttpParse, TruncatedOversizedAndMalformedRequestsAreTold) {
  using Outcome = ParsedHttpRequest::Outcome;
  EXPECT_EQ(parse_http_request("GET /v1/status HTTP/1.1\r\nHost:").outcome, Outcome::kIncomplete);
  EXPECT_EQ(parse_http_request("PUT /x HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc").outcome,
            Outcome::kIncomplete);
  EXPECT_EQ(parse_http_request(fmt::format("PUT /x HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
                                           kRequestBodyBytesMax + 1)).outcome,
            Outcome::kTooLarge);
  // Chunked: no length announced, refused once the body passes the limit.
  const std::string chunk(64 * 1024, 'x');
  std::string chunked = "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::uint64_t sent = 0; sent <= kRequestBodyBytesMax; sent += chunk.size()) {
    chunked += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
  }
  EXPECT_EQ(parse_http_request(chunked + "0\r\n\r\n").outcome, Outcome::kTooLarge);
  const ParsedHttpRequest bad = parse_http_request("\x16\x03\x01 not http\r\n\r\n");
  EXPECT_EQ(bad.outcome, Outcome::kMalformed);
  EXPECT_FALSE(bad.error.empty());
}

TEST(HttpServer, AnswersThroughTheHandlerAndSetsTheLocationOfARedirect) {
  log::set_level(log::Level::kError);
  boost::asio::io_context io;
  HttpRequest seen;
  HttpServer server(io, "127.0.0.1", 0, [&](const HttpRequest& request, HttpRespondFn respond) {
    seen = request;
    HttpResponse response;
    response.status = 307;
    response.location = "http://127.0.0.1:1" + request.target;
    response.body = "{}";
    respond(std::move(response));
  });
  ASSERT_TRUE(server.start().is_ok());
  std::string reply;
  std::atomic<bool> client_done{false};  // `reply` is written by the client thread until then
  std::thread client([&] {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const std::string request =
        "PUT /v1/config/a.cnf?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
    boost::asio::write(socket, boost::asio::buffer(request));
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);  // until the server closes
    client_done = true;
  });
  // The server must keep running until it closed the connection: the client reads until then.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!client_done && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
  }
  client.join();
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.path, "/v1/config/a.cnf");
  EXPECT_EQ(seen.body, "abc");
  EXPECT_NE(reply.find("HTTP/1.1 307"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Location: http://127.0.0.1:1/v1/config/a.cnf?x=1"), std::string::npos) << reply;
}

// A body above kRequestBodyBytesMax is answered 413 with the limit, and the client, still
// sending 4 MiB, reads that answer instead of failing with EPIPE; the handler never sees it.
TEST(HttpServer, ABodyAboveTheLimitGets413WithTheLimitWhileTheClientIsStillSending) {
  log::set_level(log::Level::kError);
  boost::asio::io_context io;
  int handled = 0;
  HttpServer server(io, "127.0.0.1", 0, [&](const HttpRequest&, HttpRespondFn respond) {
    ++handled;
    respond(HttpResponse{});
  });
  ASSERT_TRUE(server.start().is_ok());
  std::string reply;
  boost::system::error_code write_error;
  std::atomic<bool> client_done{false};
  std::thread client([&] {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const std::size_t body_bytes = 4 << 20;
    const std::string request = fmt::format(
        "PUT /v1/config/big HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\n", body_bytes) +
        std::string(body_bytes, 'x');
    boost::asio::write(socket, boost::asio::buffer(request), write_error);
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);  // until the server closes
    client_done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!client_done && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
  }
  client.join();
  EXPECT_FALSE(write_error) << write_error.message();
  EXPECT_EQ(handled, 0);
  EXPECT_NE(reply.find("HTTP/1.1 413"), std::string::npos) << reply;
  EXPECT_NE(reply.find(fmt::format("request body is {} bytes, above the limit of {} bytes", 4 << 20,
                                   kRequestBodyBytesMax)),
            std::string::npos)
      << reply;
}

// A CA with certificates signed by it (openssl CLI), as in tcp_transport_test.
bool make_ca(const std::string& dir, const std::string& ca, const std::vector<std::string>& names) {
  std::string script = fmt::format(
      "cd {0} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN={1} -keyout {1}.key -out {1}.pem >/dev/null 2>&1",
      dir, ca);
  for (const std::string& name : names) {
    script += fmt::format(
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN={0} "
        "-keyout {0}.key -out {0}.csr >/dev/null 2>&1 && openssl x509 -req -in {0}.csr -CA {1}.pem "
        "-CAkey {1}.key -CAcreateserial -days 2 -out {0}.pem >/dev/null 2>&1",
        name, ca);
  }
  return std::system(script.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe)
}

// One HTTPS GET from a client thread: trusts `ca`, presents `client` (if not empty). Returns the
// response text, or "error: ..." when the TLS handshake or the exchange failed.
std::string https_get(const std::string& dir, std::uint16_t port, const std::string& ca,
                      const std::string& client) {
  namespace ssl = boost::asio::ssl;
  boost::asio::io_context io;
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(dir + "/" + ca + ".pem");
  if (!client.empty()) {
    context.use_certificate_chain_file(dir + "/" + client + ".pem");
    context.use_private_key_file(dir + "/" + client + ".key", ssl::context::pem);
  }
  context.set_verify_mode(ssl::verify_peer);
  ssl::stream<boost::asio::ip::tcp::socket> stream(io, context);
  boost::system::error_code ec;
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) stream.handshake(ssl::stream_base::client, ec);
  if (ec) return "error: " + ec.message();
  const std::string request = "GET /v1/status HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  boost::asio::write(stream, boost::asio::buffer(request), ec);
  std::string reply;
  if (!ec) boost::asio::read(stream, boost::asio::dynamic_buffer(reply), ec);  // until close
  if (reply.empty()) return "error: " + ec.message();
  return reply;
}

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::kError);
    dir_ = std::filesystem::temp_directory_path() / ("quorum-https-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(make_ca(dir_, "ca", {"server", "admin"}));
    ASSERT_TRUE(make_ca(dir_, "foreign", {"intruder"}));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Serves one request per client call on this thread's io_context while `client` runs.
  std::string serve(const std::function<std::string()>& client) {
    std::string result;
    std::atomic<bool> done{false};
    std::thread thread([&] {
      result = client();
      done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(10));
    }
    thread.join();
    io_.restart();
    io_.poll();  // pending close handlers
    return result;
  }

  HttpServer make_server(bool require_client_cert) {
    return HttpServer(io_, "127.0.0.1", 0,
                      [](const HttpRequest&, HttpRespondFn respond) {
                        HttpResponse response;
                        response.body = "{\"ok\":true}";
                        respond(std::move(response));
                      },
                      HttpTlsOptions{dir_ + "/ca.pem", dir_ + "/server.pem", dir_ + "/server.key",
                                     require_client_cert});
  }

  boost::asio::io_context io_;
  std::string dir_;
};

TEST_F(HttpsServerTest, ServesAClientWithACertificateFromTheCa) {
  HttpServer server = make_server(/*require_client_cert=*/true);
  ASSERT_TRUE(server.start().is_ok());
  EXPECT_TRUE(server.tls());
  const std::string reply = serve([&] { return https_get(dir_, server.port(), "ca", "admin"); });
  EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
  EXPECT_NE(reply.find("{\"ok\":true}"), std::string::npos) << reply;
  EXPECT_EQ(server.counters().tls_handshakes_failed, 0u);
}

TEST_F(HttpsServerTest, RefusesClientsWithoutACertificateOrWithAForeignOne) {
  HttpServer server = make_server(/*require_client_cert=*/true);
  ASSERT_TRUE(server.start().is_ok());
  const std::string anonymous = serve([&] { return https_get(dir_, server.port(), "ca", ""); });
  EXPECT_EQ(anonymous.rfind("error: ", 0), 0u) << anonymous;
  const std::string intruder = serve([&] { return https_get(dir_, server.port(), "ca", "intruder"); });
  EXPECT_EQ(intruder.rfind("error: ", 0), 0u) << intruder;
  EXPECT_EQ(server.counters().tls_handshakes_failed, 2u);
}

TEST_F(HttpsServerTest, AClientThatDoesNotTrustTheServersCaGivesUp) {
  HttpServer server = make_server(/*require_client_cert=*/true);
  ASSERT_TRUE(server.start().is_ok());
  const std::string reply = serve([&] { return https_get(dir_, server.port(), "foreign", "admin"); });
  EXPECT_NE(reply.find("certificate verify failed"), std::string::npos) << reply;
}

TEST_F(HttpsServerTest, WithOptionalClientCertificatesAnAnonymousClientIsServed) {
  HttpServer server = make_server(/*require_client_cert=*/false);
  ASSERT_TRUE(server.start().is_ok());
  const std::string reply = serve([&] { return https_get(dir_, server.port(), "ca", ""); });
  EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
}

TEST_F(HttpsServerTest, AMissingCertificateFileFailsTheStartWithItsName) {
  HttpServer server(io_, "127.0.0.1", 0, [](const HttpRequest&, HttpRespondFn) {},
                    HttpTlsOptions{dir_ + "/ca.pem", dir_ + "/nope.pem", dir_ + "/server.key", true});
  const Status status = server.start();
  EXPECT_FALSE(status.is_ok());
  EXPECT_NE(status.to_string().find("nope.pem"), std::string::npos) << status.to_string();
}

}  // namespace
}  // namespace quorum::adapters
