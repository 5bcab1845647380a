// quorumctl: command-line client of quorumd (HTTP/JSON API, tools/quorumd/api.proto).
// Accepts any controller's address and follows redirects to the leader. Global options and the
// dispatch to the commands (cmd_*.cc; shared pieces in cli_common.h). Tools layer.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tools/quorumctl/cli_common.h"

namespace quorum::quorumctl {
namespace {

constexpr const char* kClientVersion = "0.1.0";

constexpr const char* kMainHelp =
    "usage: quorumctl [--host HOST:PORT[,HOST:PORT...]] [-o|--output text|json] [--timeout SEC]\n"
    "                 [--cacert FILE [--cert FILE --key FILE]] COMMAND [ARGS] [--help] [--version]\n"
    "\n"
    "commands:\n"
    "  controller --list [--long] [--watch]   the controllers and their roles\n"
    "  controller --transfer-leader [--to NAME]  hand leadership to NAME (or the best node)\n"
    "  controller --step-down                 make the leader step down\n"
    "  config get PATH | set PATH VALUE|--file FILE [--wait[=all]] [--if-version N]\n"
    "         | edit PATH | delete PATH | list\n"
    "  status                                 the view of the controller you address\n"
    "  cluster --list [--long] | --add NAME | --remove C | --move C --to CTL | --pin C --to CTL\n"
    "          | --unpin C                    the managed clusters and their owners\n"
    "  controller --register | --deregister | --drain | --undrain NAME | --weight W NAME\n"
    "                                         the controller pool\n"
    "  standby --promote NAME [--force]       make a standby controller active\n"
    "  run --cluster ID|NAME -- COMMAND...    run COMMAND only while this controller may act\n"
    "                                         on the cluster (quorumctl run --help)\n"
    "\n"
    "--host      any controller's API address (default $QUORUM_CONTROLLER or 127.0.0.1:9580);\n"
    "            requests that need the leader follow its redirect; several addresses are\n"
    "            tried in order when one cannot be reached. https://HOST:PORT for HTTPS.\n"
    "--output    text (default) or json (the API's JSON, unchanged)\n"
    "--timeout   how long to wait for a leader while an election runs (default 10)\n"
    "--cacert    HTTPS: the controllers' CA (PEM); their certificates must chain to it.\n"
    "            Given (or $QUORUM_CACERT), addresses without a scheme use https://.\n"
    "--cert, --key  HTTPS client certificate and key (PEM), signed by the same CA; required\n"
    "            when the controllers set http_client_cert = required (the default).\n"
    "            Also $QUORUM_CERT and $QUORUM_KEY.\n"
    "Exit status: 0 success, 1 failure (one line on stderr), 2 config set --wait: written and\n"
    "committed but not (yet) in config_dir where it says, 64 usage error.\n";

int run(int argc, char** argv) {
  Globals globals;
  const char* env = std::getenv("QUORUM_CONTROLLER");  // NOLINT(concurrency-mt-unsafe)
  std::vector<std::string> rest;
  std::string command;
  ClientTls tls;
  auto from_env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    return v != nullptr ? v : "";
  };
  tls.ca_file = from_env("QUORUM_CACERT");
  tls.cert_file = from_env("QUORUM_CERT");
  tls.key_file = from_env("QUORUM_KEY");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    // Only called once the check below made sure a value follows (or is given with '=').
    auto value = [&](const std::string& name) -> std::string {
      if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
      return i + 1 < argc ? argv[++i] : "";
    };
    // After the command, "--" ends quorumctl's own options: what follows (run's COMMAND, a
    // config VALUE) is passed on verbatim, "--" included.
    if (!command.empty() && a == "--") {
      rest.insert(rest.end(), argv + i, argv + argc);
      break;
    }
    if (command.empty() && a == "--version") {
      std::printf("quorumctl %s\n", kClientVersion);
      return 0;
    }
    const bool takes_value = a == "--host" || a == "--output" || a == "-o" || a == "--timeout" ||
                             a == "--cacert" || a == "--cert" || a == "--key";
    if (takes_value && i + 1 >= argc) return usage(a + " needs a value", kMainHelp);
    if (a == "--host" || a.rfind("--host=", 0) == 0) {
      for (const std::string& h : split_commas(value("--host"))) globals.client.hosts.push_back(h);
    } else if (a == "--output" || a.rfind("--output=", 0) == 0 || a == "-o") {
      const std::string format = a == "-o" ? value("-o") : value("--output");
      if (format != "json" && format != "text") return usage("--output is text or json", kMainHelp);
      globals.json = format == "json";
    } else if (a == "--timeout" || a.rfind("--timeout=", 0) == 0) {
      const std::string seconds = value("--timeout");
      char* end = nullptr;
      const double s = std::strtod(seconds.c_str(), &end);
      if (seconds.empty() || *end != '\0' || s < 0) return usage("--timeout takes seconds", kMainHelp);
      globals.client.wait_for_leader = std::chrono::milliseconds(static_cast<long>(s * 1000));
    } else if (a == "--cacert" || a.rfind("--cacert=", 0) == 0) {
      tls.ca_file = value("--cacert");
    } else if (a == "--cert" || a.rfind("--cert=", 0) == 0) {
      tls.cert_file = value("--cert");
    } else if (a == "--key" || a.rfind("--key=", 0) == 0) {
      tls.key_file = value("--key");
    } else if (command.empty() && (a == "--help" || a == "-h")) {
      std::printf("%s", kMainHelp);
      return 0;
    } else if (command.empty() && a.rfind("-", 0) != 0) {
      command = a;
    } else if (command.empty()) {
      return usage("unknown option '" + a + "'", kMainHelp);
    } else {
      rest.push_back(a);
    }
  }
  if (globals.client.hosts.empty()) {
    globals.client.hosts = split_commas(env != nullptr ? env : "127.0.0.1:9580");
  }
  if (!tls.ca_file.empty()) {
    globals.client.tls = tls;
  } else if (!tls.cert_file.empty() || !tls.key_file.empty()) {
    return usage("--cert/--key need --cacert (the CA that signed the controllers)", kMainHelp);
  }
  if (command == "controller") return run_controller(globals, rest);
  if (command == "config") return run_config(globals, rest);
  if (command == "status") return run_status(globals, rest);
  if (command == "run") return run_run(globals, rest);
  if (command == "cluster") return run_cluster(globals, rest);
  if (command == "standby") return run_standby(globals, rest);
  if (command.empty()) return usage("no command given", kMainHelp);
  return usage("unknown command '" + command + "'", kMainHelp);
}

}  // namespace
}  // namespace quorum::quorumctl

int main(int argc, char** argv) { return quorum::quorumctl::run(argc, argv); }
