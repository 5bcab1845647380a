#include "adapters/http/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

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
  std::thread client([&] {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const std::string request =
        "PUT /v1/config/a.cnf?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
    boost::asio::write(socket, boost::asio::buffer(request));
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);  // until the server closes
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reply.empty() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
  }
  client.join();
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.path, "/v1/config/a.cnf");
  EXPECT_EQ(seen.body, "abc");
  EXPECT_NE(reply.find("HTTP/1.1 307"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Location: http://127.0.0.1:1/v1/config/a.cnf?x=1"), std::string::npos) << reply;
}

}  // namespace
}  // namespace quorum::adapters
