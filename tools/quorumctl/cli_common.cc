// quorumctl's shared pieces (cli_common.h). Tools layer.
#include "tools/quorumctl/cli_common.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace quorum::quorumctl {

int fail(const std::string& message) {
  std::string line = message;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  std::fprintf(stderr, "quorumctl: %s\n", line.c_str());
  return 1;
}

int usage(const std::string& message, const char* help) {
  std::fprintf(stderr, "quorumctl: %s\n%s", message.c_str(), help);
  return kExitUsage;
}

int fail_reply(const HttpReply& reply) {
  api::Error error;
  if (parse_json(reply.body, &error) && !error.error().empty()) {
    return fail(error.error() + " (HTTP " + std::to_string(reply.status) + " from " + reply.served_by + ")");
  }
  return fail("HTTP " + std::to_string(reply.status) + " from " + reply.served_by + ": " + reply.body);
}

bool call(const Globals& globals, const std::string& method, const std::string& target,
          const std::string& body, HttpReply* reply, int* exit_code) {
  Result<HttpReply> result = http_request(globals.client, method, target, body);
  if (!result) {
    *exit_code = fail(result.error().message());
    return false;
  }
  *reply = std::move(*result);
  if (reply->status < 200 || reply->status >= 300) {
    *exit_code = fail_reply(*reply);
    return false;
  }
  return true;
}

std::string url_encode_path(const std::string& path) { return percent_encode(path, "/._-"); }

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

void print_columns(const std::vector<std::string>& titles,
                   const std::vector<std::vector<std::string>>& rows, bool header) {
  std::vector<std::size_t> widths(titles.size());
  for (std::size_t i = 0; i < titles.size(); ++i) widths[i] = titles[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size() && i < widths.size()) line += std::string(widths[i] - row[i].size() + 1, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  if (header && !rows.empty()) print_row(titles);
  for (const auto& row : rows) print_row(row);
}

std::string reply_error_text(const HttpReply& reply) {
  api::Error error;
  if (parse_json(reply.body, &error) && !error.error().empty()) return error.error();
  return reply.body;
}

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::optional<api::Status> node_status(const Globals& globals, const std::string& address,
                                       std::string* error) {
  ClientOptions direct = globals.client;
  direct.hosts = {address};
  direct.wait_for_leader = std::chrono::milliseconds(0);
  direct.io_timeout = std::min(direct.io_timeout, std::chrono::milliseconds(1000));
  Result<HttpReply> reply = http_request(direct, "GET", "/v1/status", "");
  api::Status status;
  if (!reply) {
    *error = reply.error().message();
  } else if (reply->status != 200 || !parse_json(reply->body, &status)) {
    *error = "HTTP " + std::to_string(reply->status) + " from " + reply->served_by;
  } else {
    return status;
  }
  return std::nullopt;
}

std::string row_address(const api::Controller& row, const std::map<std::uint64_t, std::string>& urls) {
  auto it = urls.find(row.node_id());
  if (it != urls.end() && !it->second.empty()) return it->second;
  if (row.http_port() == 0) return "";
  return row.ip() + ":" + std::to_string(row.http_port());
}

bool parse_u64(const std::string& text, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace quorum::quorumctl
