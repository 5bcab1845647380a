// RocksDB's own diagnostics go to the process log (adapters/asio/log.h) instead of a LOG file in
// the data directory. Why: the data directory is where a disk fills up, and Debian's librocksdb
// is built with assertions, so its file logger aborts the process on the write after a failed
// one (seen with a full tmpfs: rocks_disk_full_test.cc). A node must fail-stop with "no space",
// not die in a diagnostics path. Warnings and errors are kept; RocksDB's info chatter (option
// dumps, flush notices) is logged at debug level.
// Adapter layer. Thread-safe: RocksDB calls it from its background threads.
#pragma once

#include <rocksdb/env.h>

#include <memory>

namespace quorum::adapters::rocks {

std::shared_ptr<rocksdb::Logger> make_process_logger();

}  // namespace quorum::adapters::rocks
